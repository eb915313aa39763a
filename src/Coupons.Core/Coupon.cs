namespace Coupons.Core;

public sealed record Coupon
{
    public long Id { get; init; }
    public long OrgId { get; init; }
    public long SeriesId { get; init; }
    public string Code { get; init; } = "";
    public long? CustomerId { get; init; }
    public long? IssuedByTillId { get; init; }
    public long? IssuedAtStoreId { get; init; }
    public DateTimeOffset? IssuedOn { get; init; }
    public DateTimeOffset? ValidTill { get; init; }
    /// <summary>The validation code (pincode) a till must present when the series requires validation.</summary>
    public string PinCode { get; init; } = "";
    /// <summary>Live (not reversed) redemptions of this coupon.</summary>
    public int NumRedemptions { get; init; }
    public bool Revoked { get; init; }
    public string? Metadata { get; init; }

    public bool IsIssued => CustomerId is not null;
}

public sealed record Redemption
{
    public long Id { get; init; }
    public long OrgId { get; init; }
    public long CouponId { get; init; }
    public long SeriesId { get; init; }
    public long CustomerId { get; init; }
    public long TillId { get; init; }
    public long StoreId { get; init; }
    public DateTimeOffset RedeemedAt { get; init; }
    public string? TransactionNumber { get; init; }
    public decimal? BillAmount { get; init; }
    public string? CustomFields { get; init; }
    public DateTimeOffset? ReversedAt { get; init; }
    /// <summary>The discount the bill got (<see cref="Discounts.For"/>); null when no bill amount was given.</summary>
    public decimal? DiscountAmount { get; init; }
}
