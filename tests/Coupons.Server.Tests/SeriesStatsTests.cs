using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Coupons.Server.Tests;

public sealed class SeriesStatsTests_Sqlite(SqliteApp app) : SeriesStatsTests<SqliteApp>(app);
public sealed class SeriesStatsTests_Postgres(PostgresApp app) : SeriesStatsTests<PostgresApp>(app);

/// <summary>GET /v2/coupon/series/{id}/stats (issue #18): figures per day, week and store of the organisation's zone, checked
/// against the rows they summarise.</summary>
public abstract class SeriesStatsTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    // +05:45 all year: a local day is no UTC day, and not even a whole number of hours off one.
    const string Zone = "Asia/Kathmandu";
    static readonly TimeZoneInfo Kathmandu = TimeZoneInfo.FindSystemTimeZoneById(Zone);

    static decimal Dec(JsonNode? n) => n!.GetValue<decimal>();

    sealed record Campaign(TestOrg Org, long SeriesId, DateOnly Today, long[] RedemptionIds);

    /// <summary>
    /// Four coupons issued today; redeemed at 00:10 yesterday (18:25 UTC the day before: another UTC day), at 23:50 two
    /// days ago and now, bills 100, 200 and 50 at 10 % off; a fourth redemption, reversed, counts nowhere. The tills are in
    /// stores north (two redemptions) and south.
    /// </summary>
    async Task<Campaign> CampaignAsync()
    {
        var org = await TestOrg.CreateAsync(app);
        Assert.Equal(HttpStatusCode.OK, (await org.Admin.PutAsJsonAsync("/v2/organisation", new { timeZone = Zone })).StatusCode);
        var north = await org.TillAsync(storeCode: "north");
        var south = await org.TillAsync(storeCode: "south");
        var id = V11.Id(await org.SeriesAsync(new { discountType = "PERC", discountValue = 10, isMultipleVouchersPerUserAllowed = true }));
        var mobiles = new[] { "447700900501", "447700900502", "447700900503", "447700900504" };
        var codes = new List<string>();
        foreach (var m in mobiles)
        {
            await org.CustomerAsync(mobile: m);
            codes.Add(await V11.IssuedCodeAsync(north, id, m));
        }
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Kathmandu).DateTime);
        async Task<long> Redeem(HttpClient till, int i, string amount, string? at)
        {
            var coupon = new JsonObject
            {
                ["code"] = codes[i],
                ["customer"] = V11.Customer(mobiles[i]),
                ["transaction"] = new JsonObject { ["number"] = $"bill-{i}", ["amount"] = amount },
            };
            if (at is not null) coupon["redemption_time"] = at;
            var answer = await V11.PostAsync(till, "/v1.1/coupon/redeem?format=json", V11.Root(coupon));
            V11.AssertRedeemed(answer);
            return long.Parse(V11.Text(answer.Item["redemption_id"]), CultureInfo.InvariantCulture);
        }
        var ids = new[]
        {
            await Redeem(north, 0, "100", $"{today.AddDays(-1):yyyy-MM-dd} 00:10:00"),
            await Redeem(south, 1, "200", $"{today.AddDays(-2):yyyy-MM-dd} 23:50:00"),
            await Redeem(north, 2, "50", null),
            await Redeem(south, 3, "999", $"{today.AddDays(-1):yyyy-MM-dd} 12:00:00"),
        };
        Assert.Equal(HttpStatusCode.OK, (await north.PostAsJsonAsync("/v2/coupon/redemption/reverse", new { redemptionIds = new[] { ids[3] } })).StatusCode);
        return new Campaign(org, id, today, ids);
    }

    static async Task<JsonNode> StatsAsync(HttpClient admin, long id, string query)
    {
        var response = await admin.GetAsync($"/v2/coupon/series/{id}/stats?{query}");
        var body = await response.Json();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        return body;
    }

    static void AssertRow(JsonNode row, int issued, int redeemed, decimal discount, decimal bill)
    {
        Assert.True(issued == row["issued"]!.GetValue<int>(), row.ToJsonString());
        Assert.True(redeemed == row["redeemed"]!.GetValue<int>(), row.ToJsonString());
        Assert.Equal(discount, Dec(row["discountGiven"]));
        Assert.Equal(bill, Dec(row["billTotal"]));
        if (issued == 0) Assert.Null(row["redemptionRate"]);
        else Assert.Equal(Math.Round((decimal)redeemed / issued, 4), Dec(row["redemptionRate"]));
    }

    [Fact]
    public async Task Figures_per_day_of_the_organisations_zone_match_the_rows()
    {
        var c = await CampaignAsync();
        var from = c.Today.AddDays(-3);
        var body = await StatsAsync(c.Org.Admin, c.SeriesId, $"from={from:yyyy-MM-dd}&to={c.Today:yyyy-MM-dd}&groupBy=day");
        Assert.Equal(Zone, body["timeZone"]!.GetValue<string>());
        Assert.Equal("day", body["groupBy"]!.GetValue<string>());
        var days = body["groups"]!.AsArray().ToDictionary(g => g!["key"]!.GetValue<string>());
        Assert.Equal(4, days.Count);  // every day of the range, active or not
        AssertRow(days[$"{from:yyyy-MM-dd}"]!, 0, 0, 0, 0);
        AssertRow(days[$"{c.Today.AddDays(-2):yyyy-MM-dd}"]!, 0, 1, 20, 200);
        AssertRow(days[$"{c.Today.AddDays(-1):yyyy-MM-dd}"]!, 0, 1, 10, 100);  // 00:10 local is the day before in UTC
        AssertRow(days[$"{c.Today:yyyy-MM-dd}"]!, 4, 1, 5, 50);
        AssertRow(body["totals"]!, 4, 3, 35, 350);

        // The totals are the rows': issued coupons and live redemptions of the series, their bills and discounts.
        await using var db = await app.OpenDatabaseAsync();
        await using var cmd = db.CreateCommand();
        cmd.CommandText = $"""
            SELECT (SELECT COUNT(*) FROM coupons WHERE series_id = {c.SeriesId} AND issued_on IS NOT NULL),
                   (SELECT COUNT(*) FROM redemptions WHERE series_id = {c.SeriesId} AND reversed_at IS NULL),
                   (SELECT COUNT(*) FROM redemptions WHERE series_id = {c.SeriesId})
            """;
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(4L, Convert.ToInt64(reader.GetValue(0)));
        Assert.Equal(3L, Convert.ToInt64(reader.GetValue(1)));
        Assert.Equal(4L, Convert.ToInt64(reader.GetValue(2)));
    }

    [Fact]
    public async Task Figures_per_week_and_per_store()
    {
        var c = await CampaignAsync();
        var from = c.Today.AddDays(-13);
        var weeks = await StatsAsync(c.Org.Admin, c.SeriesId, $"from={from:yyyy-MM-dd}&to={c.Today:yyyy-MM-dd}&groupBy=week");
        var keys = weeks["groups"]!.AsArray().Select(g => DateOnly.ParseExact(g!["key"]!.GetValue<string>(), "yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList();
        Assert.All(keys, k => Assert.Equal(DayOfWeek.Monday, k.DayOfWeek));
        Assert.Equal(keys.Order().ToList(), keys);
        Assert.Equal(4, weeks["groups"]!.AsArray().Sum(g => g!["issued"]!.GetValue<int>()));
        Assert.Equal(3, weeks["groups"]!.AsArray().Sum(g => g!["redeemed"]!.GetValue<int>()));
        Assert.Equal(35m, weeks["groups"]!.AsArray().Sum(g => Dec(g!["discountGiven"])));

        var stores = await StatsAsync(c.Org.Admin, c.SeriesId, $"from={from:yyyy-MM-dd}&to={c.Today:yyyy-MM-dd}&groupBy=store");
        var byStore = stores["groups"]!.AsArray().ToDictionary(g => g!["storeCode"]!.GetValue<string>());
        Assert.Equal(2, byStore.Count);
        AssertRow(byStore["north"]!, 4, 2, 15, 150);
        AssertRow(byStore["south"]!, 0, 1, 20, 200);  // the reversed redemption at south counts nowhere
        Assert.Equal("south", byStore["south"]!["storeName"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_range_that_leaves_the_activity_out_counts_nothing_and_the_default_is_30_days()
    {
        var c = await CampaignAsync();
        var before = await StatsAsync(c.Org.Admin, c.SeriesId, $"from={c.Today.AddDays(-40):yyyy-MM-dd}&to={c.Today.AddDays(-3):yyyy-MM-dd}");
        AssertRow(before["totals"]!, 0, 0, 0, 0);
        var byDefault = await StatsAsync(c.Org.Admin, c.SeriesId, "");
        Assert.Equal($"{c.Today:yyyy-MM-dd}", byDefault["to"]!.GetValue<string>());
        Assert.Equal(30, byDefault["groups"]!.AsArray().Count);
        AssertRow(byDefault["totals"]!, 4, 3, 35, 350);
    }

    [Fact]
    public async Task The_console_series_page_shows_the_same_figures_for_the_range_picked()
    {
        var c = await CampaignAsync();
        var browser = await ConsoleBrowser.SignedInAsync(app, c.Org.AdminTill, c.Org.Password);
        var page = $"/console/series/{c.SeriesId}";
        var html = await browser.GetHtmlAsync($"{page}?from={c.Today.AddDays(-2):yyyy-MM-dd}&to={c.Today:yyyy-MM-dd}&groupBy=store");
        Assert.Contains("id=\"fig-issued\">4<", html);
        Assert.Contains("id=\"fig-redeemed\">3<", html);
        Assert.Contains("id=\"fig-rate\">75 %<", html);
        Assert.Contains("id=\"fig-discount\">35.00<", html);
        Assert.Contains("id=\"fig-bills\">350.00<", html);
        Assert.Contains("<option value=\"store\" selected=\"selected\">", html);
        Assert.Matches("data-key=\"\\d+\">\\s*<td data-label=\"Store\">north</td>", html);

        var oneDay = await browser.GetHtmlAsync($"{page}?from={c.Today.AddDays(-1):yyyy-MM-dd}&to={c.Today.AddDays(-1):yyyy-MM-dd}");
        Assert.Contains("id=\"fig-redeemed\">1<", oneDay);
        Assert.Contains($"data-key=\"{c.Today.AddDays(-1):yyyy-MM-dd}\"", oneDay);

        Assert.Contains("from must not be after to", await browser.GetHtmlAsync($"{page}?from=2026-02-02&to=2026-02-01"));
    }

    [Theory]
    [InlineData("groupBy=month", "groupBy")]
    [InlineData("from=2026-13-01", "from")]
    [InlineData("to=yesterday", "to")]
    [InlineData("from=2026-02-02&to=2026-02-01", "from")]
    [InlineData("from=2000-01-01&to=2026-01-01", "span")]
    public async Task Bad_parameters_get_400_naming_them(string query, string named)
    {
        var org = await TestOrg.CreateAsync(app);
        var id = V11.Id(await org.SeriesAsync());
        var response = await org.Admin.GetAsync($"/v2/coupon/series/{id}/stats?{query}");
        var body = await response.Json();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(named, body["errors"]![0]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Another_organisations_series_is_not_found_and_tills_may_not_ask()
    {
        var org = await TestOrg.CreateAsync(app);
        var other = await TestOrg.CreateAsync(app);
        var id = V11.Id(await org.SeriesAsync());
        var theirs = await other.Admin.GetAsync($"/v2/coupon/series/{id}/stats");
        Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
        Assert.Equal(707, (await theirs.Json()).ErrorCode());
        Assert.Equal(HttpStatusCode.Forbidden, (await (await org.TillAsync()).GetAsync($"/v2/coupon/series/{id}/stats")).StatusCode);
    }
}
