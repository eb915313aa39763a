using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Coupons.Server.Tests;

public abstract partial class ConsoleHttpTests<TApp>
{
    static string ErrorBeside(string html, string field) =>
        Regex.Match(html, $"<span class=\"error\" id=\"e-{field}\">([^<]*)</span>").Groups[1].Value;

    // ---- series form -----------------------------------------------------------------------

    [Fact]
    public async Task The_series_form_shows_the_APIs_codes_beside_the_field_and_keeps_what_was_typed()
    {
        var org = await TestOrg.CreateAsync(app);
        var existing = await org.SeriesAsync(new { seriesCode = "TAKEN" });
        var browser = await ConsoleBrowser.SignedInAsync(app, org.AdminTill, org.Password);
        var form = ConsoleBrowser.FormValues(await browser.GetHtmlAsync("/console/series/new"), "series-form");

        async Task<string> PostAsync(Dictionary<string, string> values) =>
            (await browser.PostFormAsync("/console/series/new", "/console/series/new", values)).Html;

        var typed = new Dictionary<string, string>(form) { ["seriesCode"] = "NEW-1", ["maxCreate"] = "ten", ["discountValue"] = "5,5", ["validTillDate"] = "31/12/2030", ["brands"] = "Acme, Zeta" };
        var html = await PostAsync(typed);
        Assert.Contains("whole number", ErrorBeside(html, "maxCreate"));
        Assert.Contains("amount", ErrorBeside(html, "discountValue"));
        Assert.Contains("yyyy-mm-dd", ErrorBeside(html, "validTillDate"));
        var kept = ConsoleBrowser.FormValues(html, "series-form");
        Assert.Equal(("NEW-1", "ten", "5,5", "31/12/2030", "Acme, Zeta"), (kept["seriesCode"], kept["maxCreate"], kept["discountValue"], kept["validTillDate"], kept["brands"]));

        // The API's own rules and codes: the same body answered by POST /v2/coupon/series.
        foreach (var (field, value, overrides) in new (string, string, object)[]
        {
            ("seriesCode", "", new { seriesCode = "" }),
            ("generic", "", new { seriesCode = "G-1", seriesType = "GENERIC" }),
            ("redemptionRange", "{\"hours\":[25]}", new { seriesCode = "R-1", redemptionRange = "{\"hours\":[25]}" }),
            ("minBillAmount", "-1", new { seriesCode = "B-1", minBillAmount = -1 }),
            ("seriesCode", "TAKEN", new { seriesCode = "TAKEN" }),
        })
        {
            var values = new Dictionary<string, string>(form) { [field] = value };
            foreach (var p in JsonSerializer(overrides)) values[p.Key] = p.Value;
            html = await PostAsync(values);
            var api = await org.Admin.PostAsJsonAsync("/v2/coupon/series", overrides);
            var apiCode = (await api.Json()).ErrorCode();
            var shown = ErrorBeside(html, field);
            Assert.StartsWith($"{apiCode}: ", shown);
            Assert.Equal(value, ConsoleBrowser.FormValues(html, "series-form")[field]);
        }
        Assert.Single(await org.Store.SearchSeriesAsync(org.OrgId, null, 0, 10));

        var created = await browser.PostFormAsync("/console/series/new", "/console/series/new",
            new Dictionary<string, string>(form) { ["seriesCode"] = "NEW-1", ["maxCreate"] = "10", ["discountValue"] = "5.5", ["validTillDate"] = "2030-12-31", ["brands"] = "Acme, Zeta" });
        Assert.Equal(HttpStatusCode.Redirect, created.Status);
        var id = long.Parse(Regex.Match(created.Location!, @"/console/series/(\d+)").Groups[1].Value);
        var stored = await (await org.Admin.GetAsync($"/v2/coupon/series/{id}")).Json();
        Assert.Equal(("NEW-1", 10, 5.5m, "2030-12-31T00:00:00Z"), (stored["seriesCode"]!.GetValue<string>(), stored["maxCreate"]!.GetValue<int>(),
            stored["discountValue"]!.GetValue<decimal>(), stored["validTillDate"]!.GetValue<string>()));
        Assert.Equal(["Acme", "Zeta"], stored["brands"]!.AsArray().Select(b => b!.GetValue<string>()));
        Assert.NotEqual(existing["id"]!.GetValue<long>(), id);
    }

    static IEnumerable<KeyValuePair<string, string>> JsonSerializer(object o) =>
        System.Text.Json.JsonSerializer.SerializeToNode(o)!.AsObject().Select(p => new KeyValuePair<string, string>(p.Key, p.Value!.ToString()));

    [Fact]
    public async Task Saving_the_edit_form_unchanged_keeps_every_field_of_a_series_made_through_the_API()
    {
        var org = await TestOrg.CreateAsync(app);
        var series = await org.SeriesAsync(new
        {
            seriesCode = "FULL",
            description = "Everything set",
            discountType = "PERC",
            discountValue = 12.5,
            discountUpto = 30,
            maxCreate = 500,
            maxRedeem = 400,
            validTillDate = "2031-06-30T18:30:00Z",
            redemptionRange = "{\"dom\":[-1],\"dow\":[1,2],\"hours\":[9,10]}",
            brands = new[] { "Acme" },
            isMultipleVouchersPerUserAllowed = true,
            maxVouchersPerUser = 3,
            smsTemplate = "Your code: {{voucher}} <b>&</b>",
            expiryStrategyType = "DAYS",
            validDaysFromCreation = 30,
            alphaNumeric = true,
            randomCodeLength = 12,
            minBillAmount = 20,
            validRedemptionOrgEntityDetails = new { stores = new[] { 7 } },
            isTestSeries = true,
            redemptionValidFrom = "2030-01-01T00:00:00Z",
        });
        var id = series["id"]!.GetValue<long>();
        var browser = await ConsoleBrowser.SignedInAsync(app, org.AdminTill, org.Password);
        var form = ConsoleBrowser.FormValues(await browser.GetHtmlAsync($"/console/series/{id}/edit"), "series-form");

        var saved = await browser.PostFormAsync($"/console/series/{id}/edit", $"/console/series/{id}/edit", form);
        Assert.True(saved.Status == HttpStatusCode.Redirect, saved.Html);
        var after = (await (await org.Admin.GetAsync($"/v2/coupon/series/{id}")).Json()).AsObject();
        Assert.True(JsonNode.DeepEquals(series, after), $"{series.ToJsonString()}\n{after.ToJsonString()}");

        // An update answers with the API's PUT codes: 744 wrapping the rule, and the kind cannot change.
        var changed = await browser.PostFormAsync($"/console/series/{id}/edit", $"/console/series/{id}/edit", new(form) { ["seriesType"] = "UPLOADED" });
        Assert.StartsWith("744: seriesType cannot change", ErrorBeside(changed.Html, "seriesType"));
        var bad = await browser.PostFormAsync($"/console/series/{id}/edit", $"/console/series/{id}/edit", new(form) { ["randomCodeLength"] = "2" });
        Assert.StartsWith($"744: {Core.Status.Message(Core.Status.SeriesNotSaved)}: randomCodeLength", WebUtility.HtmlDecode(ErrorBeside(bad.Html, "randomCodeLength")));
    }

    // ---- codes -----------------------------------------------------------------------------

    [Fact]
    public async Task Uploading_a_csv_stores_the_codes_and_sums_up_duplicates_and_rejects()
    {
        var org = await TestOrg.CreateAsync(app);
        var list = await org.SeriesAsync(new { seriesType = "UPLOADED" });
        var generated = await org.SeriesAsync();
        var browser = await ConsoleBrowser.SignedInAsync(app, org.AdminTill, org.Password);

        async Task<string> UploadAsync(long seriesId, string? csv)
        {
            var path = $"/console/series/{seriesId}/codes";
            var body = new MultipartFormDataContent { { new StringContent(ConsoleBrowser.Token(await browser.GetHtmlAsync(path))), "__RequestVerificationToken" } };
            if (csv is not null)
            {
                var file = new StringContent(csv);
                file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
                body.Add(file, "file", "codes.csv");
            }
            var result = await browser.PostAsync(path, body);
            Assert.Equal(HttpStatusCode.OK, result.Status);
            return result.Html;
        }

        var listId = list["id"]!.GetValue<long>();
        var html = await UploadAsync(listId, "code\nUP-1,first\n\"UP-2\"\nUP-1\nhas space\n");
        Assert.Contains("<b id=\"sum-stored\">2</b> stored, <b id=\"sum-duplicates\">1</b> duplicates,", html);
        Assert.Contains("<b id=\"sum-rejected\">1</b> rejected", html);
        Assert.Equal(2, (await org.Store.GetSeriesAsync(org.OrgId, listId))!.NumUploadedNonIssued);

        Assert.Contains("Choose a CSV file", ErrorBeside(await UploadAsync(listId, null), "file"));
        Assert.StartsWith("629: no codes", ErrorBeside(await UploadAsync(listId, "code\n\n"), "file"));
        Assert.Contains("UPLOADED", ErrorBeside(await UploadAsync(generated["id"]!.GetValue<long>(), "X-1\n"), "file"));
    }

    // ---- customers -------------------------------------------------------------------------

    [Fact]
    public async Task Customer_care_finds_a_customer_and_issues_resends_and_reverses_only_after_confirming()
    {
        var org = await TestOrg.CreateAsync(app);
        var series = await org.SeriesAsync(new { seriesCode = "CARE", isMultipleVouchersPerUserAllowed = true, smsTemplate = "Code {{voucher}}" });
        var seriesId = series["id"]!.GetValue<long>();
        var customerId = await org.CustomerAsync(mobile: "440000000009", email: "care@example.com", externalId: "EXT-9");
        var browser = await ConsoleBrowser.SignedInAsync(app, org.AdminTill, org.Password);

        foreach (var (by, value) in new[] { ("mobile", "440000000009"), ("email", "care@example.com"), ("externalId", "EXT-9"), ("id", customerId.ToString()) })
        {
            var found = await browser.GetAsync($"/console/customers?by={by}&value={Uri.EscapeDataString(value)}");
            Assert.Equal($"/console/customers/{customerId}", found.Headers.Location!.PathOf());
        }
        var missing = await browser.GetHtmlAsync("/console/customers?by=email&value=nobody%40example.com");
        Assert.StartsWith("701: ", ErrorBeside(missing, "value"));
        Assert.Contains("value=\"nobody@example.com\"", missing);
        Assert.Contains("Enter the customer", ErrorBeside(await browser.GetHtmlAsync("/console/customers?by=mobile&value=+"), "value"));

        var page = $"/console/customers/{customerId}";
        var ask = await browser.GetHtmlAsync($"{page}?confirm=issue&target={seriesId}");
        Assert.Contains("Please confirm:", ask);
        Assert.Empty(await org.Store.ListCustomerCouponsAsync(org.OrgId, customerId));
        var issued = await browser.PostFormAsync($"{page}?confirm=issue&target={seriesId}", $"{page}?handler=Issue", new() { ["target"] = seriesId.ToString() });
        Assert.Equal(page, issued.Location);
        var coupon = Assert.Single(await org.Store.ListCustomerCouponsAsync(org.OrgId, customerId)).Coupon;
        Assert.Contains($"Coupon {coupon.Code} issued from CARE.", await browser.GetHtmlAsync(page));
        Assert.DoesNotContain("issued from CARE", await browser.GetHtmlAsync(page));

        var resent = await browser.PostFormAsync($"{page}?confirm=resend&target={coupon.Id}", $"{page}?handler=Resend", new() { ["target"] = coupon.Id.ToString() });
        Assert.Equal(page, resent.Location);
        Assert.Contains($"Coupon {coupon.Code} sent again.", await browser.GetHtmlAsync(page));


        var till = await org.TillAsync();
        var redeemed = await (await till.PostAsJsonAsync("/v2/coupon/bulk/redeem", new
        {
            redemptionRequestList = new[] { new { code = coupon.Code } },
            transactionNumber = "T-7",
            billAmount = 15,
            user = new { mobile = "440000000009" },
        })).Json();
        var redemptionId = redeemed["redemptionResponseList"]![0]!["redemptionId"]!.GetValue<long>();
        var before = await browser.GetHtmlAsync(page);
        Assert.Contains(">redeemed</span>", before);
        Assert.Contains($"?confirm=reverse&target={redemptionId}", before);
        Assert.Contains("bill 15 &#xB7; discount 10.00", before);  // ABS 10 off a bill of 15, to the currency's 2 places
        Assert.Contains(", discount 10.00)? The coupon becomes usable again.", await browser.GetHtmlAsync($"{page}?confirm=reverse&target={redemptionId}"));

        var reversed = await browser.PostFormAsync($"{page}?confirm=reverse&target={redemptionId}", $"{page}?handler=Reverse", new() { ["target"] = redemptionId.ToString() });
        Assert.Equal(page, reversed.Location);
        var after = await browser.GetHtmlAsync(page);
        Assert.Contains($"Redemption #{redemptionId} reversed. Its discount of 10.00 is given back.", after);
        Assert.Contains(">active</span>", after);
        Assert.Contains("class=\"tag muted reversed\"", after);

        var again = await browser.PostFormAsync(page, $"{page}?handler=Reverse", new() { ["target"] = redemptionId.ToString() });
        Assert.Contains("510: ", again.Html);

        // A redemption of another customer cannot be reversed from this one's page.
        var otherId = await org.CustomerAsync(mobile: "440000000010");
        var otherCoupon = await (await till.PostAsJsonAsync("/v2/coupon/issue/multiple", new { seriesId, count = 1, customer = new { mobile = "440000000010" } })).Json();
        var otherRedeemed = await (await till.PostAsJsonAsync("/v2/coupon/bulk/redeem", new
        {
            redemptionRequestList = new[] { new { code = otherCoupon["coupons"]![0]!["code"]!.GetValue<string>() } },
            transactionNumber = "T-8",
            billAmount = 15,
            user = new { mobile = "440000000010" },
        })).Json();
        var otherRedemption = otherRedeemed["redemptionResponseList"]![0]!["redemptionId"]!.GetValue<long>();
        var refused = await browser.PostFormAsync(page, $"{page}?handler=Reverse", new() { ["target"] = otherRedemption.ToString() });
        Assert.Contains("510: ", refused.Html);
        Assert.Null((await org.Store.ListCustomerCouponsAsync(org.OrgId, otherId))[0].Redemptions[0].Redemption.ReversedAt);

        // A series with no message text: the coupon is issued, the page says no message goes out, and resend is refused.
        var silentId = (await org.SeriesAsync(new { seriesCode = "QUIET" }))["id"]!.GetValue<long>();
        await browser.PostFormAsync($"{page}?confirm=issue&target={silentId}", $"{page}?handler=Issue", new() { ["target"] = silentId.ToString() });
        var quiet = (await org.Store.ListCustomerCouponsAsync(org.OrgId, customerId)).Single(d => d.Series.Id == silentId).Coupon;
        Assert.Contains($"Coupon {quiet.Code} issued from QUIET. No message will go out", await browser.GetHtmlAsync(page));
        var nothing = await browser.PostFormAsync($"{page}?confirm=resend&target={quiet.Id}", $"{page}?handler=Resend", new() { ["target"] = quiet.Id.ToString() });
        Assert.Contains("724: nothing to resend", WebUtility.HtmlDecode(nothing.Html));
    }

    // ---- stores and tills ------------------------------------------------------------------

    [Fact]
    public async Task Stores_and_tills_forms_check_what_the_API_checks_and_the_new_till_can_call_the_API()
    {
        var org = await TestOrg.CreateAsync(app);
        var browser = await ConsoleBrowser.SignedInAsync(app, org.AdminTill, org.Password);

        var bad = await browser.PostFormAsync("/console/stores", "/console/stores", new() { ["Code"] = "north side", ["Name"] = "North" });
        Assert.Matches("data-valmsg-for=\"Code\"[^>]*>code is required: 1-64 characters, no spaces", bad.Html);
        Assert.Contains("value=\"north side\"", bad.Html);
        Assert.Contains("value=\"North\"", bad.Html);
        Assert.Equal("/console/stores", (await browser.PostFormAsync("/console/stores", "/console/stores", new() { ["Code"] = "north", ["Name"] = "North" })).Location);
        Assert.Contains("Store north added.", await browser.GetHtmlAsync("/console/stores"));
        var dup = await browser.PostFormAsync("/console/stores", "/console/stores", new() { ["Code"] = "north", ["Name"] = "North again" });
        Assert.Contains("already exists", dup.Html);

        var shortPassword = await browser.PostFormAsync("/console/tills", "/console/tills", new() { ["Code"] = "north-1", ["Password"] = "short", ["StoreCode"] = "north", ["Role"] = "till" });
        Assert.Matches("data-valmsg-for=\"Password\"[^>]*>password is required: 8-200 characters", shortPassword.Html);
        Assert.Contains("value=\"north-1\"", shortPassword.Html);
        var code = $"n1-{Guid.NewGuid():N}"[..12];
        Assert.Equal("/console/tills", (await browser.PostFormAsync("/console/tills", "/console/tills", new() { ["Code"] = code, ["Password"] = "north-password", ["StoreCode"] = "north", ["Role"] = "till" })).Location);
        Assert.Contains($"<td>{code}</td><td>north</td><td>till</td>", await browser.GetHtmlAsync("/console/tills"));
        var asTill = app.Client(code, "north-password");
        Assert.Equal(HttpStatusCode.Forbidden, (await asTill.GetAsync("/v2/stores")).StatusCode);
    }
}
