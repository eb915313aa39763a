using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Coupons.Server.Auth;
using Coupons.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Coupons.Server.Tests;

/// <summary>The service on a real Kestrel listener (loopback, any free port) over SQLite, for a real browser to reach.</summary>
public sealed class KestrelSqliteApp : CouponsApp
{
    public KestrelSqliteApp() : base($"Data Source={Path.Combine(Path.GetTempPath(), $"coupons-browser-{Guid.NewGuid():N}.db")}")
    {
        UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
    }

    public override string Provider => "sqlite";

    public string BaseUrl
    {
        get
        {
            StartServer();
            return Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        }
    }
}

/// <summary>
/// A marketer's session in Debian's Chromium (/usr/bin/chromium, driven by Playwright; no browser download):
/// sign in, create a series, upload codes, watch an API issue and redemption move the counts and the chart, look the
/// customer up, reverse the redemption, sign out. Screenshots at 1280 and 390 pixels wide go to console-screenshots/
/// under the test output.
/// </summary>
public sealed class ConsoleBrowserTests(KestrelSqliteApp app) : IClassFixture<KestrelSqliteApp>
{
    const string Chromium = "/usr/bin/chromium";
    static readonly string Shots = Path.Combine(AppContext.BaseDirectory, "console-screenshots");

    [Fact]
    public async Task A_marketer_signs_in_creates_a_series_uploads_codes_follows_an_issue_and_reverses_a_redemption()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium (scripts/test does)");
        Directory.CreateDirectory(Shots);
        var baseUrl = app.BaseUrl;

        var store = app.Services.GetRequiredService<ICouponStore>();
        var till = $"mkt-{Guid.NewGuid():N}"[..12];
        const string password = "console-password-1";
        var org = await store.CreateOrganisationAsync("Browser Org", "main", "High Street", till, PasswordHasher.Hash(password));
        Assert.True(org.Ok);
        using var api = new HttpClient { BaseAddress = new Uri(baseUrl) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{till}:{password}")));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true });
        var context = await browser.NewContextAsync(new() { BaseURL = baseUrl, ViewportSize = new() { Width = 1280, Height = 800 } });
        // Generous: the machine's two cores may be busy with a build; a passing run takes about 20 s in all.
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();

        // Sign-in: a wrong password is refused beside the field, the till code stays typed.
        await page.GotoAsync("/console/series");
        Assert.EndsWith("/console/login?ReturnUrl=%2Fconsole%2Fseries", page.Url);
        await page.FillAsync("#Till", till);
        await page.FillAsync("#Password", "not-the-password");
        await page.ClickAsync("#sign-in");
        Assert.Contains("wrong", await page.InnerTextAsync("span[data-valmsg-for=Password]"));
        Assert.Equal(till, await page.InputValueAsync("#Till"));
        await ShootAsync(page, "login-error");
        await page.FillAsync("#Password", password);
        await page.ClickAsync("#sign-in");
        await page.WaitForURLAsync("**/console/series");

        // A new series: every refusal of one submit is shown at once beside its field, and what was typed stays.
        var yesterday = DateTime.UtcNow.Date.AddDays(-1).ToString("yyyy-MM-dd");
        await page.ClickAsync("#new-series");
        await page.FillAsync("#f-seriesCode", "SPRING-LIST");
        await page.FillAsync("#f-description", "Five off in spring");
        await page.SelectOptionAsync("#f-seriesType", "UPLOADED");
        await page.SelectOptionAsync("#f-discountType", "PERC");
        await page.FillAsync("#f-discountValue", "150");
        await page.FillAsync("#f-maxCreate", "lots");
        await page.FillAsync("#f-maxRedeem", "-500");
        await page.FillAsync("#f-validTillDate", yesterday);
        await page.FillAsync("#f-redemptionRange", "{\"dom\":[40]}");
        await page.ClickAsync("#save-series");
        Assert.Contains("whole number", await page.InnerTextAsync("#e-maxCreate"));
        Assert.StartsWith("744: discountValue cannot be over 100", await page.InnerTextAsync("#e-discountValue"));
        Assert.StartsWith("744: maxRedeem", await page.InnerTextAsync("#e-maxRedeem"));
        Assert.StartsWith("744: validTillDate", await page.InnerTextAsync("#e-validTillDate"));
        Assert.StartsWith("744: redemptionRange", await page.InnerTextAsync("#e-redemptionRange"));
        Assert.Equal(5, await page.Locator("#form-errors .error-list li").CountAsync());
        Assert.Equal(5, await page.Locator("#series-form .error").CountAsync());
        Assert.Equal(("lots", "150", "-500", yesterday, "{\"dom\":[40]}"), (await page.InputValueAsync("#f-maxCreate"), await page.InputValueAsync("#f-discountValue"),
            await page.InputValueAsync("#f-maxRedeem"), await page.InputValueAsync("#f-validTillDate"), await page.InputValueAsync("#f-redemptionRange")));
        Assert.Equal(("SPRING-LIST", "UPLOADED", "PERC"), (await page.InputValueAsync("#f-seriesCode"), await page.InputValueAsync("#f-seriesType"), await page.InputValueAsync("#f-discountType")));
        await ShootAsync(page, "series-form-errors-top", fullPage: false);
        await page.Locator("#e-redemptionRange").ScrollIntoViewIfNeededAsync();
        await ShootAsync(page, "series-form-errors", fullPage: false);
        await page.SetViewportSizeAsync(390, 844);
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the refused form is wider than 390 px");
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await ShootAsync(page, "series-form-errors-top", fullPage: false);
        await page.Locator("#e-validTillDate").ScrollIntoViewIfNeededAsync();
        await ShootAsync(page, "series-form-errors", fullPage: false);
        await page.SetViewportSizeAsync(1280, 800);

        // Fixed one by one: the refusals left are still shown.
        await page.FillAsync("#f-maxCreate", "100");
        await page.FillAsync("#f-discountValue", "5");
        await page.FillAsync("#f-maxRedeem", "-1");
        await page.FillAsync("#f-validTillDate", "");
        await page.ClickAsync("#save-series");
        Assert.StartsWith("744: redemptionRange", await page.InnerTextAsync("#e-redemptionRange"));
        Assert.Equal(1, await page.Locator("#series-form .error").CountAsync());
        Assert.Equal("100", await page.InputValueAsync("#f-maxCreate"));

        await page.FillAsync("#f-redemptionRange", "{\"dom\":[-1],\"dow\":[-1],\"hours\":[-1]}");
        await page.ClickAsync("#save-series");
        await page.WaitForSelectorAsync("#saved");
        var seriesUrl = new Uri(page.Url).AbsolutePath;
        var seriesId = long.Parse(seriesUrl.Split('/').Last());
        Assert.Equal("0", await page.InnerTextAsync("#stat-issued"));
        Assert.Equal("0", await page.GetAttributeAsync("#activity-chart", "data-issued-total"));

        // Codes: five good ones, one twice, one with a space in it.
        var csv = Path.Combine(Shots, "codes.csv");
        await File.WriteAllTextAsync(csv, "code\nSPR-0001\nSPR-0002\nSPR-0003\nSPR-0004\nSPR-0005\nSPR-0002\nNOT A CODE\n");
        await page.ClickAsync("#upload-codes");
        await page.SetInputFilesAsync("#file", csv);
        await page.EvaluateAsync("() => { window.samePage = true; }");
        await page.ClickAsync("#upload-button");
        await page.WaitForSelectorAsync("#upload-summary");
        // The upload went through the page's progress script (no navigation), and the summary replaced the form's page.
        Assert.True(await page.EvaluateAsync<bool>("() => window.samePage === true"));
        Assert.Equal(("5", "1", "1"), (await page.InnerTextAsync("#sum-stored"), await page.InnerTextAsync("#sum-duplicates"), await page.InnerTextAsync("#sum-rejected")));
        await ShootAsync(page, "codes-uploaded");

        // Through the API: a customer, a coupon of the series, and a redemption at the till.
        var created = await api.PostAsJsonAsync("/v2/customers", new
        {
            profiles = new[] { new { firstName = "Grace", lastName = "Hopper", identifiers = new[] { new { type = "mobile", value = "447700900123" } } } },
        });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var issued = await (await api.PostAsJsonAsync("/v2/coupon/issue/multiple", new { seriesId, count = 1, customer = new { mobile = "447700900123" } })).Json();
        var code = issued["coupons"]![0]!["code"]!.GetValue<string>();
        Assert.StartsWith("SPR-000", code);

        await page.GotoAsync(seriesUrl);
        Assert.Equal("1", await page.InnerTextAsync("#stat-issued"));
        Assert.Equal("4", await page.InnerTextAsync("#stat-remaining"));
        Assert.Equal("1", await page.GetAttributeAsync("#activity-chart", "data-issued-total"));
        var bar = page.Locator("#activity-chart rect.issued").Last;
        Assert.Equal("1", await bar.GetAttributeAsync("data-value"));
        Assert.True(double.Parse(await bar.GetAttributeAsync("height") ?? "0", System.Globalization.CultureInfo.InvariantCulture) > 100);

        var redeemed = await (await api.PostAsJsonAsync("/v2/coupon/bulk/redeem", new
        {
            redemptionRequestList = new[] { new { code } },
            transactionNumber = "T-1001",
            billAmount = 42,
            user = new { mobile = "447700900123" },
        })).Json();
        Assert.True(redeemed["redemptionResponseList"]![0]!["isRedeemed"]!.GetValue<bool>(), redeemed.ToJsonString());
        await page.ReloadAsync();
        Assert.Equal("1", await page.InnerTextAsync("#stat-redeemed"));
        Assert.Equal("1", await page.GetAttributeAsync("#activity-chart", "data-redeemed-total"));
        await ShootAsync(page, "series-detail");

        await page.GotoAsync("/console/series?q=spring");
        Assert.Equal(["SPRING-LIST"], await page.Locator("#series-list tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.series)"));
        Assert.Equal(("1", "1", "4"), (await page.InnerTextAsync("tr[data-series=SPRING-LIST] .issued"),
            await page.InnerTextAsync("tr[data-series=SPRING-LIST] .redeemed"), await page.InnerTextAsync("tr[data-series=SPRING-LIST] .remaining")));
        await ShootAsync(page, "series-list");

        // Customer care: look the customer up, see the redemption, reverse it after confirming.
        await page.ClickAsync("text=Customers");
        await page.FillAsync("#value", "447700900000");
        await page.ClickAsync("#lookup");
        Assert.StartsWith("701", await page.InnerTextAsync("#e-value"));
        Assert.Equal("447700900000", await page.InputValueAsync("#value"));
        await page.FillAsync("#value", "447700900123");
        await page.ClickAsync("#lookup");
        await page.WaitForSelectorAsync("#coupons");
        var row = page.Locator($"tr[data-code='{code}']");
        Assert.Equal("redeemed", await row.Locator(".status").InnerTextAsync());
        Assert.Contains("bill 42", await row.Locator(".redemption").InnerTextAsync());
        await row.Locator("a.reverse").ClickAsync();
        Assert.Contains("Reverse redemption", await page.InnerTextAsync("#confirm"));
        await ShootAsync(page, "customer-confirm");
        await page.ClickAsync("#confirm-yes");
        await page.WaitForSelectorAsync("#done");
        Assert.Contains("reversed", await page.InnerTextAsync("#done"));
        Assert.Equal("active", await row.Locator(".status").InnerTextAsync());
        Assert.Equal(1, await row.Locator(".reversed").CountAsync());
        await ShootAsync(page, "customer");
        var customerUrl = new Uri(page.Url).PathAndQuery;

        await page.GotoAsync(seriesUrl);
        Assert.Equal("0", await page.InnerTextAsync("#stat-redeemed"));
        Assert.Equal("0", await page.GetAttributeAsync("#activity-chart", "data-redeemed-total"));

        // The same pages at a phone's width: nothing wider than the screen but the tables, which scroll in their box.
        await page.SetViewportSizeAsync(390, 844);
        foreach (var (path, name) in new[] { (seriesUrl, "series-detail"), ("/console/series", "series-list"), (customerUrl, "customer"), ("/console/series/new", "series-form") })
        {
            await page.GotoAsync(path);
            Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), $"{path} is wider than 390 px");
            await ShootAsync(page, name);
        }
        await page.SetViewportSizeAsync(1280, 800);
        await page.GotoAsync("/console/series/new");
        await ShootAsync(page, "series-form");
        await page.GotoAsync(seriesUrl);

        // Sign out: back to the sign-in page, and the console is closed again.
        await page.ClickAsync("#sign-out");
        try
        {
            await page.WaitForURLAsync("**/console/login");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"sign-out ended on {page.Url}");
        }
        await page.GotoAsync("/console/customers");
        Assert.Contains("/console/login", page.Url);
        await context.CloseAsync();
    }

    static async Task ShootAsync(IPage page, string name, bool fullPage = true)
    {
        var width = page.ViewportSize?.Width ?? 0;
        await page.ScreenshotAsync(new() { Path = Path.Combine(Shots, $"{name}-{width}.png"), FullPage = fullPage });
    }
}
