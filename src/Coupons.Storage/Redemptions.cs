using Coupons.Core;
using Dapper;

namespace Coupons.Storage;

/// <summary>What happens to a redemption after the till: reversal (v1.1 redemption reversal) and attaching the
/// transaction's details (v2 PUT coupon/redeem).</summary>
public abstract partial class SqlStore
{
    public async Task<Result<IReadOnlyList<ReversedRedemption>>> ReverseAsync(Caller caller, IReadOnlyList<long> redemptionIds)
    {
        if (redemptionIds.Count == 0) return new Outcome(Status.NoRedemptionIds);
        try
        {
            return await WriteAsync<Result<IReadOnlyList<ReversedRedemption>>>(async (c, tx) =>
            {
                var now = Now;
                var reversed = new List<ReversedRedemption>();
                foreach (var id in redemptionIds.Distinct().Order())
                {
                    // The redeemer's row first, as a redemption takes it: a reversal and a redemption of the same
                    // customer then queue on it, instead of taking coupon and series rows in opposite orders (a
                    // deadlock, which the guarantees harness met under load).
                    await c.ExecuteAsync(
                        $"SELECT id FROM customers WHERE id = (SELECT customer_id FROM redemptions WHERE org_id = @orgId AND id = @id){ForUpdate}",
                        new { orgId = caller.OrgId, id }, tx);
                    var r = await c.QuerySingleOrDefaultAsync<ReversedRow>(
                        $"""
                        SELECT r.coupon_id, r.series_id, r.customer_id, c.code, r.bill_amount, r.discount_amount FROM redemptions r JOIN coupons c ON c.id = r.coupon_id
                        WHERE r.org_id = @orgId AND r.id = @id AND r.reversed_at IS NULL{ForUpdateOf("r")}
                        """, new { orgId = caller.OrgId, id }, tx);
                    if (r is null) throw new Abort(new Outcome(Status.InvalidRedemptionIds, $"{Status.Message(Status.InvalidRedemptionIds)}: {id}"));
                    await c.ExecuteAsync("UPDATE redemptions SET reversed_at = @now, reversed_by_till_id = @till WHERE id = @id", new { id, now, till = caller.Till.Id }, tx);
                    await c.ExecuteAsync("UPDATE coupons SET num_redemptions = num_redemptions - 1 WHERE id = @CouponId", r, tx);
                    await c.ExecuteAsync("UPDATE series SET num_redeemed = num_redeemed - 1 WHERE id = @SeriesId", r, tx);
                    await OutboxAsync(c, tx, caller.OrgId, [new CouponEvent(CouponEvents.RedemptionReversed, r.CouponId, r.Code, r.SeriesId, r.CustomerId, id)], now);
                    reversed.Add(new ReversedRedemption(id, r.Code, r.BillAmount, r.DiscountAmount));
                }
                return Result<IReadOnlyList<ReversedRedemption>>.Success(reversed);
            });
        }
        catch (Abort a)
        {
            return (Outcome)a.Result;
        }
    }

    public Task<Result<AmendedRedemption>> AmendRedemptionAsync(
        Caller caller, long redemptionId, string? transactionNumber, decimal? billAmount, IReadOnlyList<CustomFields.Field> customFields) =>
        WriteAsync<Result<AmendedRedemption>>(async (c, tx) =>
        {
            var r = await c.QuerySingleOrDefaultAsync<Redemption>(
                $"""
                SELECT id, org_id, coupon_id, series_id, customer_id, till_id, store_id, redeemed_at, transaction_number, bill_amount, custom_fields,
                       discount_amount
                FROM redemptions WHERE org_id = @orgId AND id = @redemptionId AND reversed_at IS NULL{ForUpdate}
                """, new { orgId = caller.OrgId, redemptionId }, tx);
            if (r is null) return new Outcome(Status.InvalidRedemptionIds, $"{Status.Message(Status.InvalidRedemptionIds)}: {redemptionId}");
            var series = billAmount is null ? null : await GetSeriesAsync(c, tx, caller.OrgId, r.SeriesId, lockRow: false);
            if (billAmount is { } amount && !RedeemRules.BillAmountAllowed(series!, amount))
                return new Outcome(Status.InvalidTransactionAmount);
            var changed = r with
            {
                TransactionNumber = transactionNumber ?? r.TransactionNumber,
                BillAmount = billAmount ?? r.BillAmount,
                // A new bill amount gets its discount as the till would have been told it at redeem.
                DiscountAmount = billAmount is null ? r.DiscountAmount : Discounts.For(series!, billAmount, caller.Org.CurrencyDecimals),
                CustomFields = CustomFields.Merge(r.CustomFields, customFields),
            };
            await c.ExecuteAsync(
                "UPDATE redemptions SET transaction_number = @TransactionNumber, bill_amount = @BillAmount, custom_fields = @CustomFields, discount_amount = @DiscountAmount WHERE id = @Id",
                changed, tx);
            var code = await c.ExecuteScalarAsync<string>("SELECT code FROM coupons WHERE id = @CouponId", changed, tx);
            return Result<AmendedRedemption>.Success(new AmendedRedemption(changed, code!));
        });

    sealed class ReversedRow
    {
        public long CouponId { get; set; }
        public long SeriesId { get; set; }
        public long CustomerId { get; set; }
        public string Code { get; set; } = "";
        public decimal? BillAmount { get; set; }
        public decimal? DiscountAmount { get; set; }
    }
}
