namespace Coupons.Core;

/// <summary>What the issue rules need to know, read inside the issuing transaction.</summary>
public sealed record IssueFacts
{
    public required Series? Series { get; init; }
    public required Customer? Customer { get; init; }
    public required DateTimeOffset Now { get; init; }
    /// <summary>Coupons of this series the customer holds (issued to them, not revoked), expired or not.</summary>
    public int CouponsHeldInSeries { get; init; }
    /// <summary>When the customer was last issued a coupon of this series.</summary>
    public DateTimeOffset? LastIssuedInSeries { get; init; }
    /// <summary>An active coupon of this series the customer holds: not expired, not revoked, redemptions left.</summary>
    public Coupon? ActiveCouponInSeries { get; init; }
    /// <summary>The customer holds an active coupon of a series listed in this series' mutualExclusiveSeriesIds (or listing it).</summary>
    public bool HoldsMutuallyExclusiveCoupon { get; init; }
}

public enum IssueAction { Issue, ResendExisting, Refuse }

public readonly record struct IssueDecision(IssueAction Action, Outcome Outcome)
{
    public static IssueDecision Refuse(Outcome o) => new(IssueAction.Refuse, o);
}

public static class IssueRules
{
    public static IssueDecision Check(IssueFacts facts) => throw new NotImplementedException();

    /// <summary>A coupon's validity from the series' expiry strategy, as an instant (end of the day in the organisation's zone).</summary>
    public static DateTimeOffset? ValidTill(Series series, DateTimeOffset issuedOn, TimeZoneInfo zone) => throw new NotImplementedException();
}
