using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace Coupons.Server.Tests;

public sealed class ConsoleHttpTests_Sqlite(SqliteApp app) : ConsoleHttpTests<SqliteApp>(app);
public sealed class ConsoleHttpTests_Postgres(PostgresApp app) : ConsoleHttpTests<PostgresApp>(app);

/// <summary>The console's pages through HTTP with a cookie, as a browser without JavaScript uses them, on both backends.</summary>
public abstract partial class ConsoleHttpTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    // ---- sign-in ---------------------------------------------------------------------------

    [Fact]
    public async Task Sign_in_refuses_a_wrong_password_beside_the_field_keeps_the_till_code_and_needs_the_antiforgery_token()
    {
        var org = await TestOrg.CreateAsync(app);
        var browser = new ConsoleBrowser(app);

        var anonymous = await browser.GetAsync("/console/customers");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/console/login", anonymous.Headers.Location!.PathOf());

        var empty = await browser.PostFormAsync("/console/login", "/console/login", new() { ["Till"] = "", ["Password"] = "" });
        Assert.Contains("Enter your till code.", empty.Html);
        Assert.Contains("Enter the till&#x27;s password.", empty.Html);

        var wrong = await browser.PostFormAsync("/console/login", "/console/login", new() { ["Till"] = org.AdminTill, ["Password"] = "wrong-password" });
        Assert.Equal(HttpStatusCode.OK, wrong.Status);
        Assert.Matches("data-valmsg-for=\"Password\"[^>]*>The till code or the password is wrong.", wrong.Html);
        Assert.Contains($"value=\"{org.AdminTill}\"", wrong.Html);
        Assert.DoesNotContain("wrong-password", wrong.Html);

        var forged = await browser.Http.PostAsync("/console/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["Till"] = org.AdminTill, ["Password"] = org.Password }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        var ok = await browser.PostFormAsync("/console/login", "/console/login", new() { ["Till"] = org.AdminTill, ["Password"] = org.Password });
        Assert.Equal(HttpStatusCode.Redirect, ok.Status);
        Assert.Equal("/console/series", ok.Location);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/console/series")).StatusCode);

        var signedOut = await browser.PostFormAsync("/console/series", "/console/logout", []);
        Assert.Equal("/console/login", signedOut.Location);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/console/series")).StatusCode);
    }

    [Fact]
    public async Task The_API_ignores_the_console_cookie_and_the_console_ignores_Basic_credentials()
    {
        var org = await TestOrg.CreateAsync(app);
        var browser = await ConsoleBrowser.SignedInAsync(app, org.AdminTill, org.Password);
        var cookie = browser.Cookies.GetCookieHeader(new Uri(browser.Http.BaseAddress!, "/console/"));
        Assert.Contains("coupons.console=", cookie);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/stores");
        request.Headers.Add("Cookie", cookie);
        var api = await app.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal(Core.Status.Unauthorized, (await api.Json()).ErrorCode());

        var basicClient = app.CreateClient(new() { AllowAutoRedirect = false });
        basicClient.DefaultRequestHeaders.Authorization = org.Admin.DefaultRequestHeaders.Authorization;
        var basic = await basicClient.GetAsync("/console/series");
        Assert.Equal(HttpStatusCode.Redirect, basic.StatusCode);
    }

    sealed class SecondNode(string provider, string connectionString) : CouponsApp(connectionString)
    {
        public override string Provider => provider;
    }

    [Fact]
    public async Task A_cookie_and_a_form_from_one_node_are_accepted_by_another_node_on_the_same_database()
    {
        var org = await TestOrg.CreateAsync(app);
        var onA = await ConsoleBrowser.SignedInAsync(app, org.AdminTill, org.Password);
        await using var nodeB = new SecondNode(app.Provider, app.ConnectionString);
        var onB = new ConsoleBrowser(nodeB);
        foreach (var cookie in onA.Cookies.GetAllCookies().Cast<Cookie>()) onB.Cookies.Add(cookie);

        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/console/stores")).StatusCode);
        var formFromA = ConsoleBrowser.Token(await onA.GetHtmlAsync("/console/stores"));
        var posted = await onB.PostAsync("/console/stores", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Code"] = "b-store",
            ["Name"] = "Made on B",
            ["__RequestVerificationToken"] = formFromA,
        }));
        Assert.Equal("/console/stores", posted.Location);
        Assert.Contains(await org.Store.ListStoresAsync(org.OrgId), s => s.Code == "b-store");
        // The key that made both is in the database (on one machine the default key folder would be shared as well).
        Assert.Contains(await org.Store.ListDataProtectionKeysAsync(), xml => xml.StartsWith("<key id=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_till_without_the_admin_role_sees_the_look_up_pages_only()
    {
        var org = await TestOrg.CreateAsync(app);
        await org.TillAsync();
        var tillCode = (await (await org.Admin.GetAsync("/v2/tills")).Json())["tills"]!.AsArray().Last()!["code"]!.GetValue<string>();
        var series = await org.SeriesAsync();
        var customerId = await org.CustomerAsync(mobile: "440000000001");
        var browser = await ConsoleBrowser.SignedInAsync(app, tillCode, "till-password");

        var list = await browser.GetHtmlAsync("/console/series");
        Assert.Contains(series["seriesCode"]!.GetValue<string>(), list);
        Assert.DoesNotContain("id=\"new-series\"", list);
        Assert.DoesNotContain("/console/stores", list);
        var customer = await browser.GetHtmlAsync($"/console/customers/{customerId}");
        Assert.DoesNotContain("issue-form", customer);

        foreach (var path in new[] { "/console/series/new", $"/console/series/{series["id"]}/edit", $"/console/series/{series["id"]}/codes", "/console/stores", "/console/tills" })
        {
            var response = await browser.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/console/denied", response.Headers.Location!.PathOf());
        }
        var issue = await browser.PostFormAsync($"/console/customers/{customerId}", $"/console/customers/{customerId}?handler=Issue", new() { ["target"] = series["id"]!.ToString() });
        Assert.StartsWith("/console/denied", issue.Location);
        Assert.Empty(await org.Store.ListCustomerCouponsAsync(org.OrgId, customerId));
    }

    // ---- series ----------------------------------------------------------------------------

    [Fact]
    public async Task The_series_list_searches_code_and_description_in_any_case_and_shows_the_counts()
    {
        var org = await TestOrg.CreateAsync(app);
        var summer = await org.SeriesAsync(new { seriesCode = "SUMMER-25", description = "Sunny 25% off", maxCreate = 10 });
        await org.SeriesAsync(new { seriesCode = "WINTER", description = "Cold weather deal" });
        await org.SeriesAsync(new { seriesCode = "LIST-A", seriesType = "UPLOADED", description = "Uploaded list" });
        var till = await org.TillAsync();
        await org.CustomerAsync(mobile: "440000000002");
        var issued = await till.PostAsJsonAsync("/v2/coupon/issue/multiple", new { seriesId = summer["id"], count = 1, customer = new { mobile = "440000000002" } });
        issued.EnsureSuccessStatusCode();
        var other = await TestOrg.CreateAsync(app);
        await other.SeriesAsync(new { seriesCode = "SUMMER-OTHER-ORG" });
        var browser = await ConsoleBrowser.SignedInAsync(app, org.AdminTill, org.Password);

        Assert.Equal(["LIST-A", "WINTER", "SUMMER-25"], SeriesCodes(await browser.GetHtmlAsync("/console/series")));
        Assert.Equal(["SUMMER-25"], SeriesCodes(await browser.GetHtmlAsync("/console/series?q=summer")));
        Assert.Equal(["WINTER"], SeriesCodes(await browser.GetHtmlAsync("/console/series?q=COLD")));
        Assert.Equal(["SUMMER-25"], SeriesCodes(await browser.GetHtmlAsync("/console/series?q=25%25")));
        Assert.Empty(SeriesCodes(await browser.GetHtmlAsync("/console/series?q=_")));

        var row = Regex.Match(await browser.GetHtmlAsync("/console/series?q=summer"), "<tr data-series=\"SUMMER-25\">(.*?)</tr>", RegexOptions.Singleline).Value;
        Assert.Contains("<td data-label=\"Issued\" class=\"num issued\">1</td>", row);
        Assert.Contains("<td data-label=\"Redeemed\" class=\"num redeemed\">0</td>", row);
        Assert.Contains("<td data-label=\"Remaining\" class=\"num remaining\">9</td>", row);
    }

    static List<string> SeriesCodes(string html) =>
        Regex.Matches(html, "<tr data-series=\"([^\"]+)\">").Select(m => m.Groups[1].Value).ToList();

    [Fact]
    public async Task The_series_chart_counts_todays_issues_and_live_redemptions()
    {
        var org = await TestOrg.CreateAsync(app);
        var series = await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true });
        var till = await org.TillAsync();
        await org.CustomerAsync(mobile: "440000000003");
        var issued = await (await till.PostAsJsonAsync("/v2/coupon/issue/multiple", new { seriesId = series["id"], count = 3, customer = new { mobile = "440000000003" } })).Json();
        var codes = issued["coupons"]!.AsArray().Select(c => c!["code"]!.GetValue<string>()).ToList();
        var redeemed = await (await till.PostAsJsonAsync("/v2/coupon/bulk/redeem", new
        {
            redemptionRequestList = codes.Take(2).Select(code => new { code }).ToArray(),
            transactionNumber = "T-9",
            billAmount = 10,
            user = new { mobile = "440000000003" },
        })).Json();
        var firstRedemption = redeemed["redemptionResponseList"]![0]!["redemptionId"]!.GetValue<long>();
        (await till.PostAsJsonAsync("/v2/coupon/redemption/reverse", new { redemptionIds = new[] { firstRedemption } })).EnsureSuccessStatusCode();
        var browser = await ConsoleBrowser.SignedInAsync(app, org.AdminTill, org.Password);

        var html = await browser.GetHtmlAsync($"/console/series/{series["id"]}");
        Assert.Contains("data-issued-total=\"3\" data-redeemed-total=\"1\"", html);
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        Assert.Contains($"class=\"bar issued\" data-day=\"{today}\" data-value=\"3\"", html);
        Assert.Contains($"class=\"bar redeemed\" data-day=\"{today}\" data-value=\"1\"", html);
        Assert.Equal(30, Regex.Matches(html, "class=\"bar issued\"").Count);
        Assert.Contains("<b id=\"stat-issued\">3</b>", html);

        var missing = await browser.GetAsync("/console/series/999999");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("There is no series 999999", await missing.Content.ReadAsStringAsync());
        var otherOrg = await TestOrg.CreateAsync(app);
        var foreign = await otherOrg.SeriesAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/console/series/{foreign["id"]}")).StatusCode);
    }
}
