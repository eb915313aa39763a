using Coupons.Core;

namespace Coupons.Storage;

/// <summary>One coupon an issue produced: newly issued, or an existing one sent again (doNotResendExistingVoucher=false).</summary>
public sealed record IssuedCoupon(Coupon Coupon, bool Resent);

public sealed record IssueResult
{
    public Series? Series { get; init; }
    public Customer? Customer { get; init; }
    public IReadOnlyList<IssuedCoupon> Coupons { get; init; } = [];
    /// <summary>Why the coupons not issued were refused (Success when all were issued).</summary>
    public Outcome Refusal { get; init; } = Outcome.Success;
    public int Requested { get; init; }
    public int Failed => Requested - Coupons.Count;
}

/// <summary>One item of a redemption (or of an is-redeemable check): its code's coupon and series, and the outcome;
/// when it may be redeemed, the discount its bill gets (<see cref="Discounts.For"/>; null without a bill amount).</summary>
public sealed record RedeemItemResult(RedeemRequest Request, Outcome Outcome, Coupon? Coupon, Series? Series, long? RedemptionId, decimal? Discount = null);

public sealed record RedeemResult(Customer? Customer, IReadOnlyList<RedeemItemResult> Items)
{
    public bool AllOk => Items.All(i => i.Outcome.Ok);
}

/// <summary>A redemption as its reversal undid it: the bill and the discount given back.</summary>
public sealed record ReversedRedemption(long RedemptionId, string Code, decimal? BillAmount, decimal? DiscountAmount);

/// <summary>A live redemption after PUT /v2/coupon/redeem attached its transaction details, with its coupon's code.</summary>
public sealed record AmendedRedemption(Redemption Redemption, string Code);

public sealed record RedemptionView(Redemption Redemption, string TillCode, Store Store, Customer Redeemer);

/// <summary>A coupon with everything the read endpoints show of it.</summary>
public sealed record CouponDetail(Coupon Coupon, Series Series, Customer? Customer, Store? IssuedAt, IReadOnlyList<RedemptionView> Redemptions);
