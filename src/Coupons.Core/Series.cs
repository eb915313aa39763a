using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Coupons.Core;

/// <summary>
/// A coupon series, with the field names and types of the v2 series object
/// (coupon-v2-customer-coupons.txt) plus the couponConfig fields of issue/multiple.
/// Counters (numIssued, numRedeemed, numUploaded…) are owned by storage and only reported here ([ReadOnly] tells
/// OpenAPI so; the initial values are the defaults it documents).
/// </summary>
public sealed record Series
{
    [ReadOnly(true)] public long Id { get; init; }
    [ReadOnly(true)] public long OrgId { get; init; }
    public string Description { get; init; } = "";
    public string DiscountCode { get; init; } = "";
    public DateTimeOffset? ValidTillDate { get; init; }
    public int ValidDaysFromCreation { get; init; } = -1;
    public int ExpiryStrategyValue { get; init; } = -1;
    public int MaxCreate { get; init; } = -1;
    public int MaxRedeem { get; init; } = -1;
    public bool IsTransferrable { get; init; }
    public bool AnyUser { get; init; }
    public bool SameUserMultipleRedeem { get; init; }
    public bool IsReferralExistingUsersAllowed { get; init; }
    public bool IsMultipleUseAllowed { get; init; }
    public bool IsValidationRequired { get; init; }
    public bool IsValidWithDiscountedItem { get; init; }
    [ReadOnly(true)] public long CreatedBy { get; init; }
    [ReadOnly(true)] public int NumIssued { get; init; }
    [ReadOnly(true)] public int NumRedeemed { get; init; }
    [ReadOnly(true)] public DateTimeOffset CreatedOn { get; init; }
    [ReadOnly(true)] public DateTimeOffset? LastUsed { get; init; }
    public string SeriesCode { get; init; } = "";
    public string SmsTemplate { get; init; } = "";
    public bool IsSMSDisabled { get; init; }
    public bool IsUpdateProductData { get; init; }
    public string Info { get; init; } = "";
    public bool IsMultipleVouchersPerUserAllowed { get; init; }
    public bool DoNotResendExistingVoucher { get; init; } = true;
    public string MutualExclusiveSeriesIds { get; init; } = "[-1]";
    public string StoreIdsJson { get; init; } = "[-1]";
    public bool IsDvsEnabled { get; init; }
    public DateTimeOffset? DvsExpiryDate { get; init; }
    public int Priority { get; init; }
    public string ShortSMSTemplate { get; init; } = "";
    public int MaxVouchersPerUser { get; init; } = -1;
    public int MinDaysBetweenVouchers { get; init; } = -1;
    public int MaxReferralsPerReferee { get; init; } = -1;
    public decimal DiscountUpto { get; init; }
    public decimal DiscountValue { get; init; }
    public string DvsItems { get; init; } = "";
    public string RedemptionRange { get; init; } = "{\"dom\":[-1],\"dow\":[-1],\"hours\":[-1]}";
    public decimal MinBillAmount { get; init; }
    public decimal MaxBillAmount { get; init; }
    public string RedeemAtStore { get; init; } = "[-1]";
    public long CampaignId { get; init; } = -1;
    public string Tag { get; init; } = "";
    public int MaxRedemptionsInSeriesPerUser { get; init; } = -1;
    public int MinDaysBetweenRedemption { get; init; } = -1;
    public DateTimeOffset? RedemptionValidFrom { get; init; }
    public long SourceOrgId { get; init; } = -1;
    public bool IssueToLoyalty { get; init; }
    public string RedeemStoreType { get; init; } = "redeemable_stores";
    public bool OfflineRedeemType { get; init; }
    public bool IsOldFlowEnabled { get; init; }
    public bool IsPreRedeemEventRequired { get; init; }
    public string[] Brands { get; init; } = [];
    public string[] Products { get; init; } = [];
    public string[] Categories { get; init; } = [];
    public string TermsAndConditions { get; init; } = "";
    public bool SignalRedemptionEvent { get; init; }
    public bool SyncToClient { get; init; }
    public bool ShowPinCode { get; init; }
    public int RedemptionPerCouponMaxLimit { get; init; } = -1;
    public RedemptionOrgEntities ValidRedemptionOrgEntityDetails { get; init; } = new();
    /// <summary>UNDEFINED/CAMPAIGN… generate unique codes; GENERIC shares <see cref="Generic"/>; UPLOADED issues from an uploaded list.</summary>
    public string SeriesType { get; init; } = "UNDEFINED";
    public string ClientHandlingType { get; init; } = "DISC_CODE";
    /// <summary>SERIES_EXPIRY (series validTillDate), DAYS (days from issue), FIXED_DATE (fixedExpiryDate).</summary>
    public string ExpiryStrategyType { get; init; } = "SERIES_EXPIRY";
    public string DiscountOn { get; init; } = "BILL";
    public string DiscountType { get; init; } = "ABS";
    public bool UpdateProductData { get; init; }
    public object[] EntityLevelRedemptionConfigsValues { get; init; } = [];

    [ReadOnly(true)] public string? DvsExpiryDateFormat => DvsExpiryDate?.ToString("yyyy-MM-dd");
    [ReadOnly(true)] public string? RedemptionValidFromFormat => RedemptionValidFrom?.ToString("yyyy-MM-dd");
    [ReadOnly(true)] public string? ValidTilldateFormat => ValidTillDate?.ToString("yyyy-MM-dd");

    // couponConfig fields of issue/multiple, and our own series settings.
    /// <summary>The shared code of a GENERIC series.</summary>
    public string? Generic { get; init; }
    public bool AlphaNumeric { get; init; }
    public int RandomCodeLength { get; init; } = 10;
    public DateTimeOffset? FixedExpiryDate { get; init; }
    public int RedemptionValidAfterDays { get; init; }
    public bool ExternalIssual { get; init; }
    /// <summary>A trial series: its coupons can be issued and checked, never redeemed (720).</summary>
    public bool IsTestSeries { get; init; }
    public string EmailSubject { get; init; } = "";
    public string EmailBody { get; init; } = "";
    [ReadOnly(true)] public int NumUploadedTotal { get; init; }
    [ReadOnly(true)] public int NumUploadedNonIssued { get; init; }
    /// <summary>When the series was paused: it then issues and redeems nothing (771) until resumed. Set only by
    /// POST …/pause and …/resume; written only when set.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), ReadOnly(true)]
    public DateTimeOffset? PausedAt { get; init; }
    /// <summary>When the series was archived: left out of the console's pickers and lists, still reported, and
    /// otherwise unchanged (pause it too to stop its coupons). Set only by POST …/archive and …/unarchive.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), ReadOnly(true)]
    public DateTimeOffset? ArchivedAt { get; init; }

    [ReadOnly(true)]
    public SeriesKind Kind => SeriesType.ToUpperInvariant() switch
    {
        "GENERIC" => SeriesKind.Generic,
        "UPLOADED" => SeriesKind.Uploaded,
        _ => SeriesKind.Generated,
    };
}

public enum SeriesKind { Generated, Generic, Uploaded }

public sealed record RedemptionOrgEntities
{
    public long[] Concepts { get; init; } = [];
    public long[] Zones { get; init; } = [];
    public long[] Stores { get; init; } = [];
    public long[] Tills { get; init; } = [];
}
