using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Coupons.Server.Tests;

public sealed class V2ApiTests_Sqlite(SqliteApp app) : V2ApiTests<SqliteApp>(app);
public sealed class V2ApiTests_Postgres(PostgresApp app) : V2ApiTests<PostgresApp>(app);

public abstract class V2ApiTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    static readonly string[] CouponConfigFields =
    [
        "customPropertyMap", "id", "description", "discountCode", "info", "discountUpto", "discountValue", "issueToLoyalty",
        "numUploadedNonIssued", "numUploadedTotal", "redemptionValidAfterDays", "ownerId", "ownerValidity", "alphaNumeric",
        "shortCodeLength", "randomCodeLength", "fixedExpiryDate", "numTotal", "latestIssualTime", "latestRedemptionTime",
        "discountOn", "discountType", "externalIssual", "updateProductData",
    ];

    static readonly object ManyPerCustomer = new { isMultipleVouchersPerUserAllowed = true };

    static async Task<(HttpResponseMessage Response, JsonNode Body)> PostAsync(HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body);
        return (response, await response.Json());
    }

    static async Task<(HttpResponseMessage Response, JsonNode Body)> GetAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        return (response, await response.Json());
    }

    static long Id(JsonObject series) => series["id"]!.GetValue<long>();

    static async Task<List<string>> IssueCodesAsync(HttpClient till, long seriesId, string mobile, int count)
    {
        var (response, body) = await PostAsync(till, "/v2/coupon/issue/multiple", new { seriesId, count, customer = new { mobile } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return body["coupons"]!.AsArray().Select(c => c!["code"]!.GetValue<string>()).ToList();
    }

    static object Redemption(IEnumerable<string> codes, string mobile) => new
    {
        redemptionRequestList = codes.Select(code => new { code }).ToArray(),
        transactionNumber = "T-" + Guid.NewGuid().ToString("N")[..8],
        billAmount = 100,
        user = new { mobile },
    };

    // ---- issue/multiple --------------------------------------------------------------------

    [Fact]
    public async Task Issue_multiple_by_mobile_email_and_externalId_answers_the_spec_example_shape()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true, description = "IKEA - 500KW Voucher", discountValue = 500, smsTemplate = "{{voucher}}" });
        var customerId = await org.CustomerAsync(mobile: "11223569865", email: "abijith@example.com", externalId: "3873472");

        foreach (var customer in new object[] { new { mobile = "11223569865" }, new { email = "abijith@example.com" }, new { externalId = "3873472" } })
        {
            var (response, body) = await PostAsync(till, "/v2/coupon/issue/multiple", new { seriesId = Id(series), count = 2, customer });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(
                ["coupons", "couponConfig", "totalCount", "failureCount", "successCount", "customer", "errors", "warnings"],
                body.AsObject().Select(p => p.Key));
            var coupons = body["coupons"]!.AsArray();
            Assert.Equal(2, coupons.Count);
            foreach (var c in coupons)
            {
                Assert.Equal(["code", "couponId"], c!.AsObject().Select(p => p.Key));
                Assert.False(string.IsNullOrEmpty(c["code"]!.GetValue<string>()));
                Assert.True(c["couponId"]!.GetValue<long>() > 0);
            }
            var config = body["couponConfig"]!.AsObject();
            Assert.Equal(CouponConfigFields.Order(), config.Select(p => p.Key).Order());
            Assert.Equal(Id(series), config["id"]!.GetValue<long>());
            Assert.Equal("IKEA - 500KW Voucher", config["description"]!.GetValue<string>());
            Assert.Equal(500m, config["discountValue"]!.GetValue<decimal>());
            Assert.Equal(0, config["fixedExpiryDate"]!.GetValue<long>());
            Assert.Equal("BILL", config["discountOn"]!.GetValue<string>());
            Assert.Equal("ABS", config["discountType"]!.GetValue<string>());
            Assert.False(config["alphaNumeric"]!.GetValue<bool>());
            Assert.Empty(config["customPropertyMap"]!.AsObject());
            Assert.Equal(2, body["totalCount"]!.GetValue<int>());
            Assert.Equal(0, body["failureCount"]!.GetValue<int>());
            Assert.Equal(2, body["successCount"]!.GetValue<int>());
            Assert.Equal(customerId, body["customer"]!["id"]!.GetValue<long>());
            var profile = body["customer"]!["profiles"]![0]!;
            Assert.Equal(customerId, profile["userId"]!.GetValue<long>());
            Assert.Contains(profile["identifiers"]!.AsArray(), i => i!["type"]!.GetValue<string>() == "mobile" && i["value"]!.GetValue<string>() == "11223569865");
            Assert.Empty(body["errors"]!.AsArray());
            Assert.Empty(body["warnings"]!.AsArray());
        }
    }

    [Theory]
    [InlineData(501, 677, "Invalid coupon count. Minimum 1 and Maximum 500.")]
    [InlineData(0, 756, "count should be greater than 0")]
    [InlineData(-1, 756, "count should be greater than 0")]
    public async Task A_count_over_500_gets_677_and_one_under_1_the_spec_examples_756(int count, int code, string message)
    {
        var org = await TestOrg.CreateAsync(app);
        var series = await org.SeriesAsync(ManyPerCustomer);
        await org.CustomerAsync(mobile: "900001");
        var (response, body) = await PostAsync(await org.TillAsync(), "/v2/coupon/issue/multiple", new { seriesId = Id(series), count, customer = new { mobile = "900001" } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, body.ErrorCode());
        Assert.Equal(message, body["errors"]![0]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_series_gets_707_a_missing_one_756_and_an_unknown_customer_701()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync();
        await org.CustomerAsync(mobile: "900002");

        var (unknownSeries, body) = await PostAsync(till, "/v2/coupon/issue/multiple", new { seriesId = 987654321, count = 1, customer = new { mobile = "900002" } });
        Assert.Equal(HttpStatusCode.BadRequest, unknownSeries.StatusCode);
        Assert.Equal(707, body.ErrorCode());
        Assert.Null(body["coupons"]);

        var (missing, missingBody) = await PostAsync(till, "/v2/coupon/issue/multiple", new { count = 1, customer = new { mobile = "900002" } });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(756, missingBody.ErrorCode());
        Assert.Equal("seriesId is mandatory to set", missingBody["errors"]![0]!["message"]!.GetValue<string>());

        var (unknownCustomer, customerBody) = await PostAsync(till, "/v2/coupon/issue/multiple", new { seriesId = Id(series), count = 1, customer = new { mobile = "000000" } });
        Assert.Equal(HttpStatusCode.NotFound, unknownCustomer.StatusCode);
        Assert.Equal(701, customerBody.ErrorCode());
        Assert.False(customerBody["errors"]![0]!["status"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Metadata_longer_than_the_spec_allows_gets_400_and_issues_nothing()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync(ManyPerCustomer);
        var customerId = await org.CustomerAsync(mobile: "900003");
        var (response, body) = await PostAsync(till, "/v2/coupon/issue/multiple",
            new { seriesId = Id(series), customer = new { mobile = "900003" }, metadata = new { sourceType = new string('x', 51) } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(400, body.ErrorCode());
        Assert.Empty(await org.Store.ListCustomerCouponsAsync(org.OrgId, customerId));

        var (ok, _) = await PostAsync(till, "/v2/coupon/issue/multiple",
            new { seriesId = Id(series), customer = new { mobile = "900003" }, metadata = new { sourceType = new string('x', 50), notes = new string('n', 250) } });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Two_from_a_single_voucher_series_issue_one_and_report_5004()
    {
        var org = await TestOrg.CreateAsync(app);
        var series = await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = false });
        await org.CustomerAsync(mobile: "900004");
        var (response, body) = await PostAsync(await org.TillAsync(), "/v2/coupon/issue/multiple", new { seriesId = Id(series), count = 2, customer = new { mobile = "900004" } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(body["coupons"]!.AsArray());
        Assert.Equal(2, body["totalCount"]!.GetValue<int>());
        Assert.Equal(1, body["successCount"]!.GetValue<int>());
        Assert.Equal(1, body["failureCount"]!.GetValue<int>());
        Assert.Equal(5004, body.ErrorCode());
        Assert.False(body["errors"]![0]!["status"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Two_from_a_single_voucher_series_that_resends_do_not_count_the_new_coupon_twice()
    {
        var org = await TestOrg.CreateAsync(app);
        var series = await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = false, doNotResendExistingVoucher = false });
        await org.CustomerAsync(mobile: "900005");
        var (_, body) = await PostAsync(await org.TillAsync(), "/v2/coupon/issue/multiple", new { seriesId = Id(series), count = 2, customer = new { mobile = "900005" } });
        Assert.Single(body["coupons"]!.AsArray());
        Assert.Equal(1, body["successCount"]!.GetValue<int>());
        Assert.Equal(5004, body.ErrorCode());
    }

    [Fact]
    public async Task Several_series_ids_issue_from_each_and_add_up_the_counts()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var first = await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true, description = "first" });
        var second = await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true, description = "second" });
        var customerId = await org.CustomerAsync(mobile: "900006");

        var (response, body) = await PostAsync(till, "/v2/coupon/issue/multiple", new { seriesId = new[] { Id(first), Id(second) }, count = 2, customer = new { mobile = "900006" } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(4, body["coupons"]!.AsArray().Count);
        Assert.Equal(4, body["totalCount"]!.GetValue<int>());
        Assert.Equal(4, body["successCount"]!.GetValue<int>());
        Assert.Equal(Id(first), body["couponConfig"]!["id"]!.GetValue<long>());

        var (named, namedBody) = await PostAsync(till, "/v2/coupon/issue/multiple", new { seriesIds = new[] { Id(second) }, count = 1, customer = new { mobile = "900006" } });
        Assert.Equal(HttpStatusCode.OK, named.StatusCode);
        Assert.Equal(Id(second), namedBody["couponConfig"]!["id"]!.GetValue<long>());

        var held = await org.Store.ListCustomerCouponsAsync(org.OrgId, customerId);
        Assert.Equal(2, held.Count(d => d.Coupon.SeriesId == Id(first)));
        Assert.Equal(3, held.Count(d => d.Coupon.SeriesId == Id(second)));
    }

    // ---- customers/{id}/coupons ------------------------------------------------------------

    [Fact]
    public async Task A_customers_coupons_are_listed_with_the_full_entity()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true, isMultipleUseAllowed = true, redemptionPerCouponMaxLimit = 5, description = "UAT" });
        var customerId = await org.CustomerAsync(mobile: "900010");
        var codes = await IssueCodesAsync(till, Id(series), "900010", 2);
        var (redeemed, _) = await PostAsync(till, "/v2/coupon/bulk/redeem", Redemption([codes[0]], "900010"));
        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);

        var (response, body) = await GetAsync(till, $"/v2/customers/{customerId}/coupons");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body["success"]!.GetValue<bool>());
        Assert.Empty(body["errors"]!.AsArray());
        Assert.Empty(body["warnings"]!.AsArray());
        var entity = body["entity"]!.AsArray();
        Assert.Equal(2, entity.Count);
        var used = entity.Single(e => e!["code"]!.GetValue<string>() == codes[0])!;
        var fresh = entity.Single(e => e!["code"]!.GetValue<string>() == codes[1])!;
        Assert.Equal(series["seriesCode"]!.GetValue<string>(), used["series"]!["seriesCode"]!.GetValue<string>());
        Assert.Equal(Id(series), used["seriesId"]!.GetValue<long>());
        Assert.Equal(700, used["status"]!["code"]!.GetValue<int>());
        Assert.Equal(700, used["status"]!["statusCode"]!["code"]!.GetValue<int>());
        Assert.Equal(200, used["couponStatus"]!["code"]!.GetValue<int>());
        Assert.Equal(4, used["redemptionsLeft"]!.GetValue<int>());
        Assert.Equal(5, fresh["redemptionsLeft"]!.GetValue<int>());
        Assert.True(used["isRedeemed"]!.GetValue<bool>());
        Assert.False(fresh["redeemed"]!.GetValue<bool>());
        Assert.Single(used["redemptionInfo"]!.AsArray());
        Assert.Equal("main", used["redemptionInfo"]![0]!["storeCode"]!.GetValue<string>());
        Assert.Empty(used["reversedRedemptionInfo"]!.AsArray());
        Assert.Equal("STORE", used["issuedAt"]!["type"]!.GetValue<string>());
        Assert.Equal("main", used["issuedAt"]!["code"]!.GetValue<string>());
        Assert.Equal(customerId, used["issuedTo"]!.GetValue<long>());
        Assert.Equal(org.OrgId, used["orgId"]!.GetValue<long>());
        Assert.Equal("UAT", used["seriesName"]!.GetValue<string>());
        Assert.True(used["discountType"]!.GetValue<bool>());
        Assert.Equal("ABS", used["couponDiscountType"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", used["issuedOn"]!.GetValue<string>());
        Assert.Equal(10.0, used["discountValueAsDouble"]!.GetValue<double>());
    }

    [Fact]
    public async Task The_series_in_a_listing_follows_every_change_to_the_series()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync(new { seriesCode = "L1", description = "before" });
        var customerId = await org.CustomerAsync(mobile: "900012");
        await org.CustomerAsync(mobile: "900013");
        await IssueCodesAsync(till, Id(series), "900012", 1);
        var first = (await GetAsync(till, $"/v2/customers/{customerId}/coupons")).Body["entity"]![0]!["series"]!;
        Assert.Equal("before", first["description"]!.GetValue<string>());
        Assert.Equal(1, first["numIssued"]!.GetValue<int>());

        var update = await org.Admin.PutAsJsonAsync($"/v2/coupon/series/{Id(series)}", new { seriesCode = "L1", description = "after" });
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        await IssueCodesAsync(till, Id(series), "900013", 1);

        var coupon = (await GetAsync(till, $"/v2/customers/{customerId}/coupons")).Body["entity"]!.AsArray().Single()!;
        Assert.Equal("after", coupon["series"]!["description"]!.GetValue<string>());
        Assert.Equal(2, coupon["series"]!["numIssued"]!.GetValue<int>());
        Assert.Equal("after", coupon["seriesName"]!.GetValue<string>());
    }

    [Fact]
    public async Task More_listings_at_once_than_run_together_are_each_answered_in_full()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true });
        var customerId = await org.CustomerAsync(mobile: "900014");
        var codes = await IssueCodesAsync(till, Id(series), "900014", 30);

        // Several times the number of listings built at once (twice the cores): the rest wait their turn.
        var n = Environment.ProcessorCount * 8;
        var answers = await Task.WhenAll(Enumerable.Range(0, n).Select(_ => GetAsync(till, $"/v2/customers/{customerId}/coupons")));
        foreach (var (response, body) in answers)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(codes.Order(), body["entity"]!.AsArray().Select(e => e!["code"]!.GetValue<string>()).Order());
        }
    }

    [Fact]
    public async Task Coupon_code_case_changes_only_how_the_code_is_written()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync(new { seriesType = "GENERIC", generic = "MiXed10" });
        var customerId = await org.CustomerAsync(mobile: "900011");
        await IssueCodesAsync(till, Id(series), "900011", 1);

        async Task<string> CodeAsync(string query) =>
            (await GetAsync(till, $"/v2/customers/{customerId}/coupons{query}")).Body["entity"]![0]!["code"]!.GetValue<string>();
        Assert.Equal("MIXED10", await CodeAsync(""));
        Assert.Equal("mixed10", await CodeAsync("?coupon_code_case=LOWER"));
        Assert.Equal("mixed10", await CodeAsync("?coupon_code_case=lower"));
        Assert.Equal("MiXed10", await CodeAsync("?coupon_code_case=AS_IT_IS"));
        Assert.Equal("MIXED10", await CodeAsync("?coupon_code_case=UPPER"));
        var (bad, _) = await GetAsync(till, $"/v2/customers/{customerId}/coupons?coupon_code_case=TITLE");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Customer_coupons_answer_404_for_unknown_customers_customers_without_coupons_and_other_orgs()
    {
        var org = await TestOrg.CreateAsync(app);
        var other = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await other.SeriesAsync();
        var outsider = await other.CustomerAsync(mobile: "900012");
        await IssueCodesAsync(await other.TillAsync(), Id(series), "900012", 1);
        var empty = await org.CustomerAsync(mobile: "900013");

        var (unknown, unknownBody) = await GetAsync(till, "/v2/customers/987654321/coupons");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(701, unknownBody.ErrorCode());

        var (none, noneBody) = await GetAsync(till, $"/v2/customers/{empty}/coupons");
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.StartsWith("NO_COUPONS_FOUND", noneBody["errors"]![0]!["message"]!.GetValue<string>());

        var (foreign, foreignBody) = await GetAsync(till, $"/v2/customers/{outsider}/coupons");
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(701, foreignBody.ErrorCode());
        Assert.Equal(HttpStatusCode.OK, (await (await other.TillAsync()).GetAsync($"/v2/customers/{outsider}/coupons")).StatusCode);

        foreach (var bad in new[] { "abc", "-5", "0" })
        {
            var (response, body) = await GetAsync(till, $"/v2/customers/{bad}/coupons");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.StartsWith("INVALID_CUSTOMER_ID", body["errors"]![0]!["message"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_customer_with_1000_coupons_gets_them_all()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true, maxCreate = -1 });
        var customerId = await org.CustomerAsync(mobile: "900014");
        Assert.Equal(500, (await IssueCodesAsync(till, Id(series), "900014", 500)).Count);
        Assert.Equal(500, (await IssueCodesAsync(till, Id(series), "900014", 500)).Count);
        var (response, body) = await GetAsync(till, $"/v2/customers/{customerId}/coupons");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1000, body["entity"]!.AsArray().Count);
    }

    // ---- bulk/redeem, is_redeemable, reverse -----------------------------------------------

    [Fact]
    public async Task A_batch_of_100_where_the_57th_fails_redeems_nothing()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync(ManyPerCustomer);
        var customerId = await org.CustomerAsync(mobile: "900020");
        var codes = await IssueCodesAsync(till, Id(series), "900020", 100);
        var (first, _) = await PostAsync(till, "/v2/coupon/bulk/redeem", Redemption([codes[56]], "900020"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        var (response, body) = await PostAsync(till, "/v2/coupon/bulk/redeem", Redemption(codes, "900020"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var items = body["redemptionResponseList"]!.AsArray();
        Assert.Equal(100, items.Count);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(codes[i], items[i]!["code"]!.GetValue<string>());
            Assert.False(items[i]!["isRedeemed"]!.GetValue<bool>());
            Assert.Null(items[i]!["redemptionId"]);
            Assert.Equal(i == 56 ? 711 : 749, items[i]!["errors"]![0]!["code"]!.GetValue<int>());
        }
        Assert.Equal(711, body.ErrorCode());

        var others = codes.Where((_, i) => i != 56).ToList();
        var (check, checkBody) = await GetAsync(till, $"/v2/coupon/is_redeemable?mobile=900020&code={string.Join(',', others)}");
        Assert.Equal(HttpStatusCode.OK, check.StatusCode);
        Assert.Equal(99, checkBody["coupons"]!.AsArray().Count);
        Assert.All(checkBody["coupons"]!.AsArray(), c => Assert.True(c!["isRedeemable"]!.GetValue<bool>()));

        var listing = (await GetAsync(till, $"/v2/customers/{customerId}/coupons")).Body["entity"]!.AsArray();
        Assert.All(listing.Where(e => e!["code"]!.GetValue<string>() != codes[56]), e => Assert.Empty(e!["redemptionInfo"]!.AsArray()));
        Assert.Single(listing.Single(e => e!["code"]!.GetValue<string>() == codes[56])!["redemptionInfo"]!.AsArray());
        Assert.Equal(1, (await (await org.Admin.GetAsync($"/v2/coupon/series/{Id(series)}")).Json())["numRedeemed"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_batch_of_101_codes_or_none_gets_629()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync(ManyPerCustomer);
        await org.CustomerAsync(mobile: "900021");
        var codes = await IssueCodesAsync(till, Id(series), "900021", 101);

        var (tooMany, body) = await PostAsync(till, "/v2/coupon/bulk/redeem", Redemption(codes, "900021"));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal(629, body.ErrorCode());
        var (none, noneBody) = await PostAsync(till, "/v2/coupon/bulk/redeem", Redemption([], "900021"));
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        Assert.Equal(629, noneBody.ErrorCode());

        var (hundred, _) = await PostAsync(till, "/v2/coupon/bulk/redeem", Redemption(codes.Take(100), "900021"));
        Assert.Equal(HttpStatusCode.OK, hundred.StatusCode);
    }

    [Fact]
    public async Task Redeem_reverse_and_redeem_again_a_single_use_coupon_keeps_numRedeemed_at_the_live_count()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync();
        var customerId = await org.CustomerAsync(mobile: "900022");
        var code = (await IssueCodesAsync(till, Id(series), "900022", 1)).Single();
        async Task<int> NumRedeemedAsync() => (await (await org.Admin.GetAsync($"/v2/coupon/series/{Id(series)}")).Json())["numRedeemed"]!.GetValue<int>();

        var (redeemed, body) = await PostAsync(till, "/v2/coupon/bulk/redeem", Redemption([code], "900022"));
        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        var item = body["redemptionResponseList"]![0]!;
        Assert.True(item["isRedeemed"]!.GetValue<bool>());
        Assert.Empty(item["errors"]!.AsArray());
        var redemptionId = item["redemptionId"]!.GetValue<long>();
        Assert.Equal(1, await NumRedeemedAsync());

        var (again, againBody) = await PostAsync(till, "/v2/coupon/bulk/redeem", Redemption([code], "900022"));
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal(711, againBody["redemptionResponseList"]![0]!["errors"]![0]!["code"]!.GetValue<int>());

        var (reversed, reversedBody) = await PostAsync(till, "/v2/coupon/redemption/reverse", new { redemptionIds = new[] { redemptionId } });
        Assert.Equal(HttpStatusCode.OK, reversed.StatusCode);
        Assert.True(reversedBody["success"]!.GetValue<bool>());
        Assert.Equal(redemptionId, reversedBody["reversedRedemptionIds"]![0]!.GetValue<long>());
        Assert.Equal(0, await NumRedeemedAsync());

        var (redeemedAgain, _) = await PostAsync(till, "/v2/coupon/bulk/redeem", Redemption([code], "900022"));
        Assert.Equal(HttpStatusCode.OK, redeemedAgain.StatusCode);
        Assert.Equal(1, await NumRedeemedAsync());

        var entity = (await GetAsync(till, $"/v2/customers/{customerId}/coupons")).Body["entity"]![0]!;
        Assert.Single(entity["redemptionInfo"]!.AsArray());
        Assert.Equal(redemptionId, entity["reversedRedemptionInfo"]![0]!["redemptionId"]!.GetValue<long>());
        Assert.NotNull(entity["reversedRedemptionInfo"]![0]!["reversedOn"]);
        Assert.Equal(0, entity["redemptionsLeft"]!.GetValue<int>());
    }

    [Fact]
    public async Task Reverse_needs_ids_661_and_refuses_all_when_one_is_not_live_510()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync();
        var customerId = await org.CustomerAsync(mobile: "900023");
        var code = (await IssueCodesAsync(till, Id(series), "900023", 1)).Single();
        var redemptionId = (await PostAsync(till, "/v2/coupon/bulk/redeem", Redemption([code], "900023"))).Body["redemptionResponseList"]![0]!["redemptionId"]!.GetValue<long>();

        var (empty, emptyBody) = await PostAsync(till, "/v2/coupon/redemption/reverse", new { redemptionIds = Array.Empty<long>() });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(661, emptyBody.ErrorCode());
        var (missing, missingBody) = await PostAsync(till, "/v2/coupon/redemption/reverse", new { });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(661, missingBody.ErrorCode());

        var (unknown, unknownBody) = await PostAsync(till, "/v2/coupon/redemption/reverse", new { redemptionIds = new[] { 987654321L } });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(510, unknownBody.ErrorCode());

        var (mixed, mixedBody) = await PostAsync(till, "/v2/coupon/redemption/reverse", new { redemptionIds = new[] { redemptionId, 987654321L } });
        Assert.Equal(HttpStatusCode.BadRequest, mixed.StatusCode);
        Assert.Equal(510, mixedBody.ErrorCode());
        var entity = (await GetAsync(till, $"/v2/customers/{customerId}/coupons")).Body["entity"]![0]!;
        Assert.Single(entity["redemptionInfo"]!.AsArray());
        Assert.Empty(entity["reversedRedemptionInfo"]!.AsArray());
        Assert.Equal(1, (await (await org.Admin.GetAsync($"/v2/coupon/series/{Id(series)}")).Json())["numRedeemed"]!.GetValue<int>());
    }

    [Fact]
    public async Task Is_redeemable_answers_per_code_shows_the_series_only_with_details_and_changes_nothing()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync();
        var customerId = await org.CustomerAsync(mobile: "900024");
        var code = (await IssueCodesAsync(till, Id(series), "900024", 1)).Single();

        var (response, body) = await GetAsync(till, $"/v2/coupon/is_redeemable?mobile=900024&code={code},NOPE123");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var coupons = body["coupons"]!.AsArray();
        Assert.True(coupons[0]!["isRedeemable"]!.GetValue<bool>());
        Assert.Empty(coupons[0]!["errors"]!.AsArray());
        Assert.Null(coupons[0]!["series"]);
        Assert.False(coupons[1]!["isRedeemable"]!.GetValue<bool>());
        Assert.Equal(702, coupons[1]!["errors"]![0]!["code"]!.GetValue<int>());

        var detailed = (await GetAsync(till, $"/v2/coupon/is_redeemable?id={customerId}&code={code}&details=true")).Body;
        Assert.Equal(series["seriesCode"]!.GetValue<string>(), detailed["coupons"]![0]!["series"]!["seriesCode"]!.GetValue<string>());

        Assert.Empty((await GetAsync(till, $"/v2/customers/{customerId}/coupons")).Body["entity"]![0]!["redemptionInfo"]!.AsArray());
        var (noCodes, noCodesBody) = await GetAsync(till, "/v2/coupon/is_redeemable?mobile=900024");
        Assert.Equal(HttpStatusCode.BadRequest, noCodes.StatusCode);
        Assert.Equal(629, noCodesBody.ErrorCode());
    }

    // ---- PUT coupon/redeem -----------------------------------------------------------------

    static async Task<(HttpResponseMessage Response, JsonNode Body)> PutAsync(HttpClient client, string path, object body)
    {
        var response = await client.PutAsJsonAsync(path, body);
        return (response, await response.Json());
    }

    [Fact]
    public async Task Put_redeem_attaches_the_transaction_bill_and_custom_fields_to_an_earlier_redemption()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync(new { maxBillAmount = 1000 });
        var customerId = await org.CustomerAsync(mobile: "900031");
        var code = (await IssueCodesAsync(till, Id(series), "900031", 1)).Single();
        var redeem = await PostAsync(till, "/v2/coupon/bulk/redeem", new { redemptionRequestList = new[] { new { code } }, user = new { mobile = "900031" } });
        var redemptionId = redeem.Body["redemptionResponseList"]![0]!["redemptionId"]!.GetValue<long>();

        var (first, firstBody) = await PutAsync(till, "/v2/coupon/redeem", new
        {
            redemptionId,
            transactionNumber = "BILL-77",
            billAmount = 249.5m,
            customFields = new { cashier = "Ann", lane = 4 },
        });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(redemptionId, firstBody["redemptionId"]!.GetValue<long>());
        Assert.Equal(code, firstBody["code"]!.GetValue<string>());
        Assert.Equal("4", firstBody["customFields"]!["lane"]!.GetValue<string>());

        // A later call changes only what it names: the list form replaces one field and adds another.
        var (second, secondBody) = await PutAsync(till, "/v2/coupon/redeem", new
        {
            redemptionId,
            customFields = new[] { new { name = "cashier", value = "Bob" }, new { name = "channel", value = "pos" } },
        });
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("BILL-77", secondBody["transactionNumber"]!.GetValue<string>());
        Assert.Equal(249.5m, secondBody["billAmount"]!.GetValue<decimal>());
        Assert.Equal("Bob", secondBody["customFields"]!["cashier"]!.GetValue<string>());
        Assert.Equal("pos", secondBody["customFields"]!["channel"]!.GetValue<string>());
        Assert.Equal("4", secondBody["customFields"]!["lane"]!.GetValue<string>());

        var info = (await GetAsync(till, $"/v2/customers/{customerId}/coupons")).Body["entity"]![0]!["redemptionInfo"]![0]!;
        Assert.Equal("BILL-77", info["transactionNumber"]!.GetValue<string>());
        Assert.Equal(249.5m, info["billAmount"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Put_redeem_refuses_a_missing_id_661_a_reversed_or_foreign_redemption_510_and_a_bill_outside_the_series_733()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync(new { maxBillAmount = 1000, isMultipleUseAllowed = true, sameUserMultipleRedeem = true });
        await org.CustomerAsync(mobile: "900032");
        var code = (await IssueCodesAsync(till, Id(series), "900032", 1)).Single();
        async Task<long> RedeemAsync() => (await PostAsync(till, "/v2/coupon/bulk/redeem",
            new { redemptionRequestList = new[] { new { code } }, user = new { mobile = "900032" } })).Body["redemptionResponseList"]![0]!["redemptionId"]!.GetValue<long>();
        var live = await RedeemAsync();
        var reversed = await RedeemAsync();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(till, "/v2/coupon/redemption/reverse", new { redemptionIds = new[] { reversed } })).Response.StatusCode);

        Assert.Equal(661, (await PutAsync(till, "/v2/coupon/redeem", new { transactionNumber = "T1" })).Body.ErrorCode());
        Assert.Equal(510, (await PutAsync(till, "/v2/coupon/redeem", new { redemptionId = reversed, transactionNumber = "T1" })).Body.ErrorCode());
        Assert.Equal(510, (await PutAsync(till, "/v2/coupon/redeem", new { redemptionId = 987654321L, transactionNumber = "T1" })).Body.ErrorCode());
        var (over, overBody) = await PutAsync(till, "/v2/coupon/redeem", new { redemptionId = live, billAmount = 5000 });
        Assert.Equal(HttpStatusCode.BadRequest, over.StatusCode);
        Assert.Equal(733, overBody.ErrorCode());
        Assert.Equal(400, (await PutAsync(till, "/v2/coupon/redeem", new { redemptionId = live })).Body.ErrorCode());
        Assert.Equal(400, (await PutAsync(till, "/v2/coupon/redeem", new { redemptionId = live, customFields = new[] { 1, 2 } })).Body.ErrorCode());

        var stranger = await TestOrg.CreateAsync(app);
        var (foreign, foreignBody) = await PutAsync(stranger.Admin, "/v2/coupon/redeem", new { redemptionId = live, transactionNumber = "STOLEN" });
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.Equal(510, foreignBody.ErrorCode());
        var (unchanged, unchangedBody) = await PutAsync(till, "/v2/coupon/redeem", new { redemptionId = live, customFields = new { note = "x" } });
        Assert.Equal(HttpStatusCode.OK, unchanged.StatusCode);
        Assert.Null(unchangedBody["transactionNumber"]);
    }
}
