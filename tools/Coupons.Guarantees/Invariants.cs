using System.Data.Common;
using System.Text.Json.Nodes;
using Dapper;

namespace Coupons.Guarantees;

/// <summary>
/// What must hold in the database whatever happened before, read with SQL and not from any response:
/// counters equal the rows they count, no limit is exceeded, and every committed change has its outbox row.
/// </summary>
public static class Invariants
{
    public static async Task CheckAsync(Database db, Report report)
    {
        await using var c = await db.OpenAsync();
        var series = (await c.QueryAsync<SeriesRow>(
            """
            SELECT s.id, s.config, s.max_create, s.max_redeem, s.num_issued, s.num_redeemed, s.num_uploaded_non_issued,
                   (SELECT COUNT(*) FROM coupons c WHERE c.series_id = s.id AND c.customer_id IS NOT NULL) AS issued_rows,
                   (SELECT COUNT(*) FROM coupons c WHERE c.series_id = s.id AND c.customer_id IS NULL) AS unissued_rows,
                   (SELECT COUNT(*) FROM redemptions r WHERE r.series_id = s.id AND r.reversed_at IS NULL) AS live_rows
            FROM series s ORDER BY s.id
            """)).ToDictionary(s => s.Id);
        foreach (var s in series.Values)
        {
            report.Expect(s.NumIssued == s.IssuedRows, $"series {s.Id}: num_issued {s.NumIssued} but {s.IssuedRows} issued coupons");
            report.Expect(s.NumRedeemed == s.LiveRows, $"series {s.Id}: num_redeemed {s.NumRedeemed} but {s.LiveRows} live redemptions");
            report.Expect(s.NumUploadedNonIssued == s.UnissuedRows, $"series {s.Id}: num_uploaded_non_issued {s.NumUploadedNonIssued} but {s.UnissuedRows} unissued codes");
            report.Expect(s.MaxCreate < 0 || s.IssuedRows <= s.MaxCreate, $"series {s.Id}: {s.IssuedRows} coupons issued over maxCreate {s.MaxCreate}");
            report.Expect(s.MaxRedeem <= 0 || s.LiveRows <= s.MaxRedeem, $"series {s.Id}: {s.LiveRows} redemptions over maxRedeem {s.MaxRedeem}");
        }

        var couponMismatches = await c.QueryAsync<(long Id, long Counter, long Live)>(
            """
            SELECT id, num_redemptions, live FROM (
              SELECT c.id, c.num_redemptions,
                     (SELECT COUNT(*) FROM redemptions r WHERE r.coupon_id = c.id AND r.reversed_at IS NULL) AS live
              FROM coupons c) x
            WHERE num_redemptions <> live
            """);
        foreach (var m in couponMismatches) report.Violation($"coupon {m.Id}: num_redemptions {m.Counter} but {m.Live} live redemptions");

        foreach (var (id, seriesId, uses) in await c.QueryAsync<(long, long, long)>(
                     "SELECT c.id, c.series_id, (SELECT COUNT(*) FROM redemptions r WHERE r.coupon_id = c.id AND r.reversed_at IS NULL) AS n FROM coupons c WHERE c.num_redemptions > 1"))
        {
            var config = series[seriesId].Settings;
            var limit = !config.MultipleUse ? 1 : config.PerCouponLimit;
            report.Expect(limit <= 0 || uses <= limit, $"coupon {id}: redeemed {uses} times, its limit is {limit}");
        }

        foreach (var (seriesId, customerId, held) in await c.QueryAsync<(long, long, long)>(
                     """
                     SELECT series_id, customer_id, COUNT(*) FROM coupons WHERE customer_id IS NOT NULL AND NOT revoked
                     GROUP BY series_id, customer_id HAVING COUNT(*) > 1
                     """))
        {
            var config = series[seriesId].Settings;
            var limit = !config.MultipleVouchersPerUser ? 1 : config.MaxVouchersPerUser;
            report.Expect(limit <= 0 || held <= limit, $"customer {customerId} holds {held} coupons of series {seriesId}, the limit is {limit}");
        }

        foreach (var (seriesId, customerId, redeemed) in await c.QueryAsync<(long, long, long)>(
                     "SELECT series_id, customer_id, COUNT(*) FROM redemptions WHERE reversed_at IS NULL GROUP BY series_id, customer_id HAVING COUNT(*) > 1"))
        {
            var limit = series[seriesId].Settings.MaxRedemptionsPerUser;
            report.Expect(limit <= 0 || redeemed <= limit, $"customer {customerId} has {redeemed} redemptions in series {seriesId}, the limit is {limit}");
        }

        await CheckOutboxAsync(c, report);
    }

    /// <summary>
    /// In every organisation with a webhook endpoint for the kind (the harness subscribes one to every event before
    /// any change): every issued coupon has exactly one coupon.issued message, every redemption one coupon.redeemed,
    /// every reversal one coupon.redemption_reversed. Everywhere: no message twice, none for a row that is not there.
    /// </summary>
    static async Task CheckOutboxAsync(DbConnection c, Report report)
    {
        var issued = new Dictionary<long, int>();
        var redeemed = new Dictionary<long, int>();
        var reversed = new Dictionary<long, int>();
        foreach (var (kind, payload) in await c.QueryAsync<(string, string)>("SELECT kind, payload FROM outbox"))
        {
            var p = JsonNode.Parse(payload)!;
            switch (kind)
            {
                case "coupon.issued": Count(issued, p["couponId"]); break;
                case "coupon.redeemed": Count(redeemed, p["redemptionId"]); break;
                case "coupon.redemption_reversed": Count(reversed, p["redemptionId"]); break;
            }
        }
        Compare(report, "coupon.issued", "issued coupon", issued,
            await c.QueryAsync<long>("SELECT id FROM coupons WHERE customer_id IS NOT NULL"),
            await c.QueryAsync<long>($"SELECT id FROM coupons WHERE customer_id IS NOT NULL AND {Watched("coupon.issued")}"));
        Compare(report, "coupon.redeemed", "redemption", redeemed, await c.QueryAsync<long>("SELECT id FROM redemptions"),
            await c.QueryAsync<long>($"SELECT id FROM redemptions WHERE {Watched("coupon.redeemed")}"));
        Compare(report, "coupon.redemption_reversed", "reversed redemption", reversed,
            await c.QueryAsync<long>("SELECT id FROM redemptions WHERE reversed_at IS NOT NULL"),
            await c.QueryAsync<long>($"SELECT id FROM redemptions WHERE reversed_at IS NOT NULL AND {Watched("coupon.redemption_reversed")}"));
    }

    static string Watched(string kind) =>
        $"org_id IN (SELECT org_id FROM webhook_endpoints WHERE ',' || events || ',' LIKE '%,{kind},%')";

    static void Count(Dictionary<long, int> d, JsonNode? id)
    {
        if (id is null) return;
        var key = id.GetValue<long>();
        d[key] = d.GetValueOrDefault(key) + 1;
    }

    static void Compare(Report report, string kind, string what, Dictionary<long, int> messages, IEnumerable<long> rows, IEnumerable<long> watched)
    {
        var ids = rows.ToHashSet();
        var missing = watched.Where(id => !messages.ContainsKey(id)).ToList();
        var twice = messages.Where(m => m.Value > 1).Select(m => m.Key).ToList();
        var orphans = messages.Keys.Where(id => !ids.Contains(id)).ToList();
        if (missing.Count > 0) report.Violation($"outbox: {missing.Count} {what}s without a {kind} message, e.g. {string.Join(", ", missing.Take(5))}");
        if (twice.Count > 0) report.Violation($"outbox: {twice.Count} {what}s with more than one {kind} message, e.g. {string.Join(", ", twice.Take(5))}");
        if (orphans.Count > 0) report.Violation($"outbox: {orphans.Count} {kind} messages for no {what}, e.g. {string.Join(", ", orphans.Take(5))}");
    }

    public static async Task<long> ScalarAsync(Database db, string sql, object? args = null)
    {
        await using var c = await db.OpenAsync();
        return await c.ExecuteScalarAsync<long>(sql, args);
    }

    sealed class SeriesRow
    {
        public long Id { get; set; }
        public string Config { get; set; } = "{}";
        public long MaxCreate { get; set; }
        public long MaxRedeem { get; set; }
        public long NumIssued { get; set; }
        public long NumRedeemed { get; set; }
        public long NumUploadedNonIssued { get; set; }
        public long IssuedRows { get; set; }
        public long UnissuedRows { get; set; }
        public long LiveRows { get; set; }

        public SeriesSettings Settings => field ??= SeriesSettings.Parse(Config);
    }
}

/// <summary>The limits of a series, from its stored configuration.</summary>
public sealed record SeriesSettings(bool MultipleUse, int PerCouponLimit, bool MultipleVouchersPerUser, int MaxVouchersPerUser, int MaxRedemptionsPerUser)
{
    public static SeriesSettings Parse(string config)
    {
        var j = JsonNode.Parse(config)!;
        bool B(string name) => j[name]?.GetValue<bool>() ?? false;
        int I(string name) => j[name]?.GetValue<int>() ?? -1;
        return new(B("isMultipleUseAllowed"), I("redemptionPerCouponMaxLimit"), B("isMultipleVouchersPerUserAllowed"),
            I("maxVouchersPerUser"), I("maxRedemptionsInSeriesPerUser"));
    }
}
