using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Coupons.Core;
using Coupons.Server.Formats;
using Coupons.Server.OpenApi;
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

public sealed record IssueMetadata(
    [property: MaxLength(50)] string? SourceType, [property: MaxLength(50)] string? SourceId, [property: MaxLength(50)] string? SourceActivity,
    [property: MaxLength(250)] string? Notes, [property: MaxLength(250)] string? Reason);

/// <summary>seriesId is a number or an array of numbers; seriesIds (the spec's table name) is accepted too.</summary>
public sealed record IssueMultipleRequest(
    [property: DocumentedAs(typeof(long), "The series to issue from (or seriesIds). The service also reads a numeric string or an array here.")] JsonElement? SeriesId,
    [property: DocumentedAs(typeof(long[]), "Up to 20 series to issue from, duplicates ignored (or seriesId).")] JsonElement? SeriesIds,
    [property: Range(1, CouponsApi.MaxIssueCount), DefaultValue(1L)] long? Count, [property: Required] CustomerInput? Customer, IssueMetadata? Metadata);

public sealed record RedeemItemInput([property: Required] string? Code, string? ValidationCode);

public sealed record BulkRedeemRequest(
    [property: Required, Length(1, CouponsApi.MaxBatch)] List<RedeemItemInput>? RedemptionRequestList, [property: MaxLength(100)] string? TransactionNumber,
    [property: Range(0d, 1e12)] decimal? BillAmount,
    DateTimeOffset? RedemptionTime, CustomerInput? User);

public sealed record ReverseRequest([property: Required, Length(1, CouponsApi.MaxBatch)] List<long>? RedemptionIds);

/// <summary>PUT /v2/coupon/redeem. customFields is an object ({"name":"value"}) or the v1.1 list ([{"name":…,"value":…}]).</summary>
public sealed record AmendRedemptionRequest(
    [property: Required] long? RedemptionId, [property: MaxLength(100)] string? TransactionNumber,
    [property: Range(0d, 1e12)] decimal? BillAmount,
    [property: DocumentedAs(typeof(Dictionary<string, string>), "Custom fields by name (at most 50; names 1-100 characters, values at most 1000). The v1.1 list [{name, value}] is read too.")] JsonElement? CustomFields);

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
