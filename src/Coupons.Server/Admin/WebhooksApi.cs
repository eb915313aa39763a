using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Coupons.Core;
using Coupons.Server.Auth;
using Coupons.Server.Formats;
using Coupons.Server.OpenApi;
using Coupons.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coupons.Server.Admin;

public sealed record RegisterWebhook([property: Required, Url, MaxLength(2000)] string? Url, [property: Required, MinLength(1)] string[]? Events);
/// <summary>The answer to a registration: the only time the signing secret is shown.</summary>
public sealed record WebhookRegistered(long Id, string Url, IReadOnlyList<string> Events, DateTimeOffset CreatedAt, string Secret);
public sealed record WebhookList(IReadOnlyList<WebhookEndpoint> Webhooks);
public sealed record WebhookDeleted(bool Success, long Id);

/// <summary>Webhook endpoints of the organisation: each receives the events it subscribes to, signed. Admin tills only.</summary>
public static class WebhooksApi
{
    public static RouteGroupBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v2/webhooks").WithTags("Admin: webhooks")
            .RequireAuthorization(TillAuth.Admin).RequireRateLimiting(TillRateLimit.Policy)
            .WithErrorBody<ErrorEnvelope>();
        group.MapPost("/", Register).WithName("registerWebhook").WithSummary("Register a webhook endpoint (answers its signing secret, once)");
        group.MapGet("/", List).WithName("listWebhooks").WithSummary("The webhook endpoints of the organisation");
        group.MapDelete("/{id:long}", Delete).WithName("deleteWebhook").WithSummary("Delete a webhook endpoint and cancel its undelivered messages");
        return group;
    }

    static async Task<Results<Created<WebhookRegistered>, JsonHttpResult<ErrorEnvelope>>> Register(RegisterWebhook body, TillIdentity till, ICouponStore store)
    {
        if (!Uri.TryCreate(body.Url?.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || body.Url!.Length > 2000)
            return V2Envelope.Error(400, Status.BadRequest, "url must be an absolute http or https URL");
        var events = (body.Events ?? []).Select(e => e?.Trim().ToLowerInvariant() ?? "").Distinct().ToList();
        if (events.Count == 0 || events.Any(e => !CouponEvents.All.Contains(e)))
            return V2Envelope.Error(400, Status.BadRequest, $"events must list one or more of {string.Join(", ", CouponEvents.All)}");
        var secret = "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var w = await store.CreateWebhookAsync(till.Caller.OrgId, body.Url.Trim(), events, secret);
        // 201 without a Location: webhook endpoints are read as a list (GET /v2/webhooks).
        return TypedResults.Created((string?)null, new WebhookRegistered(w.Id, w.Url, w.Events, w.CreatedAt, secret));
    }

    static async Task<Ok<WebhookList>> List(TillIdentity till, ICouponStore store) =>
        TypedResults.Ok(new WebhookList(await store.ListWebhooksAsync(till.Caller.OrgId)));

    static async Task<Results<Ok<WebhookDeleted>, JsonHttpResult<ErrorEnvelope>>> Delete(long id, TillIdentity till, ICouponStore store) =>
        await store.DeleteWebhookAsync(till.Caller.OrgId, id)
            ? TypedResults.Ok(new WebhookDeleted(true, id))
            : V2Envelope.Error(404, Status.NotFound, "no webhook endpoint with this id");
}
