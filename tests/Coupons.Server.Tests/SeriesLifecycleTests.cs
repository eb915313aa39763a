using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Coupons.Server.Tests;

public sealed class SeriesLifecycleTests_Sqlite(SqliteApp app) : SeriesLifecycleTests<SqliteApp>(app);
public sealed class SeriesLifecycleTests_Postgres(PostgresApp app) : SeriesLifecycleTests<PostgresApp>(app);

/// <summary>Pause and resume, archive and unarchive, duplicate (issue #18), through the API and the console.</summary>
public abstract class SeriesLifecycleTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    const string Mobile = "447700900400";

    static async Task<JsonNode> PostAsync(HttpClient client, string path, HttpStatusCode expected, object? body = null)
    {
        var response = await client.PostAsJsonAsync(path, body ?? new { });
        var json = await response.Json();
        Assert.True(response.StatusCode == expected, $"{path}: {(int)response.StatusCode} {json.ToJsonString()}");
        return json;
    }

    static int V2Error(JsonNode body) => body["errors"]![0]!["code"]!.GetValue<int>();

    [Fact]
    public async Task A_paused_series_refuses_issue_and_redeem_on_both_apis_until_resumed()
    {
        var org = await TestOrg.CreateAsync(app);
        await org.CustomerAsync(mobile: Mobile);
        var till = await org.TillAsync();
        var id = V11.Id(await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true }));
        var held = await V11.IssuedCodeAsync(till, id, Mobile);

        var paused = await PostAsync(org.Admin, $"/v2/coupon/series/{id}/pause", HttpStatusCode.OK);
        Assert.NotNull(paused["pausedAt"]);

        V11.AssertRefused(await V11.IssueAsync(till, id, Mobile), 771);
        var issue = await PostAsync(till, "/v2/coupon/issue/multiple", HttpStatusCode.BadRequest, new { seriesId = id, count = 2, customer = new { mobile = Mobile } });
        Assert.Equal(771, V2Error(issue));
        V11.AssertRefused(await V11.RedeemAsync(till, held, Mobile, amount: "50"), 771);
        var bulk = await PostAsync(till, "/v2/coupon/bulk/redeem", HttpStatusCode.BadRequest,
            new { redemptionRequestList = new[] { new { code = held } }, billAmount = 50, user = new { mobile = Mobile } });
        Assert.Equal(771, bulk["redemptionResponseList"]![0]!["errors"]![0]!["code"]!.GetValue<int>());
        var check = await (await till.GetAsync($"/v2/coupon/is_redeemable?mobile={Mobile}&code={held}")).Json();
        Assert.False(check["coupons"]![0]!["isRedeemable"]!.GetValue<bool>());
        Assert.Equal(771, check["coupons"]![0]!["errors"]![0]!["code"]!.GetValue<int>());
        var series = await V11.SeriesV2Async(org, id);
        Assert.Equal(1, series["numIssued"]!.GetValue<int>());
        Assert.Equal(0, series["numRedeemed"]!.GetValue<int>());

        // Saving the series' fields while it is paused leaves it paused; pausing again keeps the first instant.
        var saved = await org.Admin.PutAsJsonAsync($"/v2/coupon/series/{id}", new { seriesCode = series["seriesCode"]!.GetValue<string>(), description = "edited", discountValue = 10, isMultipleVouchersPerUserAllowed = true });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var again = await PostAsync(org.Admin, $"/v2/coupon/series/{id}/pause", HttpStatusCode.OK);
        Assert.Equal(paused["pausedAt"]!.GetValue<string>(), again["pausedAt"]!.GetValue<string>());
        V11.AssertRefused(await V11.IssueAsync(till, id, Mobile), 771);

        var resumed = await PostAsync(org.Admin, $"/v2/coupon/series/{id}/resume", HttpStatusCode.OK);
        Assert.Null(resumed["pausedAt"]);
        V11.AssertIssued(await V11.IssueAsync(till, id, Mobile));
        V11.AssertRedeemed(await V11.RedeemAsync(till, held, Mobile));
    }

    [Fact]
    public async Task An_archived_series_is_still_read_and_reported_and_keeps_working()
    {
        var org = await TestOrg.CreateAsync(app);
        await org.CustomerAsync(mobile: Mobile);
        var till = await org.TillAsync();
        var id = V11.Id(await org.SeriesAsync(new { seriesCode = "OLD-CAMPAIGN" }));
        var code = await V11.IssuedCodeAsync(till, id, Mobile);

        var archived = await PostAsync(org.Admin, $"/v2/coupon/series/{id}/archive", HttpStatusCode.OK);
        Assert.NotNull(archived["archivedAt"]);
        Assert.NotNull((await V11.SeriesV2Async(org, id))["archivedAt"]);
        V11.AssertRedeemed(await V11.RedeemAsync(till, code, Mobile));
        Assert.Equal(1, (await V11.SeriesV2Async(org, id))["numRedeemed"]!.GetValue<int>());

        var unarchived = await PostAsync(org.Admin, $"/v2/coupon/series/{id}/unarchive", HttpStatusCode.OK);
        Assert.Null(unarchived["archivedAt"]);
    }

    [Fact]
    public async Task Duplicate_copies_every_setting_under_a_new_code_without_coupons()
    {
        var org = await TestOrg.CreateAsync(app);
        await org.CustomerAsync(mobile: Mobile);
        var till = await org.TillAsync();
        var source = await org.SeriesAsync(new { seriesCode = "MAY", discountType = "PERC", discountValue = 15, discountUpto = 40, minBillAmount = 20, maxCreate = 500, description = "May" });
        var id = V11.Id(source);
        await V11.IssuedCodeAsync(till, id, Mobile);
        await PostAsync(org.Admin, $"/v2/coupon/series/{id}/pause", HttpStatusCode.OK);

        var copy = await PostAsync(org.Admin, $"/v2/coupon/series/{id}/duplicate", HttpStatusCode.Created, new { seriesCode = "JUNE", description = "June" });
        Assert.NotEqual(id, copy["id"]!.GetValue<long>());
        Assert.Equal("JUNE", copy["seriesCode"]!.GetValue<string>());
        Assert.Equal("June", copy["description"]!.GetValue<string>());
        foreach (var field in new[] { "discountType", "discountValue", "discountUpto", "minBillAmount", "maxCreate", "seriesType", "validTillDate" })
            Assert.True(JsonNode.DeepEquals(source[field], copy[field]), $"{field}: {source[field]} vs {copy[field]}");
        Assert.Equal(0, copy["numIssued"]!.GetValue<int>());
        Assert.Null(copy["pausedAt"]);
        V11.AssertIssued(await V11.IssueAsync(till, copy["id"]!.GetValue<long>(), Mobile));

        Assert.Equal(751, V2Error(await PostAsync(org.Admin, $"/v2/coupon/series/{id}/duplicate", HttpStatusCode.Conflict, new { seriesCode = "JUNE" })));
        Assert.Equal(753, V2Error(await PostAsync(org.Admin, $"/v2/coupon/series/{id}/duplicate", HttpStatusCode.BadRequest, new { seriesCode = " " })));
        Assert.Equal(707, V2Error(await PostAsync(org.Admin, "/v2/coupon/series/999999999/duplicate", HttpStatusCode.NotFound, new { seriesCode = "X1" })));
    }

    [Fact]
    public async Task A_generic_series_is_duplicated_only_with_a_shared_code_of_its_own()
    {
        var org = await TestOrg.CreateAsync(app);
        var id = V11.Id(await org.SeriesAsync(new { seriesType = "GENERIC", generic = "SHARE5" }));
        Assert.Equal(754, V2Error(await PostAsync(org.Admin, $"/v2/coupon/series/{id}/duplicate", HttpStatusCode.BadRequest, new { seriesCode = "G2" })));
        Assert.Equal(754, V2Error(await PostAsync(org.Admin, $"/v2/coupon/series/{id}/duplicate", HttpStatusCode.BadRequest, new { seriesCode = "G2", generic = "share5" })));
        var copy = await PostAsync(org.Admin, $"/v2/coupon/series/{id}/duplicate", HttpStatusCode.Created, new { seriesCode = "G2", generic = "SHARE6" });
        Assert.Equal("SHARE6", copy["generic"]!.GetValue<string>());
    }

    [Fact]
    public async Task Lifecycle_calls_are_for_admins_of_the_series_organisation_only()
    {
        var org = await TestOrg.CreateAsync(app);
        var other = await TestOrg.CreateAsync(app);
        var id = V11.Id(await org.SeriesAsync());
        var till = await org.TillAsync();
        foreach (var action in new[] { "pause", "resume", "archive", "unarchive", "duplicate" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await till.PostAsJsonAsync($"/v2/coupon/series/{id}/{action}", new { seriesCode = "T" })).StatusCode);
            var theirs = await PostAsync(other.Admin, $"/v2/coupon/series/{id}/{action}", HttpStatusCode.NotFound, new { seriesCode = "T" });
            Assert.Equal(707, V2Error(theirs));
        }
        Assert.Null((await V11.SeriesV2Async(org, id))["pausedAt"]);
        Assert.Null((await V11.SeriesV2Async(org, id))["archivedAt"]);
    }

    [Fact]
    public async Task The_console_pauses_archives_and_duplicates_and_leaves_archived_series_out_of_its_pickers()
    {
        var org = await TestOrg.CreateAsync(app);
        var customerId = await org.CustomerAsync(mobile: Mobile);
        var id = V11.Id(await org.SeriesAsync(new { seriesCode = "SPRING" }));
        var browser = await ConsoleBrowser.SignedInAsync(app, org.AdminTill, org.Password);
        var page = $"/console/series/{id}";
        var option = $"<option value=\"{id}\">";
        Assert.Contains(option, await browser.GetHtmlAsync($"/console/customers/{customerId}"));

        var paused = await browser.PostFormAsync(page, $"{page}?handler=Pause", []);
        Assert.Equal($"{page}?done=paused", paused.Location);
        var html = await browser.GetHtmlAsync(page);
        Assert.Contains("id=\"paused-notice\"", html);
        Assert.Contains("id=\"resume\"", html);
        Assert.DoesNotContain(option, await browser.GetHtmlAsync($"/console/customers/{customerId}"));  // not in the issue picker
        await browser.PostFormAsync(page, $"{page}?handler=Resume", []);
        Assert.Contains(option, await browser.GetHtmlAsync($"/console/customers/{customerId}"));

        var duplicated = await browser.PostFormAsync(page, $"{page}?handler=Duplicate", new() { ["seriesCode"] = "SPRING-2" });
        Assert.Matches(@"^/console/series/\d+/edit$", duplicated.Location);
        var taken = await browser.PostFormAsync(page, $"{page}?handler=Duplicate", new() { ["seriesCode"] = "SPRING-2" });
        Assert.Contains("751: ", taken.Html);

        await browser.PostFormAsync(page, $"{page}?handler=Archive", []);
        Assert.Contains("id=\"archived\"", await browser.GetHtmlAsync(page));
        Assert.DoesNotContain("data-series=\"SPRING\"", await browser.GetHtmlAsync("/console/series"));
        Assert.Contains("data-series=\"SPRING-2\"", await browser.GetHtmlAsync("/console/series"));
        Assert.Contains("data-series=\"SPRING\"", await browser.GetHtmlAsync("/console/series?archived=true"));
        Assert.DoesNotContain(option, await browser.GetHtmlAsync($"/console/customers/{customerId}"));
    }
}
