using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Coupons.Bench;

/// <summary>
/// The data set, made by bulk SQL (not through the API): <see cref="Series"/> series copied from one template made
/// through the admin API, <see cref="Customers"/> customers holding ten coupons each (customer k's coupon s is of
/// series 10k + s + k/100: concurrent redeems spread over all series, and neighbours' bulk redeems share none), one more customer holding 1,000,
/// two flash-sale series (one for the raw run, one for the service) capped at <see cref="FlashMax"/>, and one campaign
/// series of <see cref="Campaign"/> coupons, the first customers holding one each (everyone redeeming the same campaign).
/// </summary>
sealed record DataSet(int Coupons, int Customers, int Series, int FlashMax, int Campaign)
{
    public const int PerCustomer = 10;
    public const int HeavyCoupons = 1000;
    public long SeriesBase { get; init; }
    public long CustomerBase { get; init; }
    public long HotRaw { get; init; }
    public long HotService { get; init; }
    public long CampaignSeries { get; init; }
    public long TillId { get; init; }
    public long StoreId { get; init; }
    public long HeavyCustomerId => CustomerBase + Customers;

    /// <summary>Customer i (0-based) and coupon slot s (0..9) of that customer.</summary>
    public static string Mobile(long i) => $"44{i + 1:D9}";
    public long CustomerId(long i) => CustomerBase + i;
    public static string Code(long customer, int slot) => $"BK{customer * PerCustomer + slot + 1:D8}";
    /// <summary>The series of customer i's coupon in slot s, as the data set's INSERT computes it.</summary>
    public long SeriesOf(long customer, int slot) => SeriesBase + (customer * PerCustomer + slot + customer / 100) % Series;
    /// <summary>The campaign coupon of customer i (i &lt; <see cref="Campaign"/>).</summary>
    public static string CampaignCode(long customer) => $"BC{customer + 1:D8}";

    public static async Task<DataSet> CreateAsync(Db db, HttpClient admin, DataSet sizes, Action<string> log)
    {
        var sw = Stopwatch.StartNew();
        var template = await SeriesAsync(admin, "BENCH-T", -1);
        var hotRaw = await SeriesAsync(admin, "BENCH-HOT-RAW", sizes.FlashMax);
        var hotService = await SeriesAsync(admin, "BENCH-HOT-SVC", sizes.FlashMax);
        var campaign = await SeriesAsync(admin, "BENCH-CAMPAIGN", -1);
        await using var c = await db.OpenAsync();
        var tillId = (await Db.ScalarAsync(c, null, "SELECT min(id) FROM tills WHERE org_id = 1"))!.Value;
        var storeId = (await Db.ScalarAsync(c, null, "SELECT min(id) FROM stores WHERE org_id = 1"))!.Value;
        var now = db.Time(DateTimeOffset.UtcNow.AddDays(-1));
        // The bench measures throughput, not the per-till rate limit (1,000 requests a minute by default): no limit.
        await Db.ExecAsync(c, null, "UPDATE organisations SET rate_limit_per_minute = 0");
        await using (var tx = await c.BeginTransactionAsync())
        {
            // n(i) counts 1..@n: generate_series on PostgreSQL, a recursive CTE on SQLite.
            string Numbers(string n) => db.Pg ? $"generate_series(1, {n}) AS n(i)" : $"(WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < {n}) SELECT i FROM r) AS n";
            string Pad(string prefix, string expr, int width) => db.Pg ? $"'{prefix}' || lpad(({expr})::text, {width}, '0')" : $"printf('{prefix}%0{width}d', {expr})";
            string Div(string a, string b) => db.Pg ? $"(({a}) / {b})" : $"(({a}) / {b})";

            await Db.ExecAsync(c, tx,
                $"""
                INSERT INTO series (org_id, series_code, config, max_create, max_redeem, created_at)
                SELECT 1, {Pad("BS", "n.i", 5)}, s.config, -1, -1, s.created_at FROM series s, {Numbers("@n")} WHERE s.id = @t
                """, ("n", sizes.Series), ("t", template));
            var seriesBase = (await Db.ScalarAsync(c, tx, "SELECT min(id) FROM series WHERE series_code LIKE 'BS%'"))!.Value;
            log($"  {sizes.Series:N0} series in {sw.Elapsed.TotalSeconds:F1} s");

            await Db.ExecAsync(c, tx,
                $"""
                INSERT INTO customers (org_id, first_name, last_name, mobile, created_at)
                SELECT 1, 'Bench', 'Customer', {Pad("44", "n.i", 9)}, @now FROM {Numbers("@n")}
                """, ("n", sizes.Customers + 1), ("now", now));
            var customerBase = (await Db.ScalarAsync(c, tx, "SELECT min(id) FROM customers WHERE mobile LIKE '44%'"))!.Value;
            var customerMax = (await Db.ScalarAsync(c, tx, "SELECT max(id) FROM customers WHERE mobile LIKE '44%'"))!.Value;
            if (customerMax - customerBase != sizes.Customers) throw new InvalidOperationException("customer ids are not contiguous");
            log($"  {sizes.Customers + 1:N0} customers in {sw.Elapsed.TotalSeconds:F1} s");

            await Db.ExecAsync(c, tx,
                $"""
                INSERT INTO coupons (org_id, series_id, code, code_key, customer_id, issued_by_till_id, issued_at_store_id, issued_on, pin_code, created_at)
                SELECT 1, @s0 + ((n.i - 1) + (n.i - 1) / @per / 100) % @ns, {Pad("BK", "n.i", 8)}, {Pad("BK", "n.i", 8)}, @c0 + {Div("n.i - 1", "@per")}, @till, @store, @now, '0000', @now
                FROM {Numbers("@n")}
                """, ("s0", seriesBase), ("ns", sizes.Series), ("c0", customerBase), ("per", PerCustomer), ("till", tillId), ("store", storeId),
                ("now", now), ("n", sizes.Coupons));
            await Db.ExecAsync(c, tx,
                $"""
                INSERT INTO coupons (org_id, series_id, code, code_key, customer_id, issued_by_till_id, issued_at_store_id, issued_on, pin_code, created_at)
                SELECT 1, @s0 + (n.i - 1) % @ns, {Pad("BH", "n.i", 8)}, {Pad("BH", "n.i", 8)}, @heavy, @till, @store, @now, '0000', @now
                FROM {Numbers("@n")}
                """, ("s0", seriesBase), ("ns", sizes.Series), ("heavy", customerBase + sizes.Customers), ("till", tillId), ("store", storeId),
                ("now", now), ("n", HeavyCoupons));
            await Db.ExecAsync(c, tx,
                $"""
                INSERT INTO coupons (org_id, series_id, code, code_key, customer_id, issued_by_till_id, issued_at_store_id, issued_on, pin_code, created_at)
                SELECT 1, @s, {Pad("BC", "n.i", 8)}, {Pad("BC", "n.i", 8)}, @c0 + n.i - 1, @till, @store, @now, '0000', @now
                FROM {Numbers("@n")}
                """, ("s", campaign), ("c0", customerBase), ("till", tillId), ("store", storeId), ("now", now), ("n", sizes.Campaign));
            log($"  {sizes.Coupons + HeavyCoupons + sizes.Campaign:N0} coupons in {sw.Elapsed.TotalSeconds:F1} s");
            await tx.CommitAsync();
            sizes = sizes with { SeriesBase = seriesBase, CustomerBase = customerBase };
        }
        await Db.ExecAsync(c, null, "ANALYZE");
        log($"  analysed in {sw.Elapsed.TotalSeconds:F1} s");
        return sizes with { HotRaw = hotRaw, HotService = hotService, CampaignSeries = campaign, TillId = tillId, StoreId = storeId };
    }

    static async Task<long> SeriesAsync(HttpClient admin, string code, int maxCreate)
    {
        var response = await admin.PostAsJsonAsync("/v2/coupon/series", new
        {
            seriesCode = code,
            description = "bench",
            discountValue = 10,
            maxCreate,
            isMultipleVouchersPerUserAllowed = true,
            validTillDate = "2099-12-31T00:00:00Z",
        });
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"creating series {code}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["id"]!.GetValue<long>();
    }
}
