using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Coupons.Core;

namespace Coupons.Server.Tests;

public sealed class SeriesValidationTests_Sqlite(SqliteApp app) : SeriesValidationTests<SqliteApp>(app);
public sealed class SeriesValidationTests_Postgres(PostgresApp app) : SeriesValidationTests<PostgresApp>(app);

/// <summary>POST and PUT /v2/coupon/series refuse nonsense with the field named, every refusal of a request at once.</summary>
public abstract class SeriesValidationTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    static readonly string Yesterday = DateTime.UtcNow.Date.AddDays(-1).ToString("yyyy-MM-dd") + "T00:00:00Z";

    static async Task<(HttpStatusCode Status, (int Code, string Message)[] Errors)> SendAsync(Task<HttpResponseMessage> request)
    {
        var response = await request;
        var body = await response.Json();
        var errors = body["errors"]?.AsArray().Select(e => (e!["code"]!.GetValue<int>(), e["message"]!.GetValue<string>())).ToArray() ?? [];
        return (response.StatusCode, errors);
    }

    static async Task<int> SeriesCountAsync(TestOrg org) => (await (await org.Admin.GetAsync("/v2/coupon/series")).Json())["series"]!.AsArray().Count;

    public static TheoryData<string, object, int> Refused => new()
    {
        { "discountValue", -10, 744 },
        { "maxCreate", -500, 744 },
        { "maxRedeem", -2, 744 },
        { "maxVouchersPerUser", -3, 744 },
        { "redemptionPerCouponMaxLimit", -7, 744 },
        { "discountUpto", -1, 744 },
        { "discountType", "PERCENT", 744 },
        { "seriesType", "RANDOM", 744 },
        { "expiryStrategyType", "WEEKS", 744 },
        { "validTillDate", Yesterday, 744 },
        { "storeIdsJson", "[\"a\"]", 744 },
        { "redeemAtStore", "[987654321]", 744 },
        { "mutualExclusiveSeriesIds", "[987654321]", 756 },
        { "redemptionRange", "{\"hours\":[25]}", 744 },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_nonsense_value_is_refused_with_its_code_naming_its_field_and_nothing_is_stored(string field, object value, int code)
    {
        var org = await TestOrg.CreateAsync(app);
        var body = new JsonObject { ["seriesCode"] = "BAD", ["description"] = "x", ["discountValue"] = 10, [field] = JsonValue.Create(value) };
        var (status, errors) = await SendAsync(org.Admin.PostAsJsonAsync("/v2/coupon/series", body));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = Assert.Single(errors);
        Assert.Equal(code, error.Code);
        Assert.Contains(field, error.Message);
        Assert.Equal(0, await SeriesCountAsync(org));
    }

    [Fact]
    public async Task A_percentage_over_100_and_a_max_bill_under_the_min_are_refused()
    {
        var org = await TestOrg.CreateAsync(app);
        var (_, perc) = await SendAsync(org.Admin.PostAsJsonAsync("/v2/coupon/series", new { seriesCode = "P", discountType = "PERC", discountValue = 150 }));
        Assert.Equal([744], perc.Select(e => e.Code));
        Assert.StartsWith("discountValue cannot be over 100", perc[0].Message);
        var (_, bill) = await SendAsync(org.Admin.PostAsJsonAsync("/v2/coupon/series", new { seriesCode = "B", minBillAmount = 100, maxBillAmount = 50 }));
        Assert.StartsWith("maxBillAmount", Assert.Single(bill).Message);
        var (_, from) = await SendAsync(org.Admin.PostAsJsonAsync("/v2/coupon/series",
            new { seriesCode = "F", validTillDate = "2031-01-31T00:00:00Z", redemptionValidFrom = "2031-02-01T00:00:00Z" }));
        Assert.StartsWith("redemptionValidFrom", Assert.Single(from).Message);
        Assert.Equal(0, await SeriesCountAsync(org));
    }

    [Fact]
    public async Task Every_refusal_of_one_request_is_answered_at_once()
    {
        var org = await TestOrg.CreateAsync(app);
        var (status, errors) = await SendAsync(org.Admin.PostAsJsonAsync("/v2/coupon/series",
            new { seriesCode = "", discountType = "PERC", discountValue = 150, maxCreate = -500, validTillDate = Yesterday, mutualExclusiveSeriesIds = "[987654321]" }));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal([753, 744, 744, 744, 756], errors.Select(e => e.Code));
        Assert.Equal(["seriesCode", "discountValue", "validTillDate", "maxCreate", "mutualExclusiveSeriesIds"], errors.Select(e => e.Message.Split(' ', ':')[0]));
    }

    [Fact]
    public async Task Lists_naming_this_organisations_stores_and_series_are_accepted_and_another_organisations_are_not()
    {
        var org = await TestOrg.CreateAsync(app);
        var other = await TestOrg.CreateAsync(app);
        var store = (await (await org.Admin.PostAsJsonAsync("/v2/stores", new { code = "north", name = "North" })).Json())["id"]!.GetValue<long>();
        var otherStore = (await (await other.Admin.PostAsJsonAsync("/v2/stores", new { code = "north", name = "North" })).Json())["id"]!.GetValue<long>();
        var first = (await org.SeriesAsync())["id"]!.GetValue<long>();
        var otherSeries = (await other.SeriesAsync())["id"]!.GetValue<long>();

        var ok = await org.SeriesAsync(new { storeIdsJson = $"[\"{store}\"]", redeemAtStore = $"[{store}, -1]", mutualExclusiveSeriesIds = $"[{first}]" });
        Assert.Equal($"[{first}]", ok["mutualExclusiveSeriesIds"]!.GetValue<string>());

        var (_, errors) = await SendAsync(org.Admin.PostAsJsonAsync("/v2/coupon/series",
            new { seriesCode = "X", redeemAtStore = $"[{otherStore}]", mutualExclusiveSeriesIds = $"[{otherSeries}]" }));
        Assert.Equal([(756, $"mutualExclusiveSeriesIds: no series {otherSeries} in this organisation"), (744, $"redeemAtStore: no store {otherStore} in this organisation")], errors);
    }

    [Fact]
    public async Task An_update_is_checked_too_but_may_end_a_series_in_the_past()
    {
        var org = await TestOrg.CreateAsync(app);
        var series = await org.SeriesAsync(new { seriesCode = "U1" });
        var id = series["id"]!.GetValue<long>();
        var (status, errors) = await SendAsync(org.Admin.PutAsJsonAsync($"/v2/coupon/series/{id}", new { seriesCode = "U1", discountValue = -1, maxCreate = -5 }));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal([$"{Status.Message(744)}: discountValue cannot be negative", $"{Status.Message(744)}: maxCreate must be -1 (none) or 0 or more"], errors.Select(e => e.Message));
        Assert.Equal(10m, (await (await org.Admin.GetAsync($"/v2/coupon/series/{id}")).Json())["discountValue"]!.GetValue<decimal>());

        var ended = await org.Admin.PutAsJsonAsync($"/v2/coupon/series/{id}", new { seriesCode = "U1", discountValue = 10, validTillDate = Yesterday });
        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
    }

    [Fact]
    public async Task Limits_of_minus_1_and_0_a_percentage_of_100_and_lower_case_types_are_accepted()
    {
        var org = await TestOrg.CreateAsync(app);
        var series = await org.SeriesAsync(new
        {
            discountType = "perc",
            discountValue = 100,
            discountUpto = 0,
            maxCreate = 0,
            maxRedeem = -1,
            maxVouchersPerUser = 0,
            minDaysBetweenVouchers = 0,
            validTillDate = DateTime.UtcNow.Date.ToString("yyyy-MM-dd") + "T00:00:00Z",
            seriesType = "campaign",
        });
        Assert.Equal(("PERC", "CAMPAIGN", 0), (series["discountType"]!.GetValue<string>(), series["seriesType"]!.GetValue<string>(), series["maxCreate"]!.GetValue<int>()));
    }
}
