using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Coupons.Core;

namespace Coupons.Server.Tests;

public sealed class V11RedeemTests_Sqlite(SqliteApp app) : V11RedeemTests<SqliteApp>(app);
public sealed class V11RedeemTests_Postgres(PostgresApp app) : V11RedeemTests<PostgresApp>(app);

/// <summary>POST /v1.1/coupon/redeem, one item code per test (RedeemRules.Check lists them in order).</summary>
public abstract class V11RedeemTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    const string Mobile = "447700900100";
    const string Other = "447700900200";

    sealed record Setup(TestOrg Org, HttpClient Till, long CustomerId, long SeriesId, string Code);

    /// <summary>An organisation, a customer, a series with the given fields and one coupon of it issued to the customer.</summary>
    async Task<Setup> IssuedAsync(object? seriesFields = null)
    {
        var org = await TestOrg.CreateAsync(app);
        var customerId = await org.CustomerAsync(mobile: Mobile);
        await org.CustomerAsync(mobile: Other);
        var till = await org.TillAsync();
        var series = V11.Id(await org.SeriesAsync(seriesFields));
        return new Setup(org, till, customerId, series, await V11.IssuedCodeAsync(till, series, Mobile));
    }

    [Fact]
    public async Task Redeeming_an_issued_coupon_answers_the_redemption()
    {
        var s = await IssuedAsync(new { seriesCode = "SC-1", discountValue = 25, discountType = "ABS" });
        var answer = await V11.RedeemAsync(s.Till, s.Code, Mobile, number: "bill-110", amount: "1000");
        V11.AssertRedeemed(answer);
        var coupon = answer.Item;
        Assert.Equal(s.Code, V11.Text(coupon["code"]));
        Assert.Equal(Mobile, V11.Text(coupon["customer"]!["mobile"]));
        Assert.Equal("bill-110", V11.Text(coupon["transaction"]!["number"]));
        Assert.Equal("1000", V11.Text(coupon["transaction"]!["amount"]));
        Assert.Equal("SC-1", V11.Text(coupon["series_code"]));
        Assert.Equal("true", V11.Text(coupon["is_absolute"]));
        Assert.Equal(25m, decimal.Parse(V11.Text(coupon["coupon_value"]), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, (await V11.SeriesV2Async(s.Org, s.SeriesId))["numRedeemed"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_coupon_named_by_its_id_is_redeemed_and_answered_with_its_code()
    {
        var s = await IssuedAsync();
        var id = V11.Text((await V11.GetAsync(s.Till, $"/v1.1/coupon/get?format=json&code={s.Code}")).Item["id"]);
        JsonObject Coupon() => new() { ["id"] = id, ["customer"] = V11.Customer(Mobile), ["transaction"] = new JsonObject { ["number"] = "bill-by-id" } };
        var answer = await V11.PostAsync(s.Till, "/v1.1/coupon/redeem?format=json", V11.Root(Coupon()));
        V11.AssertRedeemed(answer);
        Assert.Equal(s.Code, V11.Text(answer.Item["code"]));
        Assert.Equal(1, (await V11.SeriesV2Async(s.Org, s.SeriesId))["numRedeemed"]!.GetValue<int>());
        // The same id again: the coupon is used (711), not unknown.
        V11.AssertRefused(await V11.PostAsync(s.Till, "/v1.1/coupon/redeem?format=json", V11.Root(Coupon())), 711);
    }

    [Fact]
    public async Task An_id_that_is_no_coupon_of_the_organisation_gives_702()
    {
        var s = await IssuedAsync();
        var other = await IssuedAsync();
        var theirs = V11.Text((await V11.GetAsync(other.Till, $"/v1.1/coupon/get?format=json&code={other.Code}")).Item["id"]);
        foreach (var id in new[] { theirs, "999999999" })
        {
            var coupon = new JsonObject { ["id"] = id, ["customer"] = V11.Customer(Mobile), ["transaction"] = new JsonObject { ["number"] = "bill-x" } };
            V11.AssertRefused(await V11.PostAsync(s.Till, "/v1.1/coupon/redeem?format=json", V11.Root(coupon)), 702);
        }
        Assert.Equal(0, (await V11.SeriesV2Async(other.Org, other.SeriesId))["numRedeemed"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_unknown_code_gives_702()
    {
        var s = await IssuedAsync();
        V11.AssertRefused(await V11.RedeemAsync(s.Till, "NOSUCHCODE", Mobile), 702);
    }

    [Fact]
    public async Task An_unknown_customer_gives_701()
    {
        var s = await IssuedAsync();
        V11.AssertRefused(await V11.RedeemAsync(s.Till, s.Code, "447700999999"), 701);
    }

    [Fact]
    public async Task An_uploaded_code_not_yet_issued_gives_719()
    {
        var org = await TestOrg.CreateAsync(app);
        await org.CustomerAsync(mobile: Mobile);
        var till = await org.TillAsync();
        var series = V11.Id(await org.SeriesAsync(new { seriesType = "UPLOADED" }));
        await org.Admin.PostAsJsonAsync($"/v2/coupon/series/{series}/codes", new[] { "AAA111", "BBB222" });
        var issued = await V11.IssuedCodeAsync(till, series, Mobile);
        var unissued = issued == "AAA111" ? "BBB222" : "AAA111";
        V11.AssertRefused(await V11.RedeemAsync(till, unissued, Mobile), 719);
    }

    [Fact]
    public async Task Someone_elses_coupon_gives_703()
    {
        var s = await IssuedAsync();
        V11.AssertRefused(await V11.RedeemAsync(s.Till, s.Code, Other), 703);
    }

    [Fact]
    public async Task An_anyUser_series_lets_another_customer_redeem()
    {
        var s = await IssuedAsync(new { anyUser = true });
        V11.AssertRedeemed(await V11.RedeemAsync(s.Till, s.Code, Other));
    }

    [Fact]
    public async Task A_validation_series_wants_the_coupons_pincode_725_then_705_then_success()
    {
        var s = await IssuedAsync(new { isValidationRequired = true });
        var got = await V11.GetAsync(s.Till, $"/v1.1/coupon/get?format=json&code={s.Code}");
        var pin = V11.Text(got.Item["pincode"]);
        Assert.False(string.IsNullOrEmpty(pin), got.ToString());

        V11.AssertRefused(await V11.RedeemAsync(s.Till, s.Code, Mobile), 725);
        var wrong = pin == "0000" ? "1111" : "0000";
        V11.AssertRefused(await V11.RedeemAsync(s.Till, s.Code, Mobile, validationCode: wrong), 705);
        V11.AssertRedeemed(await V11.RedeemAsync(s.Till, s.Code, Mobile, validationCode: pin));
    }

    [Fact]
    public async Task A_test_series_coupon_gives_720()
    {
        var s = await IssuedAsync(new { isTestSeries = true });
        V11.AssertRefused(await V11.RedeemAsync(s.Till, s.Code, Mobile), 720);
    }

    [Fact]
    public async Task A_revoked_coupon_gives_660_and_only_an_admin_can_revoke()
    {
        var s = await IssuedAsync();
        var couponId = (await s.Org.Store.GetCouponsAsync(s.Org.OrgId, [], [s.Code])).Single().Coupon.Id;
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await s.Till.PostAsync($"/v2/coupons/{couponId}/revoke", null)).StatusCode);

        var other = await TestOrg.CreateAsync(app);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await other.Admin.PostAsync($"/v2/coupons/{couponId}/revoke", null)).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await s.Org.Admin.PostAsync($"/v2/coupons/{couponId}/revoke", null)).StatusCode);
        V11.AssertRefused(await V11.RedeemAsync(s.Till, s.Code, Mobile), 660);
        Assert.Equal(0, (await V11.SeriesV2Async(s.Org, s.SeriesId))["numRedeemed"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_used_single_use_coupon_gives_711()
    {
        var s = await IssuedAsync();
        V11.AssertRedeemed(await V11.RedeemAsync(s.Till, s.Code, Mobile));
        V11.AssertRefused(await V11.RedeemAsync(s.Till, s.Code, Mobile), 711);
        Assert.Equal(1, (await V11.SeriesV2Async(s.Org, s.SeriesId))["numRedeemed"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_multi_use_coupon_without_sameUserMultipleRedeem_gives_716_the_second_time()
    {
        var s = await IssuedAsync(new { isMultipleUseAllowed = true, sameUserMultipleRedeem = false });
        V11.AssertRedeemed(await V11.RedeemAsync(s.Till, s.Code, Mobile));
        V11.AssertRefused(await V11.RedeemAsync(s.Till, s.Code, Mobile), 716);
    }

    [Fact]
    public async Task RedemptionPerCouponMaxLimit_reached_gives_728()
    {
        var s = await IssuedAsync(new { isMultipleUseAllowed = true, sameUserMultipleRedeem = true, redemptionPerCouponMaxLimit = 2 });
        V11.AssertRedeemed(await V11.RedeemAsync(s.Till, s.Code, Mobile));
        V11.AssertRedeemed(await V11.RedeemAsync(s.Till, s.Code, Mobile));
        V11.AssertRefused(await V11.RedeemAsync(s.Till, s.Code, Mobile), 728);
    }

    [Fact]
    public async Task The_series_maxRedeem_reached_gives_728()
    {
        var s = await IssuedAsync(new { isMultipleVouchersPerUserAllowed = true, maxRedeem = 1 });
        var second = await V11.IssuedCodeAsync(s.Till, s.SeriesId, Mobile);
        V11.AssertRedeemed(await V11.RedeemAsync(s.Till, s.Code, Mobile));
        V11.AssertRefused(await V11.RedeemAsync(s.Till, second, Mobile), 728);
    }

    [Fact]
    public async Task MaxRedemptionsInSeriesPerUser_reached_gives_736()
    {
        var s = await IssuedAsync(new { isMultipleVouchersPerUserAllowed = true, maxRedemptionsInSeriesPerUser = 1 });
        var second = await V11.IssuedCodeAsync(s.Till, s.SeriesId, Mobile);
        V11.AssertRedeemed(await V11.RedeemAsync(s.Till, s.Code, Mobile));
        V11.AssertRefused(await V11.RedeemAsync(s.Till, second, Mobile), 736);
    }

    [Fact]
    public async Task MinDaysBetweenRedemption_not_elapsed_gives_738()
    {
        var s = await IssuedAsync(new { isMultipleVouchersPerUserAllowed = true, minDaysBetweenRedemption = 2 });
        var second = await V11.IssuedCodeAsync(s.Till, s.SeriesId, Mobile);
        V11.AssertRedeemed(await V11.RedeemAsync(s.Till, s.Code, Mobile));
        var refused = await V11.RedeemAsync(s.Till, second, Mobile);
        V11.AssertRefused(refused, 738);
        Assert.Contains("2 days", V11.Text(refused.Item["item_status"]!["message"]));
    }

    [Fact]
    public async Task RedemptionValidFrom_in_the_future_gives_739()
    {
        var s = await IssuedAsync(new { redemptionValidFrom = V11.Day(2) });
        V11.AssertRefused(await V11.RedeemAsync(s.Till, s.Code, Mobile), 739);
    }

    [Fact]
    public async Task A_redemption_range_allowing_only_another_hour_gives_729()
    {
        var org = await TestOrg.CreateAsync(app);
        var zone = TimeZones.FindOrUtc((await org.Store.GetOrganisationAsync(org.OrgId))!.TimeZone);
        var otherHour = (TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).Hour + 12) % 24;
        await org.CustomerAsync(mobile: Mobile);
        var till = await org.TillAsync();
        var series = V11.Id(await org.SeriesAsync(new { redemptionRange = $"{{\"dom\":[-1],\"dow\":[-1],\"hours\":[{otherHour}]}}" }));
        var code = await V11.IssuedCodeAsync(till, series, Mobile);
        V11.AssertRefused(await V11.RedeemAsync(till, code, Mobile), 729);
    }

    [Fact]
    public async Task A_coupon_past_its_fixed_expiry_date_gives_713()
    {
        var s = await IssuedAsync(new { expiryStrategyType = "FIXED_DATE", fixedExpiryDate = V11.Day(-1) });
        V11.AssertRefused(await V11.RedeemAsync(s.Till, s.Code, Mobile), 713);
    }

    [Fact]
    public async Task A_series_that_expired_after_issue_gives_712()
    {
        var s = await IssuedAsync(new { seriesCode = "EXP-1" });
        var update = await s.Org.Admin.PutAsJsonAsync($"/v2/coupon/series/{s.SeriesId}",
            new { seriesCode = "EXP-1", description = "Ten off", discountValue = 10, validTillDate = V11.Day(-1) });
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        V11.AssertRefused(await V11.RedeemAsync(s.Till, s.Code, Mobile), 712);
    }

    [Fact]
    public async Task An_organisation_requiring_transaction_numbers_gives_718_without_one()
    {
        var org = await TestOrg.CreateAsync(app);
        var settings = (await org.Store.GetOrganisationAsync(org.OrgId))!;
        await org.Store.UpdateOrganisationAsync(settings with { TransactionNumberRequired = true });
        await org.CustomerAsync(mobile: Mobile);
        var till = await org.TillAsync();
        var code = await V11.IssuedCodeAsync(till, V11.Id(await org.SeriesAsync()), Mobile);
        V11.AssertRefused(await V11.RedeemAsync(till, code, Mobile, number: ""), 718);
        V11.AssertRedeemed(await V11.RedeemAsync(till, code, Mobile, number: "bill-7"));
    }

    [Theory]
    [InlineData("50")]
    [InlineData("600")]
    [InlineData("-1")]
    [InlineData("lots")]
    public async Task A_bill_amount_outside_min_and_max_gives_733(string amount)
    {
        var s = await IssuedAsync(new { minBillAmount = 100, maxBillAmount = 500 });
        V11.AssertRefused(await V11.RedeemAsync(s.Till, s.Code, Mobile, amount: amount), 733);
        V11.AssertRedeemed(await V11.RedeemAsync(s.Till, s.Code, Mobile, amount: "200.50"));
    }

    [Fact]
    public async Task A_till_of_a_store_outside_redeemAtStore_gives_735()
    {
        var org = await TestOrg.CreateAsync(app);
        await org.CustomerAsync(mobile: Mobile);
        var otherTill = await org.TillAsync("till", "other");
        var stores = await (await org.Admin.GetAsync("/v2/stores")).Json();
        var mainId = stores["stores"]!.AsArray().Single(x => x!["code"]!.GetValue<string>() == "main")!["id"]!.GetValue<long>();
        var till = await org.TillAsync();
        var series = V11.Id(await org.SeriesAsync(new { redeemAtStore = $"[{mainId}]" }));
        var code = await V11.IssuedCodeAsync(till, series, Mobile);
        V11.AssertRefused(await V11.RedeemAsync(otherTill, code, Mobile), 735);
        V11.AssertRedeemed(await V11.RedeemAsync(till, code, Mobile));
    }

    [Theory]
    [InlineData("MARKED", false, 740)]
    [InlineData("CONFIRMED", false, 750)]
    [InlineData("NONE", true, 742)]
    public async Task A_customer_marked_fraud_or_blocked_after_issue_is_refused(string fraudStatus, bool blocked, int expected)
    {
        var s = await IssuedAsync();
        await V11.SetCustomerStatusAsync(s.Org, s.CustomerId, fraudStatus, blocked);
        V11.AssertRefused(await V11.RedeemAsync(s.Till, s.Code, Mobile), expected);
    }

    [Fact]
    public async Task A_coupon_named_by_id_is_redeemed()
    {
        var s = await IssuedAsync();
        var got = await V11.GetAsync(s.Till, $"/v1.1/coupon/get?format=json&code={s.Code}");
        var id = V11.Text(got.Item["id"]);
        var answer = await V11.PostAsync(s.Till, "/v1.1/coupon/redeem?format=json",
            V11.Root(new JsonObject { ["id"] = id, ["customer"] = V11.Customer(Mobile), ["transaction"] = new JsonObject { ["number"] = "b-1" } }));
        V11.AssertRedeemed(answer);
        V11.AssertRefused(await V11.RedeemAsync(s.Till, s.Code, Mobile), 711);
    }
}
