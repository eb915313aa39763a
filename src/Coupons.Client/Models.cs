namespace Coupons.Client;

// The API's objects as the client reads and sends them (camelCase JSON). Answers may carry more fields than these
// records name: they are ignored, so a newer server does not break an older client.

public sealed record Store(long Id, string Code, string Name);

public sealed record Till(long Id, string Code, long StoreId, string Role);

public sealed record Organisation(long Id, string Name, string TimeZone, bool TransactionNumberRequired, int RateLimitPerMinute);

/// <summary>A change to the organisation's settings; null leaves a setting as it is.</summary>
public sealed record OrganisationSettings(string? Name = null, string? TimeZone = null, bool? TransactionNumberRequired = null, int? RateLimitPerMinute = null);

/// <summary>How a request names a customer: one of these is enough.</summary>
public sealed record CustomerRef(string? Mobile = null, string? Email = null, string? ExternalId = null, long? Id = null);

public sealed record NewCustomer(string FirstName, string LastName, string? Mobile = null, string? Email = null, string? ExternalId = null);

public sealed record Identifier(string Type, string Value);

public sealed record CustomerProfile(string FirstName, string LastName, IReadOnlyList<Identifier> Identifiers);

public sealed record Customer(long Id, IReadOnlyList<CustomerProfile> Profiles, string FraudStatus, bool CouponsBlocked);

/// <summary>A coupon series. Unset fields keep the API's defaults (maxCreate -1: unlimited, and so on).</summary>
public sealed record Series
{
    public long Id { get; init; }
    public string SeriesCode { get; init; } = "";
    public string Description { get; init; } = "";
    public string DiscountCode { get; init; } = "";
    /// <summary>GENERIC (one shared code, <see cref="Generic"/>), UPLOADED (uploaded codes), anything else generates codes.</summary>
    public string SeriesType { get; init; } = "UNDEFINED";
    public string? Generic { get; init; }
    public string DiscountType { get; init; } = "ABS";
    public decimal DiscountValue { get; init; }
    public decimal DiscountUpto { get; init; }
    public string DiscountOn { get; init; } = "BILL";
    public DateTimeOffset? ValidTillDate { get; init; }
    public int MaxCreate { get; init; } = -1;
    public int MaxRedeem { get; init; } = -1;
    public int MaxVouchersPerUser { get; init; } = -1;
    public bool IsMultipleVouchersPerUserAllowed { get; init; }
    public bool IsMultipleUseAllowed { get; init; }
    public int RedemptionPerCouponMaxLimit { get; init; } = -1;
    public bool AnyUser { get; init; }
    public bool IsTransferrable { get; init; }
    public decimal MinBillAmount { get; init; }
    public decimal MaxBillAmount { get; init; }
    public string SmsTemplate { get; init; } = "";
    public bool IsSMSDisabled { get; init; }
    public string ExpiryStrategyType { get; init; } = "SERIES_EXPIRY";
    public int ValidDaysFromCreation { get; init; } = -1;
    public int NumIssued { get; init; }
    public int NumRedeemed { get; init; }
    public DateTimeOffset CreatedOn { get; init; }
    public DateTimeOffset? LastUsed { get; init; }
}

public sealed record SeriesSaved(bool Success, int Code, string Message, Series Series);

public sealed record SeriesPage(IReadOnlyList<Series> Series, int Offset, int Limit);

public sealed record UploadResult(int Received, int Stored, int Duplicates, int Rejected);

public sealed record IssuedCoupon(string Code, long CouponId);

public sealed record IssueResult(
    IReadOnlyList<IssuedCoupon> Coupons, int TotalCount, int FailureCount, int SuccessCount, IReadOnlyList<ApiError> Errors, IReadOnlyList<ApiError> Warnings);

public sealed record Redemption(
    long RedemptionId, DateTimeOffset RedemptionDate, string? TransactionNumber, decimal? BillAmount, string StoreCode, string TillCode,
    DateTimeOffset? ReversedOn);

public sealed record CustomerCoupon(
    long Id, long SeriesId, string Code, string Description, DateTimeOffset? ValidTill, bool IsRedeemed, int RedemptionsLeft,
    IReadOnlyList<Redemption> RedemptionInfo, IReadOnlyList<Redemption> ReversedRedemptionInfo);

public sealed record RedeemItem(string Code, string? ValidationCode = null);

public sealed record RedemptionOutcome(string Code, bool IsRedeemed, long? RedemptionId, IReadOnlyList<ApiError> Errors);

public sealed record BulkRedeemResult(IReadOnlyList<RedemptionOutcome> RedemptionResponseList, IReadOnlyList<ApiError> Errors);

public sealed record Redeemability(string Code, bool IsRedeemable, IReadOnlyList<ApiError> Errors, Series? Series);

public sealed record ReverseResult(bool Success, IReadOnlyList<long> ReversedRedemptionIds);

public sealed record AmendResult(long RedemptionId, string Code, string? TransactionNumber, decimal? BillAmount, IReadOnlyDictionary<string, string?> CustomFields);

/// <summary>One item of a v1.1 answer: its item_status, and the coupon's code (and redemption id) when there is one.</summary>
public sealed record V11Outcome(bool Success, int Code, string Message, string? CouponCode, long? RedemptionId);

// Bodies the client sends.
sealed record CustomerInput(string? Mobile, string? Email, string? ExternalId, long? Id)
{
    public static CustomerInput? Of(CustomerRef? c) => c is null ? null : new(c.Mobile, c.Email, c.ExternalId, c.Id);
}

sealed record IdentifierInput(string Type, string Value);
sealed record ProfileInput(string FirstName, string LastName, IReadOnlyList<IdentifierInput> Identifiers);
sealed record CreateCustomerBody(IReadOnlyList<ProfileInput> Profiles);
sealed record CreatedCustomer(long CreatedId);
sealed record CreateStoreBody(string Code, string Name);
sealed record CreateTillBody(string Code, string Password, string StoreCode, string Role);
sealed record StoreList(IReadOnlyList<Store> Stores);
sealed record TillList(IReadOnlyList<Till> Tills);
sealed record IssueBody(long[] SeriesIds, int Count, CustomerInput Customer);
sealed record BulkRedeemBody(IReadOnlyList<RedeemItem> RedemptionRequestList, string? TransactionNumber, decimal? BillAmount, CustomerInput? User);
sealed record ReverseBody(IReadOnlyList<long> RedemptionIds);
sealed record AmendBody(long RedemptionId, string? TransactionNumber, decimal? BillAmount, IReadOnlyDictionary<string, string?>? CustomFields);
sealed record CustomerStatusBody(string? FraudStatus, bool? CouponsBlocked);
sealed record CustomerCouponsAnswer(IReadOnlyList<CustomerCoupon> Entity);
sealed record RedeemabilityAnswer(IReadOnlyList<Redeemability> Coupons);
sealed record ErrorAnswer(IReadOnlyList<ApiError>? Errors);
sealed record TokenBody(string Key, string Secret);
sealed record TokenAnswer(
    [property: System.Text.Json.Serialization.JsonPropertyName("access_token")] string AccessToken,
    [property: System.Text.Json.Serialization.JsonPropertyName("expires_in")] int ExpiresIn);
