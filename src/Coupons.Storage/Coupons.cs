using Coupons.Core;
using Dapper;

namespace Coupons.Storage;

/// <summary>One coupon at a time: look-up by id or code (v1.1 coupon/get), resend, revoke.</summary>
public abstract partial class SqlStore
{
    const string CouponColumns =
        "c.id, c.org_id, c.series_id, c.code, c.customer_id, c.issued_by_till_id, c.issued_at_store_id, c.issued_on, c.valid_till, c.pin_code, c.num_redemptions, c.revoked, c.metadata";

    /// <summary>The coupon columns as an INSERT or UPDATE of coupons returns them (<see cref="CouponColumns"/> without the alias).</summary>
    const string ReturnedCoupon =
        "id, org_id, series_id, code, customer_id, issued_by_till_id, issued_at_store_id, issued_on, valid_till, pin_code, num_redemptions, revoked, metadata";

    public Task<IReadOnlyList<CouponDetail>> GetCouponsAsync(long orgId, IReadOnlyList<long> ids, IReadOnlyList<string> codes) =>
        ReadAsync(async c =>
        {
            var keys = codes.Select(CodeGenerator.Normalize).ToArray();
            var coupons = (await c.QueryAsync<Coupon>(
                $"SELECT {CouponColumns} FROM coupons c WHERE c.org_id = @orgId AND ({InList("c.id", "@ids")} OR {InList("c.code_key", "@keys")}) ORDER BY c.id",
                new { orgId, ids = ids.ToArray(), keys }, null)).ToList();
            var couponIds = coupons.Select(k => k.Id).ToArray();
            var seriesIds = coupons.Select(k => k.SeriesId).Distinct().ToArray();
            return await DetailsAsync(c, orgId, coupons, InList("id", "@seriesIds"), InList("r.coupon_id", "@couponIds"), new { orgId, seriesIds, couponIds });
        });

    public async Task<Result<CouponDetail>> ResendAsync(Caller caller, CustomerRef who, long? couponId, string? code)
    {
        if (couponId is null && string.IsNullOrWhiteSpace(code)) return new Outcome(Status.EitherIdOrCode);
        var ids = await WriteAsync<Result<long>>(async (c, tx) =>
        {
            // The spec's sample names the coupon alone (resend?id=…): without a customer it goes to the coupon's holder.
            Customer? customer = null;
            if (!who.IsEmpty)
            {
                customer = await FindCustomerAsync(c, tx, caller.OrgId, who, lockRow: true);
                if (customer is null) return new Outcome(Status.CustomerNotFound);
            }
            var coupon = await c.QueryFirstOrDefaultAsync<Coupon>(
                $"""
                SELECT {CouponColumns} FROM coupons c
                WHERE c.org_id = @orgId AND {(couponId is null ? "c.code_key = @key" : "c.id = @couponId")} AND c.customer_id IS NOT NULL
                ORDER BY CASE WHEN c.customer_id = @customerId THEN 0 ELSE 1 END LIMIT 1
                """, new { orgId = caller.OrgId, couponId, key = CodeGenerator.Normalize(code ?? ""), customerId = customer?.Id ?? 0 }, tx);
            if (coupon is null) return new Outcome(Status.InvalidCode);
            if (customer is not null && coupon.CustomerId != customer.Id) return new Outcome(Status.NotIssuedToCustomer);
            if (coupon.Revoked) return new Outcome(Status.Revoked);
            customer ??= await c.QuerySingleAsync<Customer>(
                $"SELECT {CustomerColumns} FROM customers WHERE org_id = @orgId AND id = @id", new { orgId = caller.OrgId, id = coupon.CustomerId }, tx);
            var series = await GetSeriesAsync(c, tx, caller.OrgId, coupon.SeriesId, lockRow: false);
            if (series is not null && MessageTemplates.CannotResend(series, customer) is { } cannot) return cannot;
            var resent = series is null ? CouponEvent.Of(CouponEvents.Resent, coupon, customer.Id) : CouponEvent.ToCustomer(CouponEvents.Resent, coupon, series, customer);
            await OutboxAsync(c, tx, caller.OrgId, [resent], Now);
            return Result<long>.Success(coupon.Id);
        });
        if (!ids.Ok) return ids.Outcome;
        return Result<CouponDetail>.Success((await GetCouponsAsync(caller.OrgId, [ids.Value], [])).Single());
    }

    public Task<bool> RevokeAsync(long orgId, long couponId) =>
        WriteAsync(async (c, tx) => await c.ExecuteAsync(
            "UPDATE coupons SET revoked = TRUE WHERE org_id = @orgId AND id = @couponId AND customer_id IS NOT NULL",
            new { orgId, couponId }, tx) == 1);
}
