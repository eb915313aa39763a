using System.Runtime.CompilerServices;
using Dapper;

namespace Coupons.Storage;

/// <summary>One coupon of a series as its export lists it.</summary>
public sealed class CouponExportRow
{
    public long Id { get; set; }
    public string Code { get; set; } = "";
    public long? CustomerId { get; set; }
    public string? ExternalId { get; set; }
    public DateTimeOffset? IssuedOn { get; set; }
    public string? IssuedAtStore { get; set; }
    public DateTimeOffset? ValidTill { get; set; }
    public int NumRedemptions { get; set; }
    public bool Revoked { get; set; }
}

/// <summary>One redemption as its export lists it.</summary>
public sealed class RedemptionExportRow
{
    public long Id { get; set; }
    public DateTimeOffset RedeemedAt { get; set; }
    public string SeriesCode { get; set; } = "";
    public string Code { get; set; } = "";
    public string StoreCode { get; set; } = "";
    public string TillCode { get; set; } = "";
    public long CustomerId { get; set; }
    public string? ExternalId { get; set; }
    public decimal? BillAmount { get; set; }
    public decimal? DiscountAmount { get; set; }
    public string? TransactionNumber { get; set; }
    public DateTimeOffset? ReversedAt { get; set; }
}

/// <summary>
/// Exports (issue #18): a series' coupons, and redemptions over a time range, as rows read one at a time from an open
/// reader, so a caller writing them out holds one row at a time whatever their number. The organisation-wide
/// redemption export has no index of its own on (org_id, redeemed_at): every redemption would pay for one, for a report.
/// </summary>
public abstract partial class SqlStore
{
    public async IAsyncEnumerable<CouponExportRow> ExportCouponsAsync(long orgId, long seriesId, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var c = await OpenReadAsync();
        await foreach (var row in c.QueryUnbufferedAsync<CouponExportRow>(
                           """
                           SELECT c.id, c.code, c.customer_id, u.external_id, c.issued_on, s.code AS issued_at_store, c.valid_till,
                                  c.num_redemptions, c.revoked
                           FROM coupons c LEFT JOIN customers u ON u.id = c.customer_id LEFT JOIN stores s ON s.id = c.issued_at_store_id
                           WHERE c.org_id = @orgId AND c.series_id = @seriesId
                           ORDER BY c.id
                           """, new { orgId, seriesId }).WithCancellation(ct))
            yield return row;
    }

    public async IAsyncEnumerable<RedemptionExportRow> ExportRedemptionsAsync(
        long orgId, long? seriesId, DateTimeOffset since, DateTimeOffset until, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var c = await OpenReadAsync();
        await foreach (var row in c.QueryUnbufferedAsync<RedemptionExportRow>(
                           $"""
                           SELECT r.id, r.redeemed_at, se.series_code, k.code, st.code AS store_code, t.code AS till_code, r.customer_id,
                                  u.external_id, r.bill_amount, r.discount_amount, r.transaction_number, r.reversed_at
                           FROM redemptions r
                           JOIN coupons k ON k.id = r.coupon_id JOIN series se ON se.id = r.series_id JOIN stores st ON st.id = r.store_id
                           JOIN tills t ON t.id = r.till_id JOIN customers u ON u.id = r.customer_id
                           WHERE r.org_id = @orgId{(seriesId is null ? "" : " AND r.series_id = @seriesId")} AND r.redeemed_at >= @since AND r.redeemed_at < @until
                           ORDER BY r.redeemed_at, r.id
                           """, new { orgId, seriesId, since, until }).WithCancellation(ct))
            yield return row;
    }
}
