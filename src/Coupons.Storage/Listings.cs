using System.Collections.Concurrent;
using System.Data.Common;
using Coupons.Core;
using Dapper;

namespace Coupons.Storage;

/// <summary>Customer listings (v1.1 customer coupons, v2 customers/{id}/coupons) and the details around any set of coupons, each in a fixed number of queries.</summary>
public abstract partial class SqlStore
{
    public Task<IReadOnlyList<CouponDetail>> ListCustomerCouponsAsync(long orgId, long customerId) =>
        ReadAsync(async c =>
        {
            var coupons = (await c.QueryAsync<Coupon>(
                $"SELECT {CouponColumns} FROM coupons c WHERE c.org_id = @orgId AND c.customer_id = @customerId ORDER BY c.id DESC",
                new { orgId, customerId })).ToList();
            // A customer may hold thousands of coupons: name them by the same condition rather than by a list of ids
            // (on SQLite every id of a list is a parameter to bind, which grows as the square of the list).
            const string held = "(SELECT {0} FROM coupons WHERE org_id = @orgId AND customer_id = @customerId)";
            return await DetailsAsync(c, orgId, coupons, "id IN " + string.Format(held, "series_id"), "r.coupon_id IN " + string.Format(held, "id"), new { orgId, customerId });
        });

    /// <summary>
    /// Everything around a set of coupons in four queries whatever their number: series, customers, stores, redemptions.
    /// <paramref name="seriesFilter"/> and <paramref name="redemptionFilter"/> pick the coupons' series and redemptions, with <paramref name="args"/>.
    /// </summary>
    async Task<IReadOnlyList<CouponDetail>> DetailsAsync(DbConnection c, long orgId, List<Coupon> coupons, string seriesFilter, string redemptionFilter, object args)
    {
        if (coupons.Count == 0) return [];
        var series = await SeriesOfAsync(c, seriesFilter, args);
        var redemptions = (await c.QueryAsync<RedemptionRow>(
            $"""
            SELECT r.id, r.org_id, r.coupon_id, r.series_id, r.customer_id, r.till_id, r.store_id, r.redeemed_at, r.transaction_number,
                   r.bill_amount, r.custom_fields, r.reversed_at, r.discount_amount, t.code AS till_code
            FROM redemptions r JOIN tills t ON t.id = r.till_id
            WHERE r.org_id = @orgId AND {redemptionFilter} ORDER BY r.id
            """, args)).ToList();
        var customerIds = coupons.Where(k => k.CustomerId is not null).Select(k => k.CustomerId!.Value).Concat(redemptions.Select(r => r.CustomerId)).Distinct().ToArray();
        var customers = (await c.QueryAsync<Customer>($"SELECT {CustomerColumns} FROM customers WHERE org_id = @orgId AND {InList("id", "@customerIds")}", new { orgId, customerIds }))
            .ToDictionary(k => k.Id);
        var storeIds = coupons.Where(k => k.IssuedAtStoreId is not null).Select(k => k.IssuedAtStoreId!.Value).Concat(redemptions.Select(r => r.StoreId)).Distinct().ToArray();
        var stores = (await c.QueryAsync<StoreRow>($"SELECT id, org_id, code, name FROM stores WHERE org_id = @orgId AND {InList("id", "@storeIds")}", new { orgId, storeIds }))
            .ToDictionary(s => s.Id, s => new Store(s.Id, s.OrgId, s.Code, s.Name));
        var byCoupon = redemptions.ToLookup(r => r.CouponId);
        return coupons.Select(k => new CouponDetail(
            k, series[k.SeriesId],
            k.CustomerId is { } cid ? customers.GetValueOrDefault(cid) : null,
            k.IssuedAtStoreId is { } sid ? stores.GetValueOrDefault(sid) : null,
            byCoupon[k.Id].Select(r => new RedemptionView(r.ToRedemption(), r.TillCode, stores[r.StoreId], customers[r.CustomerId])).ToList()))
            .ToList();
    }

    // The parsed config of each series listed, with the config_version it was read at; per store, as series ids are.
    readonly ConcurrentDictionary<long, (int Version, Series Config)> listedConfigs = new();

    /// <summary>
    /// The series <paramref name="seriesFilter"/> picks. Their configs are read only when one of them has a config_version
    /// not parsed yet: a customer's coupons may be of a thousand series, and reading their configs (kilobytes of JSON
    /// each) cost more than all the rest of the listing.
    /// </summary>
    async Task<Dictionary<long, Series>> SeriesOfAsync(DbConnection c, string seriesFilter, object args)
    {
        const string withoutConfig = "id, org_id, config_version, num_issued, num_redeemed, num_uploaded_total, num_uploaded_non_issued, created_at, last_used, paused_at, archived_at";
        var rows = (await c.QueryAsync<SeriesRow>($"SELECT {withoutConfig} FROM series WHERE org_id = @orgId AND {seriesFilter}", args)).AsList();
        var series = new Dictionary<long, Series>(rows.Count);
        foreach (var r in rows)
        {
            if (!listedConfigs.TryGetValue(r.Id, out var known) || known.Version != r.ConfigVersion) break;
            series[r.Id] = r.ToSeries(known.Config);
        }
        if (series.Count == rows.Count) return series;

        series.Clear();
        foreach (var r in await c.QueryAsync<SeriesRow>($"SELECT {SeriesColumns}, config_version FROM series WHERE org_id = @orgId AND {seriesFilter}", args))
        {
            var config = ParsedConfig(r.Config!);
            if (listedConfigs.Count >= 10_000) listedConfigs.Clear();
            listedConfigs[r.Id] = (r.ConfigVersion, config);
            series[r.Id] = r.ToSeries(config);
        }
        return series;
    }

    sealed class RedemptionRow
    {
        public long Id { get; set; }
        public long OrgId { get; set; }
        public long CouponId { get; set; }
        public long SeriesId { get; set; }
        public long CustomerId { get; set; }
        public long TillId { get; set; }
        public long StoreId { get; set; }
        public DateTimeOffset RedeemedAt { get; set; }
        public string? TransactionNumber { get; set; }
        public decimal? BillAmount { get; set; }
        public string? CustomFields { get; set; }
        public DateTimeOffset? ReversedAt { get; set; }
        public decimal? DiscountAmount { get; set; }
        public string TillCode { get; set; } = "";

        public Redemption ToRedemption() => new()
        {
            Id = Id,
            OrgId = OrgId,
            CouponId = CouponId,
            SeriesId = SeriesId,
            CustomerId = CustomerId,
            TillId = TillId,
            StoreId = StoreId,
            RedeemedAt = RedeemedAt,
            TransactionNumber = TransactionNumber,
            BillAmount = BillAmount,
            CustomFields = CustomFields,
            ReversedAt = ReversedAt,
            DiscountAmount = DiscountAmount,
        };
    }
}
