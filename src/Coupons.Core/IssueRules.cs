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
    /// <summary>
    /// Whether a coupon of the series may be issued to the customer. First failure wins:
    /// no series 707; series paused 771; no customer 701; fraud 740 (marked) / 750 (confirmed); blocked 742;
    /// series past its validTillDate 712; the series' messages cannot reach the customer 704 (SMS only, no mobile) /
    /// 724 (email, no address); GENERIC series already held 5004; a mutually exclusive coupon held 709;
    /// one coupon per user already held: resend the active one unless doNotResendExistingVoucher, else 5004;
    /// maxVouchersPerUser reached 5002; minDaysBetweenVouchers not elapsed 709; maxCreate reached 714.
    /// </summary>
    public static IssueDecision Check(IssueFacts facts)
    {
        if (facts.Series is not { } series)
            return IssueDecision.Refuse(Status.InvalidSeries);
        if (series.PausedAt is not null)
            return IssueDecision.Refuse(Status.SeriesPaused);
        if (facts.Customer is not { } customer)
            return IssueDecision.Refuse(Status.CustomerNotFound);
        if (CustomerRules.Refusal(customer) is { } refused)
            return IssueDecision.Refuse(refused);
        if (IsSeriesExpired(series, facts.Now))
            return IssueDecision.Refuse(Status.SeriesExpired);
        if (MessageTemplates.Unreachable(series, customer) is { } unreachable)
            return IssueDecision.Refuse(unreachable);
        if (series.Kind == SeriesKind.Generic && facts.CouponsHeldInSeries > 0)
            return IssueDecision.Refuse(new Outcome(Status.OnlyOneCoupon, "Cannot issue more than one GENERIC coupon code."));
        if (facts.HoldsMutuallyExclusiveCoupon)
            return IssueDecision.Refuse(new Outcome(Status.AlreadyHoldsCoupon,
                "Coupon processing failed: user already has a coupon of a mutually exclusive series"));
        if (!series.IsMultipleVouchersPerUserAllowed && facts.CouponsHeldInSeries > 0)
        {
            return !series.DoNotResendExistingVoucher && facts.ActiveCouponInSeries is not null
                ? new IssueDecision(IssueAction.ResendExisting, Outcome.Success)
                : IssueDecision.Refuse(Status.OnlyOneCoupon);
        }
        if (series.MaxVouchersPerUser > 0 && facts.CouponsHeldInSeries >= series.MaxVouchersPerUser)
            return IssueDecision.Refuse(Status.MaxCouponsPerUser);
        if (series.MinDaysBetweenVouchers > 0 && facts.LastIssuedInSeries is { } last
            && facts.Now < last.AddDays(series.MinDaysBetweenVouchers))
            return IssueDecision.Refuse(new Outcome(Status.AlreadyHoldsCoupon, "Minimum days between vouchers not elapsed"));
        // Early answer only: the conditional UPDATE on num_issued is what enforces maxCreate.
        if (series.MaxCreate >= 0 && series.NumIssued >= series.MaxCreate)
            return IssueDecision.Refuse(Status.MaxCreateReached);
        return new IssueDecision(IssueAction.Issue, Outcome.Success);
    }

    /// <summary>A coupon's validity from the series' expiry strategy, as an instant (end of the day in the organisation's zone).</summary>
    /// <remarks>
    /// SERIES_EXPIRY: the validTillDate's date; DAYS: the issue day (local) plus N days, N = validDaysFromCreation
    /// when positive, else expiryStrategyValue; FIXED_DATE: the fixedExpiryDate's date. Each at 23:59:59 in
    /// <paramref name="zone"/>, returned in UTC. Null when the strategy gives no date.
    /// </remarks>
    public static DateTimeOffset? ValidTill(Series series, DateTimeOffset issuedOn, TimeZoneInfo zone)
    {
        switch (series.ExpiryStrategyType?.Trim().ToUpperInvariant())
        {
            case "SERIES_EXPIRY":
                return series.ValidTillDate is { } till ? TimeZones.EndOfDay(TimeZones.UtcDate(till), zone) : null;
            case "DAYS":
                var days = series.ValidDaysFromCreation > 0 ? series.ValidDaysFromCreation : series.ExpiryStrategyValue;
                return days > 0 ? TimeZones.EndOfDay(TimeZones.LocalDate(issuedOn, zone).AddDays(days), zone) : null;
            case "FIXED_DATE":
                return series.FixedExpiryDate is { } fixedDate ? TimeZones.EndOfDay(TimeZones.UtcDate(fixedDate), zone) : null;
            default:
                return null;
        }
    }

    /// <summary>A series is over once the instant is past 23:59:59 UTC of its validTillDate.</summary>
    public static bool IsSeriesExpired(Series series, DateTimeOffset instant) =>
        series.ValidTillDate is { } till && instant > TimeZones.EndOfDay(TimeZones.UtcDate(till), TimeZoneInfo.Utc);
}
