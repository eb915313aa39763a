namespace Coupons.Core;

public enum FraudStatus { None, Marked, Confirmed }

public sealed record Customer
{
    public long Id { get; init; }
    public long OrgId { get; init; }
    public string FirstName { get; init; } = "";
    public string LastName { get; init; } = "";
    public string? Mobile { get; init; }
    public string? Email { get; init; }
    public string? ExternalId { get; init; }
    /// <summary>Marked fraud gives 740, confirmed fraud 750.</summary>
    public FraudStatus FraudStatus { get; init; }
    /// <summary>Coupon issual and redemption blocked for this customer (742).</summary>
    public bool CouponsBlocked { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    public string FullName => $"{FirstName} {LastName}".Trim();
}

/// <summary>How a request names a customer: the spec accepts mobile, email, external id or the customer id.</summary>
public sealed record CustomerRef(string? Mobile = null, string? Email = null, string? ExternalId = null, long? Id = null)
{
    public bool IsEmpty => Id is null && string.IsNullOrWhiteSpace(Mobile) && string.IsNullOrWhiteSpace(Email) && string.IsNullOrWhiteSpace(ExternalId);
}
