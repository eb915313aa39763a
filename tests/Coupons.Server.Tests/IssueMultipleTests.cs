using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Coupons.Server.Tests;

public sealed class IssueMultipleTests_Sqlite(SqliteApp app) : IssueMultipleTests<SqliteApp>(app);
public sealed class IssueMultipleTests_Postgres(PostgresApp app) : IssueMultipleTests<PostgresApp>(app);

/// <summary>issue/multiple takes a generated series' coupons in a few multi-row statements: the maxCreate edge stays exact.</summary>
public abstract class IssueMultipleTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    static async Task<JsonNode> IssueAsync(HttpClient till, long seriesId, string mobile, int count, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await till.PostAsJsonAsync("/v2/coupon/issue/multiple", new { seriesId, count, customer = new { mobile } });
        Assert.Equal(expected, response.StatusCode);
        return await response.Json();
    }

    static List<string> Codes(JsonNode body) => body["coupons"]!.AsArray().Select(c => c!["code"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task Coupons_of_a_series_with_no_message_text_are_issued_with_a_724_warning_that_no_message_goes_out()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var silent = (await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true }))["id"]!.GetValue<long>();
        var texting = (await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true, smsTemplate = "Code {{voucher}}" }))["id"]!.GetValue<long>();
        await org.CustomerAsync(mobile: "447700900555");

        var body = await IssueAsync(till, silent, "447700900555", 2);
        Assert.Equal(2, body["successCount"]!.GetValue<int>());
        Assert.Empty(body["errors"]!.AsArray());
        var warning = Assert.Single(body["warnings"]!.AsArray())!;
        Assert.Equal(724, warning["code"]!.GetValue<int>());
        Assert.Equal($"series {silent}: no message will go out: the series has no SMS or email text", warning["message"]!.GetValue<string>());

        var sent = await IssueAsync(till, texting, "447700900555", 1);
        Assert.Empty(sent["warnings"]!.AsArray());
    }

    [Fact]
    public async Task An_expired_series_gets_713_as_the_endpoints_table_says()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = (await org.EndedSeriesAsync(daysAgo: 2))["id"]!.GetValue<long>();
        await org.CustomerAsync(mobile: "447700900556");
        var body = await IssueAsync(till, series, "447700900556", 1, HttpStatusCode.BadRequest);
        Assert.Equal(713, body.ErrorCode());
        Assert.Equal("Coupon has expired", body["errors"]![0]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_request_past_maxCreate_issues_what_is_left_and_reports_it()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true, maxCreate = 5 });
        var seriesId = series["id"]!.GetValue<long>();
        await org.CustomerAsync(mobile: "910001");
        await org.CustomerAsync(mobile: "910002");

        var first = await IssueAsync(till, seriesId, "910001", 3);
        Assert.Equal(3, first["successCount"]!.GetValue<int>());
        var second = await IssueAsync(till, seriesId, "910002", 4);
        Assert.Equal(2, second["successCount"]!.GetValue<int>());
        Assert.Equal(2, second["failureCount"]!.GetValue<int>());
        Assert.Equal(5006, second.ErrorCode()); // a partial issue
        // Its warning code of the spec's table, and this series' lack of message text.
        Assert.Equal([678, 724], second["warnings"]!.AsArray().Select(w => w!["code"]!.GetValue<int>()));
        await IssueAsync(till, seriesId, "910001", 2, HttpStatusCode.BadRequest);

        var codes = Codes(first).Concat(Codes(second)).ToList();
        Assert.Equal(5, codes.Distinct().Count());
        var stored = await (await org.Admin.GetAsync($"/v2/coupon/series/{seriesId}")).Json();
        Assert.Equal(5, stored["numIssued"]!.GetValue<int>());
    }

    [Fact]
    public async Task More_large_issues_at_once_than_run_together_each_take_their_coupons()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true });
        var seriesId = series["id"]!.GetValue<long>();
        // Several times the number of large issues run at once (four times the cores): the rest wait their turn.
        var n = Environment.ProcessorCount * 8;
        var mobiles = Enumerable.Range(0, n).Select(i => $"9200{i:D4}").ToArray();
        foreach (var mobile in mobiles) await org.CustomerAsync(mobile: mobile);

        var answers = await Task.WhenAll(mobiles.Select(m => IssueAsync(till, seriesId, m, 20)));
        Assert.All(answers, a => Assert.Equal(20, a["successCount"]!.GetValue<int>()));
        Assert.Equal(n * 20, answers.SelectMany(Codes).Distinct().Count());
        var stored = await (await org.Admin.GetAsync($"/v2/coupon/series/{seriesId}")).Json();
        Assert.Equal(n * 20, stored["numIssued"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_random_code_someone_holds_is_drawn_again_without_counting_the_coupon_twice()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        // A listener for issues, so that every coupon leaves its coupon.issued event (checked at the end).
        Assert.True((await org.Admin.PostAsJsonAsync("/v2/webhooks", new { url = "http://127.0.0.1:9/hooks", events = new[] { "coupon.issued" } })).IsSuccessStatusCode);
        // Half of the 10,000 four-digit codes are taken by an uploaded series of the same organisation: about every
        // second draw of the generated series below meets a taken code and must draw again.
        var uploaded = await org.SeriesAsync(new { seriesType = "UPLOADED" });
        var taken = Enumerable.Range(0, 5_000).Select(i => (i * 2).ToString("D4")).ToArray();
        var upload = await org.Admin.PostAsJsonAsync($"/v2/coupon/series/{uploaded["id"]}/codes", taken);
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        var series = await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true, alphaNumeric = false, randomCodeLength = 4, maxCreate = 40 });
        var seriesId = series["id"]!.GetValue<long>();
        var customerId = await org.CustomerAsync(mobile: "930001");

        var codes = new List<string>();
        for (var i = 0; i < 40; i++) codes.AddRange(Codes(await IssueAsync(till, seriesId, "930001", 1)));
        await IssueAsync(till, seriesId, "930001", 1, HttpStatusCode.BadRequest); // maxCreate reached

        Assert.Equal(40, codes.Distinct().Count());
        Assert.Empty(codes.Intersect(taken));
        var stored = await (await org.Admin.GetAsync($"/v2/coupon/series/{seriesId}")).Json();
        Assert.Equal(40, stored["numIssued"]!.GetValue<int>());
        var held = (await org.Store.ListCustomerCouponsAsync(org.OrgId, customerId)).Select(d => d.Coupon.Id).Order().ToArray();
        Assert.Equal(40, held.Length);

        // One coupon.issued event per coupon, naming it, whichever way its code was found.
        await using var db = await app.OpenDatabaseAsync();
        var payloads = await Dapper.SqlMapper.QueryAsync<string>(db,
            "SELECT payload FROM outbox WHERE org_id = @orgId AND kind = 'coupon.issued'", new { orgId = org.OrgId });
        var named = payloads.Select(p => JsonNode.Parse(p)!).Where(p => p["seriesId"]!.GetValue<long>() == seriesId)
            .Select(p => p["couponId"]!.GetValue<long>()).Order().ToArray();
        Assert.Equal(held, named);
    }
}

