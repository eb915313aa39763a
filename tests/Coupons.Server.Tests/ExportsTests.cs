using System.Globalization;
using System.Net;
using System.Net.Http.Json;

namespace Coupons.Server.Tests;

public sealed class ExportsTests_Sqlite(SqliteApp app) : ExportsTests<SqliteApp>(app);
public sealed class ExportsTests_Postgres(PostgresApp app) : ExportsTests<PostgresApp>(app);

/// <summary>CSV exports (issue #18) of a series' coupons and of redemptions, through the API and the console.</summary>
public abstract class ExportsTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    /// <summary>RFC 4180 lines split into cells (quotes honoured; no line breaks inside the cells these tests write).</summary>
    static List<string[]> Csv(string text)
    {
        var rows = new List<string[]>();
        foreach (var line in text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var cells = new List<string>();
            var cell = new System.Text.StringBuilder();
            var quoted = false;
            for (var i = 0; i < line.Length; i++)
            {
                var ch = line[i];
                if (quoted && ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (ch == '"') quoted = !quoted;
                else if (ch == ',' && !quoted) { cells.Add(cell.ToString()); cell.Clear(); }
                else cell.Append(ch);
            }
            cells.Add(cell.ToString());
            rows.Add(cells.ToArray());
        }
        return rows;
    }

    static async Task<List<string[]>> GetCsvAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        return Csv(text);
    }

    [Fact]
    public async Task A_series_coupons_and_its_redemptions_export_every_row_with_discount_and_reversal()
    {
        var org = await TestOrg.CreateAsync(app);
        Assert.Equal(HttpStatusCode.OK, (await org.Admin.PutAsJsonAsync("/v2/organisation", new { timeZone = "Asia/Kathmandu" })).StatusCode);
        var till = await org.TillAsync(storeCode: "north");
        var id = V11.Id(await org.SeriesAsync(new { seriesCode = "EXP", discountType = "PERC", discountValue = 10 }));
        var other = V11.Id(await org.SeriesAsync(new { seriesCode = "OTHER" }));
        var mobiles = Enumerable.Range(0, 30).Select(i => $"4477009006{i:00}").ToList();
        var codes = new List<string>();
        foreach (var m in mobiles)
        {
            await org.CustomerAsync(mobile: m, externalId: "=cmd|' /C calc'!A0" + m);  // a formula a spreadsheet must not run
            codes.Add(await V11.IssuedCodeAsync(till, id, m));
        }
        await V11.IssuedCodeAsync(till, other, mobiles[0]);
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var answer = await V11.RedeemAsync(till, codes[i], mobiles[i], number: $"T,{i}\"x", amount: $"{100 + i}.50");
            V11.AssertRedeemed(answer);
            ids.Add(long.Parse(V11.Text(answer.Item["redemption_id"]), CultureInfo.InvariantCulture));
        }
        Assert.Equal(HttpStatusCode.OK, (await till.PostAsJsonAsync("/v2/coupon/redemption/reverse", new { redemptionIds = new[] { ids[2] } })).StatusCode);

        var coupons = await GetCsvAsync(org.Admin, $"/v2/coupon/series/{id}/coupons.csv");
        Assert.Equal(["coupon_id", "code", "customer_id", "external_id", "issued_on", "issued_at_store", "valid_till", "redemptions", "revoked"], coupons[0]);
        Assert.Equal(31, coupons.Count);  // the header and the series' 30 coupons, not the other series'
        Assert.Equal(codes.Order(), coupons.Skip(1).Select(r => r[1]).Order());
        Assert.All(coupons.Skip(1), r => Assert.StartsWith("'=cmd", r[3]));
        Assert.All(coupons.Skip(1), r => Assert.EndsWith("+05:45", r[4]));
        Assert.All(coupons.Skip(1), r => Assert.Equal("north", r[5]));
        Assert.Equal(2, coupons.Skip(1).Sum(r => int.Parse(r[7], CultureInfo.InvariantCulture)));

        var today = DateTime.UtcNow.Date;
        var redemptions = await GetCsvAsync(org.Admin, $"/v2/coupon/series/{id}/redemptions.csv?from={today.AddDays(-1):yyyy-MM-dd}&to={today.AddDays(1):yyyy-MM-dd}");
        Assert.Equal(["redemption_id", "redeemed_at", "series_code", "code", "store", "till", "customer_id", "external_id", "bill_amount",
            "discount_amount", "transaction_number", "reversed", "reversed_at"], redemptions[0]);
        Assert.Equal(4, redemptions.Count);
        var byId = redemptions.Skip(1).ToDictionary(r => long.Parse(r[0], CultureInfo.InvariantCulture));
        Assert.Equal("EXP", byId[ids[0]][2]);
        Assert.Equal(codes[0], byId[ids[0]][3]);
        Assert.Equal(100.50m, decimal.Parse(byId[ids[0]][8], CultureInfo.InvariantCulture));
        Assert.Equal(10.05m, decimal.Parse(byId[ids[0]][9], CultureInfo.InvariantCulture));
        Assert.Equal("T,0\"x", byId[ids[0]][10]);
        Assert.Equal("false", byId[ids[0]][11]);
        Assert.Equal("true", byId[ids[2]][11]);
        Assert.EndsWith("+05:45", byId[ids[2]][12]);

        // The organisation's redemptions: every series; a range without them gives the header alone.
        Assert.Equal(4, (await GetCsvAsync(org.Admin, "/v2/coupon/redemptions.csv")).Count);
        Assert.Single(await GetCsvAsync(org.Admin, $"/v2/coupon/redemptions.csv?from=2020-01-01&to=2020-01-31"));
    }

    [Fact]
    public async Task Exports_refuse_bad_ranges_unknown_series_and_tills()
    {
        var org = await TestOrg.CreateAsync(app);
        var other = await TestOrg.CreateAsync(app);
        var id = V11.Id(await org.SeriesAsync());
        var bad = await org.Admin.GetAsync("/v2/coupon/redemptions.csv?from=2026-02-30");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("from", (await bad.Json())["errors"]![0]!["message"]!.GetValue<string>());
        foreach (var path in new[] { $"/v2/coupon/series/{id}/coupons.csv", $"/v2/coupon/series/{id}/redemptions.csv" })
        {
            var theirs = await other.Admin.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
            Assert.Equal(707, (await theirs.Json()).ErrorCode());
            Assert.Equal(HttpStatusCode.Forbidden, (await (await org.TillAsync()).GetAsync(path)).StatusCode);
        }
    }

    [Fact]
    public async Task The_console_series_page_downloads_the_same_exports()
    {
        var org = await TestOrg.CreateAsync(app);
        await org.CustomerAsync(mobile: "447700900700");
        var till = await org.TillAsync();
        var id = V11.Id(await org.SeriesAsync(new { seriesCode = "CONSOLE-EXP" }));
        var code = await V11.IssuedCodeAsync(till, id, "447700900700");
        V11.AssertRedeemed(await V11.RedeemAsync(till, code, "447700900700", amount: "20"));
        var browser = await ConsoleBrowser.SignedInAsync(app, org.AdminTill, org.Password);
        var page = await browser.GetHtmlAsync($"/console/series/{id}");
        Assert.Contains("id=\"export-coupons\"", page);
        var href = System.Text.RegularExpressions.Regex.Match(page, "id=\"export-redemptions\" href=\"([^\"]+)\"").Groups[1].Value.Replace("&amp;", "&");

        var coupons = await browser.GetAsync($"/console/series/{id}?handler=CouponsCsv");
        Assert.Equal("text/csv", coupons.Content.Headers.ContentType!.MediaType);
        Assert.Contains("attachment", coupons.Content.Headers.ContentDisposition!.ToString());
        Assert.Equal(code, Csv(await coupons.Content.ReadAsStringAsync())[1][1]);
        var redemptions = Csv(await (await browser.GetAsync(href)).Content.ReadAsStringAsync());
        Assert.Equal(2, redemptions.Count);
        Assert.Equal(10m, decimal.Parse(redemptions[1][9], CultureInfo.InvariantCulture));
    }
}
