namespace Coupons.Storage;

/// <summary>The events the outbox carries; webhook endpoints subscribe to them by name.</summary>
public static class CouponEvents
{
    public const string Issued = "coupon.issued";
    public const string Redeemed = "coupon.redeemed";
    public const string RedemptionReversed = "coupon.redemption_reversed";
    public const string Resent = "coupon.resent";

    public static readonly IReadOnlyList<string> All = [Issued, Redeemed, RedemptionReversed, Resent];

    /// <summary>Events that send the customer their coupon (SMS, email) besides any webhooks.</summary>
    public static bool MessagesCustomer(string kind) => kind is Issued or Resent;
}

/// <summary>Where a delivery is in its life; see migration 0002_notifications.sql.</summary>
public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Dead = "dead";
    public const string Cancelled = "cancelled";
}

/// <summary>One message to one recipient on one channel (sms, email, webhook), expanded from one outbox event.</summary>
public sealed record Delivery
{
    public long Id { get; init; }
    public long OrgId { get; init; }
    public long OutboxId { get; init; }
    public string Event { get; init; } = "";
    public string Channel { get; init; } = "";
    public long? EndpointId { get; init; }
    /// <summary>A mobile number, an email address or a webhook URL.</summary>
    public string Recipient { get; init; } = "";
    public string? Subject { get; init; }
    public string Body { get; init; } = "";
    public string Status { get; init; } = DeliveryStatus.Pending;
    public int Attempts { get; init; }
    public DateTimeOffset NextAttemptAt { get; init; }
    public string? LastError { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? SentAt { get; init; }
}

/// <summary>A delivery this node holds the lease of, with the signing secret when it goes to a webhook endpoint that still exists.</summary>
public sealed record ClaimedDelivery(Delivery Delivery, string? Secret);

public sealed record DeliveryAttempt
{
    public int Attempt { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public int DurationMs { get; init; }
    public bool Ok { get; init; }
    public string? Error { get; init; }
}

/// <summary>How one attempt went, as the dispatcher reports it.</summary>
/// <param name="RetryAfter">When failed: the delay before the next attempt.</param>
/// <param name="Permanent">When failed: no attempt can succeed (the endpoint is gone): dead at once.</param>
public sealed record AttemptOutcome(bool Ok, string? Error, DateTimeOffset StartedAt, int DurationMs, TimeSpan RetryAfter = default, bool Permanent = false);

public sealed record WebhookEndpoint(long Id, long OrgId, string Url, IReadOnlyList<string> Events, DateTimeOffset CreatedAt);
