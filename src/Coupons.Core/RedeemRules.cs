namespace Coupons.Core;

/// <summary>One redemption as a till asks for it.</summary>
public sealed record RedeemRequest
{
    public string Code { get; init; } = "";
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
    public static Outcome Check(RedeemFacts facts) => throw new NotImplementedException();
}
