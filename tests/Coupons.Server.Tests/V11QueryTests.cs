using System.Net;

namespace Coupons.Server.Tests;

public sealed class V11QueryTests_Sqlite(SqliteApp app) : V11QueryTests<SqliteApp>(app);
public sealed class V11QueryTests_Postgres(PostgresApp app) : V11QueryTests<PostgresApp>(app);

/// <summary>The GET resources: coupon/isredeemable, coupon/get, coupon/series, coupon/resend.</summary>
public abstract class V11QueryTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    const string Mobile = "447700900100";

    async Task<(TestOrg Org, HttpClient Till, long SeriesId)> SetUpAsync(object? seriesFields = null)
    {
        var org = await TestOrg.CreateAsync(app);
        await org.CustomerAsync(mobile: Mobile);
        var till = await org.TillAsync();
        return (org, till, V11.Id(await org.SeriesAsync(seriesFields ?? new { isMultipleVouchersPerUserAllowed = true })));
    }

    [Fact]
    public async Task Isredeemable_says_true_for_a_fresh_coupon_and_false_711_for_a_used_one_and_changes_nothing()
    {
        var (org, till, seriesId) = await SetUpAsync();
        var code = await V11.IssuedCodeAsync(till, seriesId, Mobile);

        for (var i = 0; i < 3; i++)
        {
            var fresh = await V11.GetAsync(till, $"/v1.1/coupon/isredeemable?format=json&code={code}&mobile={Mobile}");
            Assert.Equal(HttpStatusCode.OK, fresh.Http);
            Assert.Equal("true", V11.Text(fresh.Item["is_redeemable"]));
            Assert.Equal(700, fresh.ItemCode);
            Assert.Equal(Mobile, V11.Text(fresh.Item["mobile"]));
            Assert.Equal(code, V11.Text(fresh.Item["code"]));
        }
        Assert.Equal(0, (await V11.SeriesV2Async(org, seriesId))["numRedeemed"]!.GetValue<int>());

        V11.AssertRedeemed(await V11.RedeemAsync(till, code, Mobile));
        var used = await V11.GetAsync(till, $"/v1.1/coupon/isredeemable?format=json&code={code}&mobile={Mobile}");
        Assert.Equal("false", V11.Text(used.Item["is_redeemable"]));
        Assert.Equal(711, used.ItemCode);
    }

    [Fact]
    public async Task Isredeemable_names_the_coupon_by_id_as_well()
    {
        var (_, till, seriesId) = await SetUpAsync();
        var code = await V11.IssuedCodeAsync(till, seriesId, Mobile);
        var id = V11.Text((await V11.GetAsync(till, $"/v1.1/coupon/get?format=json&code={code}")).Item["id"]);
        var answer = await V11.GetAsync(till, $"/v1.1/coupon/isredeemable?format=json&id={id}&mobile={Mobile}");
        Assert.Equal("true", V11.Text(answer.Item["is_redeemable"]));
        Assert.Equal(700, answer.ItemCode);
        Assert.Equal(code, V11.Text(answer.Item["code"]));
    }

    [Fact]
    public async Task Isredeemable_with_details_adds_the_series_info()
    {
        var (_, till, seriesId) = await SetUpAsync(new { discountCode = "XYZ123", description = "Sample description" });
        var code = await V11.IssuedCodeAsync(till, seriesId, Mobile);
        var answer = await V11.GetAsync(till, $"/v1.1/coupon/isredeemable?format=json&details=true&code={code}&mobile={Mobile}");
        Assert.Equal("XYZ123", V11.Text(answer.Item["series_info"]!["discount_code"]));
        Assert.Equal("Sample description", V11.Text(answer.Item["series_info"]!["description"]));
        var plain = await V11.GetAsync(till, $"/v1.1/coupon/isredeemable?format=json&code={code}&mobile={Mobile}");
        Assert.Null(plain.Item["series_info"]);
    }

    [Fact]
    public async Task Isredeemable_for_someone_elses_coupon_is_false_703()
    {
        var (org, till, seriesId) = await SetUpAsync();
        await org.CustomerAsync(mobile: "447700900200");
        var code = await V11.IssuedCodeAsync(till, seriesId, Mobile);
        var answer = await V11.GetAsync(till, $"/v1.1/coupon/isredeemable?format=json&code={code}&mobile=447700900200");
        Assert.Equal("false", V11.Text(answer.Item["is_redeemable"]));
        Assert.Equal(703, answer.ItemCode);
    }

    [Fact]
    public async Task Get_by_code_and_by_id_lists_with_commas()
    {
        var (_, till, seriesId) = await SetUpAsync();
        var one = await V11.IssuedCodeAsync(till, seriesId, Mobile);
        var two = await V11.IssuedCodeAsync(till, seriesId, Mobile);

        var byCode = await V11.GetAsync(till, $"/v1.1/coupon/get?format=json&code={one},{two}");
        Assert.Equal(HttpStatusCode.OK, byCode.Http);
        var coupons = V11.List(byCode.Response["coupons"]!["coupon"]);
        Assert.Equal(new[] { one, two }.Order(), coupons.Select(c => V11.Text(c["code"])).Order());
        Assert.All(coupons, c => Assert.Equal(700, V11.Code(c)));
        Assert.All(coupons, c => Assert.Equal(seriesId.ToString(), V11.Text(c["series_id"])));
        Assert.All(coupons, c => Assert.Equal(Mobile, V11.Text(c["customer"]!["mobile"])));
        Assert.All(coupons, c => Assert.Equal("main", V11.Text(c["issued_store"]!["code"])));
        Assert.All(coupons, c => Assert.Equal("false", V11.Text(c["redemption_info"]!["redeemed"])));

        var ids = coupons.Select(c => V11.Text(c["id"])).ToList();
        var byId = await V11.GetAsync(till, $"/v1.1/coupon/get?format=json&id={string.Join(",", ids)}");
        Assert.Equal(HttpStatusCode.OK, byId.Http);
        Assert.Equal(ids.Order(), V11.List(byId.Response["coupons"]!["coupon"]).Select(c => V11.Text(c["id"])).Order());
    }

    [Fact]
    public async Task Get_shows_a_redemption()
    {
        var (_, till, seriesId) = await SetUpAsync();
        var code = await V11.IssuedCodeAsync(till, seriesId, Mobile);
        V11.AssertRedeemed(await V11.RedeemAsync(till, code, Mobile, number: "BILL-20304"));
        var got = await V11.GetAsync(till, $"/v1.1/coupon/get?format=json&code={code}");
        var info = got.Item["redemption_info"]!;
        Assert.Equal("true", V11.Text(info["redeemed"]));
        Assert.False(string.IsNullOrEmpty(V11.Text(info["redeemed_on"])));
        Assert.Equal("BILL-20304", V11.Text(got.Item["transaction"]!["number"]));
    }

    [Fact]
    public async Task Get_of_an_unknown_code_fails_its_item_and_a_mixed_list_gives_201()
    {
        var (_, till, seriesId) = await SetUpAsync();
        var code = await V11.IssuedCodeAsync(till, seriesId, Mobile);
        var unknown = await V11.GetAsync(till, "/v1.1/coupon/get?format=json&code=NOSUCHCODE");
        Assert.Equal(HttpStatusCode.InternalServerError, unknown.Http);
        Assert.NotEqual(700, unknown.ItemCode);

        var mixed = await V11.GetAsync(till, $"/v1.1/coupon/get?format=json&code={code},NOSUCHCODE");
        Assert.Equal(HttpStatusCode.Created, mixed.Http);
        Assert.Equal("201", V11.Text(mixed.Status["code"]));
        Assert.Equal(2, V11.List(mixed.Response["coupons"]!["coupon"]).Count);
    }

    [Fact]
    public async Task Get_does_not_show_another_organisations_coupon()
    {
        var (_, till, seriesId) = await SetUpAsync();
        var code = await V11.IssuedCodeAsync(till, seriesId, Mobile);
        var other = await TestOrg.CreateAsync(app);
        var theirTill = await other.TillAsync();
        var answer = await V11.GetAsync(theirTill, $"/v1.1/coupon/get?format=json&code={code}");
        Assert.Equal(HttpStatusCode.InternalServerError, answer.Http);
        Assert.Null(answer.Item["pincode"]);
    }

    [Fact]
    public async Task Series_by_id_answers_the_item_with_700_and_its_counts()
    {
        var (_, till, seriesId) = await SetUpAsync(new { description = "Holiday", maxCreate = 50, isMultipleVouchersPerUserAllowed = true });
        await V11.IssuedCodeAsync(till, seriesId, Mobile);
        var answer = await V11.GetAsync(till, $"/v1.1/coupon/series?format=json&id={seriesId}");
        Assert.Equal(HttpStatusCode.OK, answer.Http);
        var item = V11.Single(answer.Response["series"]!["items"]!["item"]!);
        Assert.Equal(seriesId.ToString(), V11.Text(item["id"]));
        Assert.Equal("Holiday", V11.Text(item["description"]));
        Assert.Equal("50", V11.Text(item["max_create"]));
        Assert.Equal("1", V11.Text(item["coupons"]!["issued"]));
        Assert.Equal("0", V11.Text(item["coupons"]!["redeemed"]));
        Assert.Equal(700, V11.Code(item));
    }

    [Fact]
    public async Task Series_unknown_id_gives_707()
    {
        var (_, till, _) = await SetUpAsync();
        var answer = await V11.GetAsync(till, "/v1.1/coupon/series?format=json&id=987654321");
        Assert.Equal(HttpStatusCode.InternalServerError, answer.Http);
        Assert.Equal(707, V11.Code(V11.Single(answer.Response["series"]!["items"]!["item"]!)));
    }

    [Fact]
    public async Task Series_without_id_lists_all_and_expired_filters()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var active = V11.Id(await org.SeriesAsync(new { validTillDate = V11.Day(10) })).ToString();
        var open = V11.Id(await org.SeriesAsync()).ToString();
        var expired = V11.Id(await org.EndedSeriesAsync(daysAgo: 2)).ToString();

        async Task<string[]> Ids(string query)
        {
            var answer = await V11.GetAsync(till, $"/v1.1/coupon/series?format=json{query}");
            Assert.Equal(HttpStatusCode.OK, answer.Http);
            return V11.List(answer.Response["series"]?["items"]?["item"]).Select(i => V11.Text(i["id"])).Order().ToArray();
        }

        Assert.Equal(new[] { active, open, expired }.Order(), await Ids(""));
        Assert.Equal([expired], await Ids("&expired=true"));
        Assert.Equal(new[] { active, open }.Order(), await Ids("&expired=false"));
    }

    [Fact]
    public async Task Resend_by_code_or_id_answers_700_Coupon_Resent()
    {
        var (_, till, seriesId) = await SetUpAsync(new { smsTemplate = "Your code {{voucher}}" });
        var code = await V11.IssuedCodeAsync(till, seriesId, Mobile);
        var byCode = await V11.GetAsync(till, $"/v1.1/coupon/resend?format=json&code={code}&mobile={Mobile}");
        Assert.Equal(HttpStatusCode.OK, byCode.Http);
        Assert.Equal(700, byCode.ItemCode);
        Assert.Equal("Coupon Resent", V11.Text(byCode.Item["item_status"]!["message"]));
        Assert.Equal(code, V11.Text(byCode.Item["code"]));

        var id = V11.Text((await V11.GetAsync(till, $"/v1.1/coupon/get?format=json&code={code}")).Item["id"]);
        var byId = await V11.GetAsync(till, $"/v1.1/coupon/resend?format=json&id={id}&mobile={Mobile}");
        Assert.Equal(HttpStatusCode.OK, byId.Http);
        Assert.Equal(700, byId.ItemCode);
        Assert.Equal(id, V11.Text(byId.Item["id"]));
    }

    [Fact]
    public async Task Resend_of_a_coupon_whose_series_has_no_message_text_gives_724_and_its_issue_says_no_message_goes_out()
    {
        var (_, till, seriesId) = await SetUpAsync();
        var issued = await V11.IssueAsync(till, seriesId, Mobile);
        Assert.Equal(700, issued.ItemCode);
        Assert.Equal("Coupon issued; no message will go out: the series has no SMS or email text", V11.Text(issued.Item["item_status"]!["message"]));
        var code = V11.Text(issued.Item["code"]);

        var answer = await V11.GetAsync(till, $"/v1.1/coupon/resend?format=json&code={code}&mobile={Mobile}");
        Assert.Equal(HttpStatusCode.InternalServerError, answer.Http);
        Assert.Equal(724, answer.ItemCode);
        Assert.Equal("false", V11.Text(answer.Item["item_status"]!["success"]));
        Assert.Contains("no SMS or email text", V11.Text(answer.Item["item_status"]!["message"]));
    }

    [Fact]
    public async Task Resend_of_an_unknown_code_fails()
    {
        var (_, till, _) = await SetUpAsync();
        var answer = await V11.GetAsync(till, $"/v1.1/coupon/resend?format=json&code=NOSUCHCODE&mobile={Mobile}");
        Assert.Equal(HttpStatusCode.InternalServerError, answer.Http);
        Assert.NotEqual(700, answer.ItemCode);
    }
}
