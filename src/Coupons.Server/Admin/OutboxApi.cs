using Coupons.Core;
using Coupons.Server.Auth;
using Coupons.Server.Formats;
using Coupons.Server.OpenApi;
using Coupons.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coupons.Server.Admin;

public sealed record DeliveryPage(IReadOnlyList<Delivery> Messages, int Offset, int Limit);
public sealed record DeliveryDetail(Delivery Message, IReadOnlyList<DeliveryAttempt> Attempts);
public sealed record RetryAccepted(bool Success, long Id);

/// <summary>The organisation's outgoing messages (SMS, email, webhooks): what failed or is dead, each attempt, and a retry. Admin tills only.</summary>
public static class OutboxApi
{
    static readonly string[] Filters = ["pending", "sending", "sent", "dead", "cancelled", "failing"];

    public static RouteGroupBuilder MapOutboxAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v2/outbox/messages").WithTags("Admin: outgoing messages")
            .RequireAuthorization(TillAuth.Admin).RequireRateLimiting(TillRateLimit.Policy)
            .WithErrorBody<ErrorEnvelope>();
        group.MapGet("/", List).WithName("listMessages").WithSummary("Outgoing messages, newest first");
        group.MapGet("/{id:long}", Get).WithName("getMessage").WithSummary("One outgoing message with every attempt");
        group.MapPost("/{id:long}/retry", Retry).WithName("retryMessage").WithSummary("Send a dead or failing message again");
        return group;
    }

    static async Task<Results<Ok<DeliveryPage>, JsonHttpResult<ErrorEnvelope>>> List(TillIdentity till, ICouponStore store, string? status, int? offset, int? limit)
    {
        var filter = string.IsNullOrWhiteSpace(status) ? null : status.Trim().ToLowerInvariant();
        if (filter is not null && !Filters.Contains(filter))
            return V2Envelope.Error(400, Status.BadRequest, $"status must be one of {string.Join(", ", Filters)}");
        var o = offset ?? 0;
        var l = limit ?? 50;
        if (o < 0 || l is < 1 or > 500) return V2Envelope.Error(400, Status.BadRequest, "offset must be >= 0 and limit 1..500");
        return TypedResults.Ok(new DeliveryPage(await store.ListDeliveriesAsync(till.Caller.OrgId, filter, o, l), o, l));
    }

    static async Task<Results<Ok<DeliveryDetail>, JsonHttpResult<ErrorEnvelope>>> Get(long id, TillIdentity till, ICouponStore store) =>
        await store.GetDeliveryAsync(till.Caller.OrgId, id) is { } found
            ? TypedResults.Ok(new DeliveryDetail(found.Delivery, found.Attempts))
            : V2Envelope.Error(404, Status.NotFound, "no message with this id");

    static async Task<Results<Ok<RetryAccepted>, JsonHttpResult<ErrorEnvelope>>> Retry(long id, TillIdentity till, ICouponStore store)
    {
        var orgId = till.Caller.OrgId;
        if (await store.GetDeliveryAsync(orgId, id) is not { } found) return V2Envelope.Error(404, Status.NotFound, "no message with this id");
        if (!await store.RetryDeliveryAsync(orgId, id))
            return V2Envelope.Error(409, Status.Conflict, $"only a dead or pending message can be retried; this one is {found.Delivery.Status}");
        return TypedResults.Ok(new RetryAccepted(true, id));
    }
}
