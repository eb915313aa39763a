namespace Coupons.Core;

/// <summary>One redemption as a till asks for it.</summary>
public sealed record RedeemRequest
{
    public string Code { get; init; } = "";
    /// <summary>The coupon named by its id instead of its code (v1.1 accepts either); when set, the code is not used to find it.</summary>
    public long? CouponId { get; init; }
    public string? ValidationCode { get; init; }
    public string? TransactionNumber { get; init; }
    public decimal? BillAmount { get; init; }
    /// <summary>When the redemption happened at the till; defaults to now.</summary>
    public DateTimeOffset? RedemptionTime { get; init; }
    public string? CustomFields { get; init; }
}

/// <summary>What the redeem rules need, read inside the redeeming transaction (is-redeemable reads the same, then writes nothing).</summary>
public sealed record RedeemFacts
{
    public required RedeemRequest Request { get; init; }
    /// <summary>The redeeming customer; null when the request's identifier matched nobody.</summary>
    public required Customer? Customer { get; init; }
    /// <summary>The coupon the code names for this customer; null when no coupon has that code.</summary>
    public required Coupon? Coupon { get; init; }
    public required Series? Series { get; init; }
    /// <summary>The code exists only as an uploaded code not yet issued to anyone.</summary>
    public bool CodeUnissued { get; init; }
    /// <summary>The code is a GENERIC series' shared code, but this customer was never issued it.</summary>
    public bool GenericNotIssuedToCustomer { get; init; }
    public required Caller Caller { get; init; }
    public required DateTimeOffset Now { get; init; }
    /// <summary>Live redemptions of this coupon by this customer.</summary>
    public int CustomerRedemptionsOfCoupon { get; init; }
    /// <summary>Live redemptions by this customer across the series.</summary>
    public int CustomerRedemptionsInSeries { get; init; }
    /// <summary>This customer's latest live redemption in the series.</summary>
    public DateTimeOffset? LastCustomerRedemptionInSeries { get; init; }
}

public static class RedeemRules
{
    /// <summary>How far ahead of the server's clock a till's redemption time may be.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Whether the coupon may be redeemed. The redemption instant is the request's redemptionTime, else now.
    /// First failure wins, in this order:
    /// <list type="number">
    /// <item>No customer: 701.</item>
    /// <item>Customer marked as fraud: 740; confirmed fraud: 750; coupons blocked: 742.</item>
    /// <item>No coupon: 719 when the code is uploaded but unissued, 723 when it is a GENERIC code never issued to
    /// this customer, else 702. A coupon without its series: 702.</item>
    /// <item>Coupon revoked: 660.</item>
    /// <item>Series paused: 771.</item>
    /// <item>Test series: 720.</item>
    /// <item>Coupon issued to someone else, and the series neither anyUser nor transferrable: 703.</item>
    /// <item>Validation required: no validation code 725; a code other than the coupon's pincode
    /// (case-insensitive) 705.</item>
    /// <item>Redemption time more than 5 minutes ahead of now: 739.</item>
    /// <item>Redemption instant past 23:59:59 UTC of the series' validTillDate: 712.</item>
    /// <item>Redemption instant past the coupon's validTill: 713.</item>
    /// <item>Before the series' redemptionValidFrom, or before issuedOn + redemptionValidAfterDays: 739.</item>
    /// <item>Outside the series' redemptionRange (read in the organisation's zone; UTC if the zone is unknown),
    /// or the range is malformed: 729.</item>
    /// <item>redeemAtStore or storeIdsJson restricts stores (non-empty, no -1) and leaves out the till's store,
    /// or is malformed: 735.</item>
    /// <item>Organisation requires a transaction number and none is given: 718.</item>
    /// <item>Bill amount (missing counts as 0) negative, below a positive minBillAmount or above a positive
    /// maxBillAmount: 733.</item>
    /// <item>Single-use coupon already redeemed: 711.</item>
    /// <item>Multiple-use coupon, sameUserMultipleRedeem off, and this customer already redeemed it: 716.</item>
    /// <item>redemptionPerCouponMaxLimit reached for the coupon: 728.</item>
    /// <item>maxRedeem reached for the series: 728.</item>
    /// <item>maxRedemptionsInSeriesPerUser reached by this customer: 736.</item>
    /// <item>minDaysBetweenRedemption not elapsed since the customer's last redemption in the series: 738,
    /// naming the days left (rounded up).</item>
    /// <item>Otherwise 700.</item>
    /// </list>
    /// </summary>
    public static Outcome Check(RedeemFacts facts)
    {
        if (facts.Customer is not { } customer)
            return Status.CustomerNotFound;
        if (CustomerRules.Refusal(customer) is { } refused)
            return refused;
        if (facts.Coupon is not { } coupon)
        {
            if (facts.CodeUnissued)
                return Status.CodeDoesNotExist;
            return facts.GenericNotIssuedToCustomer ? Status.CannotBeUsedByCustomer : Status.InvalidCode;
        }
        if (facts.Series is not { } series)
            return Status.InvalidCode;
        if (coupon.Revoked)
            return Status.Revoked;
        if (series.PausedAt is not null)
            return Status.SeriesPaused;
        if (series.IsTestSeries)
            return Status.TestCoupon;
        if (coupon.CustomerId != customer.Id && !series.AnyUser && !series.IsTransferrable)
            return Status.NotIssuedToCustomer;
        if (series.IsValidationRequired)
        {
            var given = facts.Request.ValidationCode;
            if (string.IsNullOrWhiteSpace(given))
                return Status.ValidationCodeRequired;
            if (!string.Equals(given.Trim(), coupon.PinCode, StringComparison.OrdinalIgnoreCase))
                return Status.InvalidValidationCode;
        }

        if (DateRefusal(facts, series, coupon) is { } dateRefused)
            return dateRefused;
        if (PlaceRefusal(facts, series) is { } placeRefused)
            return placeRefused;
        return CountRefusal(facts, series, coupon) ?? Outcome.Success;
    }

    static Outcome? DateRefusal(RedeemFacts facts, Series series, Coupon coupon)
    {
        var instant = facts.Request.RedemptionTime ?? facts.Now;
        if (instant > facts.Now + MaxClockSkew)
            return Status.RedemptionDateInvalid;
        if (IssueRules.IsSeriesExpired(series, instant))
            return Status.SeriesExpired;
        if (coupon.ValidTill is { } validTill && instant > validTill)
            return Status.CouponExpired;
        if (series.RedemptionValidFrom is { } from && instant < from)
            return Status.RedemptionDateInvalid;
        if (series.RedemptionValidAfterDays > 0 && coupon.IssuedOn is { } issuedOn
            && issuedOn.AddDays(series.RedemptionValidAfterDays) > instant)
            return Status.RedemptionDateInvalid;

        var local = TimeZoneInfo.ConvertTime(instant, TimeZones.FindOrUtc(facts.Caller.Org.TimeZone)).DateTime;
        if (!RedemptionRange.TryParse(series.RedemptionRange, out var range) || !range.Allows(local))
            return Status.InvalidRedemptionRange;
        return null;
    }

    static Outcome? PlaceRefusal(RedeemFacts facts, Series series)
    {
        var storeId = facts.Caller.Store.Id;
        if (!IdList.Allows(series.RedeemAtStore, storeId) || !IdList.Allows(series.StoreIdsJson, storeId))
            return Status.InvalidStore;
        if (facts.Caller.Org.TransactionNumberRequired && string.IsNullOrWhiteSpace(facts.Request.TransactionNumber))
            return Status.TransactionNumberRequired;

        if (!BillAmountAllowed(series, facts.Request.BillAmount ?? 0m)) return Status.InvalidTransactionAmount;
        return null;
    }

    /// <summary>
    /// The largest bill amount the API accepts at all (a trillion), in v1.1 and v2 alike: larger amounts are refused
    /// with 733 before any series is read. The database's numeric(18,4) column holds it with room to spare.
    /// </summary>
    public const decimal MaxBillAmount = 1_000_000_000_000m;

    /// <summary>A bill amount is not negative and lies within the series' positive minBillAmount and maxBillAmount.</summary>
    public static bool BillAmountAllowed(Series series, decimal amount) =>
        amount >= 0
        && (series.MinBillAmount <= 0 || amount >= series.MinBillAmount)
        && (series.MaxBillAmount <= 0 || amount <= series.MaxBillAmount);

    static Outcome? CountRefusal(RedeemFacts facts, Series series, Coupon coupon)
    {
        if (!series.IsMultipleUseAllowed && coupon.NumRedemptions >= 1)
            return Status.AlreadyRedeemed;
        if (series.IsMultipleUseAllowed && !series.SameUserMultipleRedeem && facts.CustomerRedemptionsOfCoupon >= 1)
            return Status.SameCouponMultipleTimes;
        if (series.RedemptionPerCouponMaxLimit > 0 && coupon.NumRedemptions >= series.RedemptionPerCouponMaxLimit)
            return Status.MaxRedemptionsReached;
        if (series.MaxRedeem > 0 && series.NumRedeemed >= series.MaxRedeem)
            return Status.MaxRedemptionsReached;
        if (series.MaxRedemptionsInSeriesPerUser > 0 && facts.CustomerRedemptionsInSeries >= series.MaxRedemptionsInSeriesPerUser)
            return Status.AllowedRedemptionConsumed;
        if (series.MinDaysBetweenRedemption > 0 && facts.LastCustomerRedemptionInSeries is { } last)
        {
            var instant = facts.Request.RedemptionTime ?? facts.Now;
            var remaining = last.AddDays(series.MinDaysBetweenRedemption) - instant;
            if (remaining > TimeSpan.Zero)
            {
                var days = (int)Math.Ceiling(remaining.TotalDays);
                return new Outcome(Status.RedemptionGap, $"Cannot redeem the coupon. Please wait for {days} days to redeem this coupon again");
            }
        }
        return null;
    }
}
