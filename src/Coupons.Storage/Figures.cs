using Coupons.Core;
using Dapper;

namespace Coupons.Storage;

/// <summary>
/// A series' campaign figures (GET /v2/coupon/series/{id}/stats, the console's series page): its issues and live
/// redemptions in a range of instants, streamed row by row into <see cref="CampaignFigures"/>, which groups them by the
/// organisation's days, weeks or stores. Rows are streamed rather than grouped in SQL because the days are local (a
/// zone's day is no UTC day, and offsets such as +05:45 are not whole hours) and SQLite keeps amounts as text, which
/// its SUM would add as binary floating point; both indexes (coupons_series_issued, redemptions_series) cover the range.
/// </summary>
public abstract partial class SqlStore
{
    public async Task<bool> SeriesFiguresAsync(long orgId, long seriesId, CampaignFigures figures, CancellationToken ct = default)
    {
        var (since, until) = figures.Instants;
        await using var c = await OpenReadAsync();
        if (await c.ExecuteScalarAsync<long?>("SELECT id FROM series WHERE org_id = @orgId AND id = @seriesId", new { orgId, seriesId }) is null)
            return false;
        var args = new { orgId, seriesId, since, until };
        await foreach (var r in c.QueryUnbufferedAsync<IssueFigure>(
                           """
                           SELECT issued_on, issued_at_store_id FROM coupons
                           WHERE org_id = @orgId AND series_id = @seriesId AND issued_on >= @since AND issued_on < @until
                           """, args).WithCancellation(ct))
            figures.AddIssue(r.IssuedOn, r.IssuedAtStoreId);
        await foreach (var r in c.QueryUnbufferedAsync<RedemptionFigure>(
                           """
                           SELECT redeemed_at, store_id, bill_amount, discount_amount FROM redemptions
                           WHERE org_id = @orgId AND series_id = @seriesId AND redeemed_at >= @since AND redeemed_at < @until AND reversed_at IS NULL
                           """, args).WithCancellation(ct))
            figures.AddRedemption(r.RedeemedAt, r.StoreId, r.BillAmount, r.DiscountAmount);
        return true;
    }

    sealed class IssueFigure
    {
        public DateTimeOffset IssuedOn { get; set; }
        public long? IssuedAtStoreId { get; set; }
    }

    sealed class RedemptionFigure
    {
        public DateTimeOffset RedeemedAt { get; set; }
        public long StoreId { get; set; }
        public decimal? BillAmount { get; set; }
        public decimal? DiscountAmount { get; set; }
    }
}
