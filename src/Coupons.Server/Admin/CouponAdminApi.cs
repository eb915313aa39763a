using Coupons.Core;
using Coupons.Server.Auth;
using Coupons.Server.Formats;
using Coupons.Server.OpenApi;
using Coupons.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coupons.Server.Admin;

public sealed record Revoked(bool Success, long CouponId);

/// <summary>What customer care does to one coupon. Admin tills only.</summary>
public static class CouponAdminApi
{
    public static RouteGroupBuilder MapCouponAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v2/coupons").WithTags("Admin: coupons")
            .RequireAuthorization(TillAuth.Admin).RequireRateLimiting(TillRateLimit.Policy)
            .WithErrorBody<ErrorEnvelope>();
        group.MapPost("/{id:long}/revoke", Revoke).WithName("revokeCoupon").WithSummary("Revoke an issued coupon (it then answers 660 at redeem)");
        return group;
    }

    static async Task<Results<Ok<Revoked>, JsonHttpResult<ErrorEnvelope>>> Revoke(long id, TillIdentity till, ICouponStore store) =>
        await store.RevokeAsync(till.Caller.OrgId, id)
            ? TypedResults.Ok(new Revoked(true, id))
            : V2Envelope.Error(404, Status.InvalidCode, "no issued coupon with this id");
}
