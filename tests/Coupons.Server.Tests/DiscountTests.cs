using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Coupons.Server.Tests;

public sealed class DiscountTests_Sqlite(SqliteApp app) : DiscountTests<SqliteApp>(app);
public sealed class DiscountTests_Postgres(PostgresApp app) : DiscountTests<PostgresApp>(app);

/// <summary>The discount a bill gets (issue #18), through v1.1 (JSON and XML) and v2, stored with the redemption and shown
/// by customer coupons, PUT coupon/redeem and reversals.</summary>
public abstract class DiscountTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    const string Mobile = "447700900300";

    sealed record Setup(TestOrg Org, HttpClient Till, long CustomerId, long SeriesId);

    async Task<Setup> SeriesAsync(object fields, int? currencyDecimals = null)
    {
        var org = await TestOrg.CreateAsync(app);
        if (currencyDecimals is { } d)
            Assert.Equal(HttpStatusCode.OK, (await org.Admin.PutAsJsonAsync("/v2/organisation", new { currencyDecimals = d })).StatusCode);
        var customerId = await org.CustomerAsync(mobile: Mobile);
        var till = await org.TillAsync();
        return new Setup(org, till, customerId, V11.Id(await org.SeriesAsync(fields)));
    }

    static decimal Dec(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s)
        ? decimal.Parse(s, CultureInfo.InvariantCulture)
        : node!.GetValue<decimal>();

    /// <summary>The discounts stored with the customer's redemptions, by redemption id, as customer coupons lists them.</summary>
    static async Task<Dictionary<long, decimal?>> ListedDiscountsAsync(Setup s)
    {
        var body = await (await s.Till.GetAsync($"/v2/customers/{s.CustomerId}/coupons")).Json();
        return body["entity"]!.AsArray()
            .SelectMany(c => c!["redemptionInfo"]!.AsArray().Concat(c["reversedRedemptionInfo"]?.AsArray() ?? []))
            .ToDictionary(r => r!["redemptionId"]!.GetValue<long>(), r => r!["discountAmount"] is { } d ? Dec(d) : (decimal?)null);
    }

    // ---- v1.1 ------------------------------------------------------------------------------

    [Theory]
    [InlineData("ABS", 25, 0, "1000", "25")]        // below the bill: its value
    [InlineData("ABS", 25, 0, "10", "10")]          // above the bill: the bill
    [InlineData("PERC", 15, 0, "200", "30")]        // no cap
    [InlineData("PERC", 15, 20, "200", "20")]       // capped
    [InlineData("PERC", 15, 50, "200", "30")]       // cap above the share
    [InlineData("PERC", 12.5, 0, "9.96", "1.25")]   // 1.245, half away from zero (to even: 1.24)
    public async Task V11_redeem_answers_and_stores_the_discount(string type, decimal value, decimal upto, string bill, string expected)
    {
        var s = await SeriesAsync(new { discountType = type, discountValue = value, discountUpto = upto });
        var code = await V11.IssuedCodeAsync(s.Till, s.SeriesId, Mobile);
        var answer = await V11.RedeemAsync(s.Till, code, Mobile, amount: bill);
        V11.AssertRedeemed(answer);
        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), Dec(answer.Item["discount_amount"]));
        var id = long.Parse(V11.Text(answer.Item["redemption_id"]), CultureInfo.InvariantCulture);
        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), (await ListedDiscountsAsync(s))[id]);
    }

    [Fact]
    public async Task V11_redeem_without_a_bill_amount_has_no_discount_and_stores_none()
    {
        var s = await SeriesAsync(new { discountType = "ABS", discountValue = 5 });
        var code = await V11.IssuedCodeAsync(s.Till, s.SeriesId, Mobile);
        var answer = await V11.RedeemAsync(s.Till, code, Mobile);
        V11.AssertRedeemed(answer);
        Assert.Null(answer.Item["discount_amount"]);
        Assert.Null((await ListedDiscountsAsync(s)).Single().Value);
    }

    [Fact]
    public async Task V11_redeem_refused_for_a_bill_outside_the_bounds_has_no_discount()
    {
        var s = await SeriesAsync(new { discountType = "PERC", discountValue = 10, minBillAmount = 100, maxBillAmount = 500 });
        var code = await V11.IssuedCodeAsync(s.Till, s.SeriesId, Mobile);
        foreach (var bill in new[] { "99.99", "500.01" })
        {
            var answer = await V11.RedeemAsync(s.Till, code, Mobile, amount: bill);
            V11.AssertRefused(answer, 733);
            Assert.Null(answer.Item["discount_amount"]);
        }
        var onBound = await V11.RedeemAsync(s.Till, code, Mobile, amount: "500");
        V11.AssertRedeemed(onBound);
        Assert.Equal(50m, Dec(onBound.Item["discount_amount"]));
    }

    [Fact]
    public async Task V11_redeem_in_xml_writes_the_discount_element()
    {
        var s = await SeriesAsync(new { discountType = "PERC", discountValue = 20, discountUpto = 15 });
        var code = await V11.IssuedCodeAsync(s.Till, s.SeriesId, Mobile);
        var xml = $"<root><coupon><code>{code}</code><customer><mobile>{Mobile}</mobile></customer>"
                  + "<transaction><number>bill-x1</number><amount>60</amount></transaction></coupon></root>";
        var response = await s.Till.PostAsync("/v1.1/coupon/redeem?format=xml", V11.XmlBody(xml));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var coupon = XDocument.Parse(body).Root!.Element("coupons")!.Element("coupon")!;
        Assert.Equal(12m, decimal.Parse(coupon.Element("discount_amount")!.Value, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task V11_isredeemable_answers_the_discount_of_its_bill_amount_in_json_and_xml()
    {
        var s = await SeriesAsync(new { discountType = "PERC", discountValue = 15, discountUpto = 20 });
        var code = await V11.IssuedCodeAsync(s.Till, s.SeriesId, Mobile);

        var capped = await V11.GetAsync(s.Till, $"/v1.1/coupon/isredeemable?format=json&mobile={Mobile}&code={code}&bill_amount=200");
        Assert.Equal("true", V11.Text(capped.Item["is_redeemable"]));
        Assert.Equal(20m, Dec(capped.Item["discount_amount"]));

        var share = await V11.GetAsync(s.Till, $"/v1.1/coupon/isredeemable?format=json&mobile={Mobile}&code={code}&bill_amount=100");
        Assert.Equal(15m, Dec(share.Item["discount_amount"]));

        var none = await V11.GetAsync(s.Till, $"/v1.1/coupon/isredeemable?format=json&mobile={Mobile}&code={code}");
        Assert.Equal("true", V11.Text(none.Item["is_redeemable"]));
        Assert.Null(none.Item["discount_amount"]);

        var xml = await s.Till.GetAsync($"/v1.1/coupon/isredeemable?format=xml&mobile={Mobile}&code={code}&bill_amount=40");
        var redeemable = XDocument.Parse(await xml.Content.ReadAsStringAsync()).Root!.Element("coupons")!.Element("redeemable")!;
        Assert.Equal(6m, decimal.Parse(redeemable.Element("discount_amount")!.Value, CultureInfo.InvariantCulture));

        // Nothing was redeemed by asking.
        Assert.Empty(await ListedDiscountsAsync(s));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1e40")]
    public async Task V11_isredeemable_refuses_a_bad_bill_amount_with_733(string bill)
    {
        var s = await SeriesAsync(new { discountType = "ABS", discountValue = 5 });
        var code = await V11.IssuedCodeAsync(s.Till, s.SeriesId, Mobile);
        var answer = await V11.GetAsync(s.Till, $"/v1.1/coupon/isredeemable?format=json&mobile={Mobile}&code={code}&bill_amount={bill}");
        Assert.Equal(HttpStatusCode.BadRequest, answer.Http);
        Assert.Equal("733", V11.Text(answer.Status["code"]));
        Assert.Contains("bill_amount", V11.Text(answer.Status["message"]));
    }

    // ---- v2 --------------------------------------------------------------------------------

    async Task<string> IssueV2Async(Setup s)
    {
        var response = await s.Till.PostAsJsonAsync("/v2/coupon/issue/multiple", new { seriesId = s.SeriesId, count = 1, customer = new { mobile = Mobile } });
        var body = await response.Json();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        return body["coupons"]![0]!["code"]!.GetValue<string>();
    }

    [Fact]
    public async Task V2_is_redeemable_answers_each_codes_discount_and_none_outside_the_bounds()
    {
        var s = await SeriesAsync(new { discountType = "ABS", discountValue = 30, minBillAmount = 20, isMultipleVouchersPerUserAllowed = true });
        var a = await IssueV2Async(s);
        var b = await IssueV2Async(s);

        var body = await (await s.Till.GetAsync($"/v2/coupon/is_redeemable?mobile={Mobile}&code={a},{b}&billAmount=25")).Json();
        var coupons = body["coupons"]!.AsArray();
        Assert.All(coupons, c => Assert.True(c!["isRedeemable"]!.GetValue<bool>(), body.ToJsonString()));
        Assert.All(coupons, c => Assert.Equal(25m, Dec(c!["discountAmount"])));  // 30 off a bill of 25: the bill

        var below = await (await s.Till.GetAsync($"/v2/coupon/is_redeemable?mobile={Mobile}&code={a}&billAmount=19.99")).Json();
        var item = below["coupons"]![0]!;
        Assert.False(item["isRedeemable"]!.GetValue<bool>());
        Assert.Equal(733, item["errors"]![0]!["code"]!.GetValue<int>());
        Assert.Null(item["discountAmount"]);

        var noBill = await (await s.Till.GetAsync($"/v2/coupon/is_redeemable?mobile={Mobile}&code={a}")).Json();
        Assert.Null(noBill["coupons"]![0]!["discountAmount"]);
    }

    [Fact]
    public async Task V2_bulk_redeem_answers_stores_and_reverses_each_discount()
    {
        var abs = await SeriesAsync(new { discountType = "ABS", discountValue = 150 });
        var perc = V11.Id(await abs.Org.SeriesAsync(new { discountType = "PERC", discountValue = 7.5, discountUpto = 0 }));
        var absCode = await IssueV2Async(abs);
        var percCode = await IssueV2Async(abs with { SeriesId = perc });

        var response = await abs.Till.PostAsJsonAsync("/v2/coupon/bulk/redeem", new
        {
            redemptionRequestList = new[] { new { code = absCode }, new { code = percCode } },
            transactionNumber = "T-bulk-1",
            billAmount = 123.30m,
            user = new { mobile = Mobile },
        });
        var body = await response.Json();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        var items = body["redemptionResponseList"]!.AsArray();
        Assert.Equal(123.30m, Dec(items[0]!["discountAmount"]));  // 150 off 123.30: the bill
        Assert.Equal(9.25m, Dec(items[1]!["discountAmount"]));    // 7.5 % of 123.30 = 9.2475 → 9.25
        var ids = items.Select(i => i!["redemptionId"]!.GetValue<long>()).ToArray();

        var listed = await ListedDiscountsAsync(abs);
        Assert.Equal(123.30m, listed[ids[0]]);
        Assert.Equal(9.25m, listed[ids[1]]);

        var reverse = await abs.Till.PostAsJsonAsync("/v2/coupon/redemption/reverse", new { redemptionIds = ids });
        var reversed = await reverse.Json();
        Assert.True(reverse.StatusCode == HttpStatusCode.OK, reversed.ToJsonString());
        var undone = reversed["reversedRedemptions"]!.AsArray().ToDictionary(r => r!["redemptionId"]!.GetValue<long>());
        Assert.Equal(123.30m, Dec(undone[ids[0]]!["discountAmount"]));
        Assert.Equal(9.25m, Dec(undone[ids[1]]!["discountAmount"]));
        Assert.Equal(percCode, undone[ids[1]]!["code"]!.GetValue<string>());
        // Reversed redemptions keep the discount they had in the listing.
        Assert.Equal(9.25m, (await ListedDiscountsAsync(abs))[ids[1]]);
    }

    [Fact]
    public async Task V2_bulk_redeem_refused_as_a_whole_gives_no_discount()
    {
        var s = await SeriesAsync(new { discountType = "ABS", discountValue = 5 });
        var code = await IssueV2Async(s);
        var response = await s.Till.PostAsJsonAsync("/v2/coupon/bulk/redeem", new
        {
            redemptionRequestList = new[] { new { code }, new { code = "NOSUCHCODE1" } },
            billAmount = 50,
            user = new { mobile = Mobile },
        });
        var body = await response.Json();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.All(body["redemptionResponseList"]!.AsArray(), i => Assert.Null(i!["discountAmount"]));
        Assert.Empty(await ListedDiscountsAsync(s));
    }

    [Fact]
    public async Task Put_coupon_redeem_with_a_new_bill_amount_computes_the_discount_again()
    {
        var s = await SeriesAsync(new { discountType = "PERC", discountValue = 10, discountUpto = 25 });
        var code = await V11.IssuedCodeAsync(s.Till, s.SeriesId, Mobile);
        var redeemed = await V11.RedeemAsync(s.Till, code, Mobile, amount: "100");
        Assert.Equal(10m, Dec(redeemed.Item["discount_amount"]));
        var id = long.Parse(V11.Text(redeemed.Item["redemption_id"]), CultureInfo.InvariantCulture);

        var response = await s.Till.PutAsJsonAsync("/v2/coupon/redeem", new { redemptionId = id, billAmount = 400 });
        var body = await response.Json();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        Assert.Equal(25m, Dec(body["discountAmount"]));  // 40, capped at 25
        Assert.Equal(25m, (await ListedDiscountsAsync(s))[id]);

        // Changing only the transaction number keeps the discount.
        var renamed = await (await s.Till.PutAsJsonAsync("/v2/coupon/redeem", new { redemptionId = id, transactionNumber = "T-2" })).Json();
        Assert.Equal(25m, Dec(renamed["discountAmount"]));
    }

    // ---- the organisation's currency -------------------------------------------------------

    [Theory]
    [InlineData(0, "1")]
    [InlineData(2, "1.25")]    // 1.245 half away from zero (to even: 1.24)
    [InlineData(3, "1.245")]
    public async Task The_discount_is_rounded_to_the_organisations_currency(int decimals, string expected)
    {
        var s = await SeriesAsync(new { discountType = "PERC", discountValue = 12.5 }, currencyDecimals: decimals);
        var code = await IssueV2Async(s);
        var body = await (await s.Till.GetAsync($"/v2/coupon/is_redeemable?mobile={Mobile}&code={code}&billAmount=9.96")).Json();
        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), Dec(body["coupons"]![0]!["discountAmount"]));
        var org = await (await s.Org.Admin.GetAsync("/v2/organisation")).Json();
        Assert.Equal(decimals, org["currencyDecimals"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(5)]
    public async Task Currency_decimals_outside_0_to_4_are_refused(int decimals)
    {
        var org = await TestOrg.CreateAsync(app);
        var response = await org.Admin.PutAsJsonAsync("/v2/organisation", new { currencyDecimals = decimals });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("currencyDecimals", (await response.Json())["errors"]![0]!["message"]!.GetValue<string>());
    }
}
