using System.Text.Json;
using System.Text.Json.Serialization;
using Coupons.Core;
using Coupons.Server.Formats;
using Coupons.Storage;

namespace Coupons.Server.V2;

// ---- Requests ------------------------------------------------------------------------------

/// <summary>How a v2 body names a customer: {mobile|email|externalId|id}.</summary>
public sealed record CustomerInput(string? Mobile, string? Email, string? ExternalId, long? Id)
{
    public CustomerRef ToRef() => new(
        string.IsNullOrWhiteSpace(Mobile) ? null : Mobile.Trim(),
        string.IsNullOrWhiteSpace(Email) ? null : Email.Trim().ToLowerInvariant(),
        string.IsNullOrWhiteSpace(ExternalId) ? null : ExternalId.Trim(),
        Id);
}

public sealed record IssueMetadata(string? SourceType, string? SourceId, string? SourceActivity, string? Notes, string? Reason);

/// <summary>seriesId is a number or an array of numbers; seriesIds (the spec's table name) is accepted too.</summary>
public sealed record IssueMultipleRequest(JsonElement? SeriesId, JsonElement? SeriesIds, long? Count, CustomerInput? Customer, IssueMetadata? Metadata);

public sealed record RedeemItemInput(string? Code, string? ValidationCode);

public sealed record BulkRedeemRequest(
    List<RedeemItemInput>? RedemptionRequestList, string? TransactionNumber, decimal? BillAmount,
    DateTimeOffset? RedemptionTime, CustomerInput? User);

public sealed record ReverseRequest(List<long>? RedemptionIds);

/// <summary>PUT /v2/coupon/redeem. customFields is an object ({"name":"value"}) or the v1.1 list ([{"name":…,"value":…}]).</summary>
public sealed record AmendRedemptionRequest(long? RedemptionId, string? TransactionNumber, decimal? BillAmount, JsonElement? CustomFields);

// ---- issue/multiple ------------------------------------------------------------------------

public sealed record IssuedCode(string Code, long CouponId);

/// <summary>The series as issue/multiple's couponConfig shows it.</summary>
public sealed record CouponConfig(
    Dictionary<string, string> CustomPropertyMap, long Id, string Description, string DiscountCode, string Info,
    decimal DiscountUpto, decimal DiscountValue, bool IssueToLoyalty, int NumUploadedNonIssued, int NumUploadedTotal,
    int RedemptionValidAfterDays, long OwnerId, long OwnerValidity, bool AlphaNumeric, int ShortCodeLength,
    int RandomCodeLength, long FixedExpiryDate, int NumTotal, long LatestIssualTime, long LatestRedemptionTime,
    string DiscountOn, string DiscountType, bool ExternalIssual, bool UpdateProductData)
{
    public static CouponConfig From(Series s) => new(
        [], s.Id, s.Description, s.DiscountCode, s.Info, s.DiscountUpto, s.DiscountValue, s.IssueToLoyalty,
        s.NumUploadedNonIssued, s.NumUploadedTotal, s.RedemptionValidAfterDays, 0, 0, s.AlphaNumeric, 0,
        s.RandomCodeLength, s.FixedExpiryDate?.ToUnixTimeMilliseconds() ?? 0, s.NumIssued, 0, 0,
        s.DiscountOn, s.DiscountType, s.ExternalIssual, s.UpdateProductData);
}

public sealed record IssueMultipleResponse(
    IReadOnlyList<IssuedCode> Coupons, CouponConfig? CouponConfig, int TotalCount, int FailureCount, int SuccessCount,
    CustomerView? Customer, IReadOnlyList<StatusItem> Errors, IReadOnlyList<StatusItem> Warnings);

// ---- bulk/redeem, is_redeemable, reverse ---------------------------------------------------

/// <summary>discountAmount: what this coupon takes off the request's billAmount (null without one); each coupon's on the whole bill.</summary>
public sealed record RedemptionItemResponse(string Code, bool IsRedeemed, long? RedemptionId, IReadOnlyList<StatusItem> Errors, decimal? DiscountAmount);

public sealed record BulkRedeemResponse(IReadOnlyList<RedemptionItemResponse> RedemptionResponseList, IReadOnlyList<StatusItem> Warnings, IReadOnlyList<StatusItem> Errors);

public sealed record RedeemableItem(
    string Code, bool IsRedeemable, IReadOnlyList<StatusItem> Errors,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Series? Series,
    decimal? DiscountAmount);

public sealed record IsRedeemableResponse(IReadOnlyList<RedeemableItem> Coupons, IReadOnlyList<StatusItem> Warnings, IReadOnlyList<StatusItem> Errors);

public sealed record AmendRedemptionResponse(
    long RedemptionId, string Code, string? TransactionNumber, decimal? BillAmount, IReadOnlyDictionary<string, string?> CustomFields,
    IReadOnlyList<StatusItem> Warnings, IReadOnlyList<StatusItem> Errors, decimal? DiscountAmount);

public sealed record ReverseResponse(
    bool Success, IReadOnlyList<long> ReversedRedemptionIds, IReadOnlyList<StatusItem> Warnings, IReadOnlyList<StatusItem> Errors,
    IReadOnlyList<ReversedRedemption> ReversedRedemptions);
