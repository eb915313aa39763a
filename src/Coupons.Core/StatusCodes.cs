namespace Coupons.Core;

/// <summary>
/// Every code of the spec's tables, defined once. v1.1 item_status and v2 errors/warnings are two views of it.
/// Where the v1.1 and v2 tables word a code differently, the v1.1 wording is kept for v1.1 and
/// <see cref="V2Message"/> gives the v2 one.
/// </summary>
public static class Status
{
    public const int Success = 700;
    public const int CustomerNotFound = 701;
    public const int InvalidCode = 702;
    public const int NotIssuedToCustomer = 703;
    public const int NoMobile = 704;
    public const int InvalidValidationCode = 705;
    public const int UnableToRedeem = 706;
    public const int InvalidSeries = 707;
    public const int AlreadyHoldsCoupon = 709;
    public const int NotForThisCustomer = 710;
    public const int AlreadyRedeemed = 711;
    public const int SeriesExpired = 712;
    public const int CouponExpired = 713;
    public const int MaxCreateReached = 714;
    public const int InvalidOrganisation = 715;
    public const int SameCouponMultipleTimes = 716;
    public const int TransactionNumberRequired = 718;
    public const int CodeDoesNotExist = 719;
    public const int TestCoupon = 720;
    public const int InvalidCustomer = 721;
    public const int UnableToIssue = 722;
    public const int CannotBeUsedByCustomer = 723;
    public const int UnableToSendMessage = 724;
    public const int ValidationCodeRequired = 725;
    public const int ValidationNotRequired = 726;
    public const int MaxRedemptionsReached = 728;
    public const int InvalidRedemptionRange = 729;
    public const int UnknownError = 730;
    public const int InvalidTransactionAmount = 733;
    public const int InvalidStore = 735;
    public const int AllowedRedemptionConsumed = 736;
    public const int RedemptionGap = 738;
    public const int RedemptionDateInvalid = 739;
    public const int FraudCustomer = 740;
    public const int CustomerBlocked = 742;
    public const int SeriesNotSaved = 744;
    public const int SeriesSaved = 745;
    public const int SeriesIdRequired = 746;
    public const int FailedBecauseOfOthers = 749;
    public const int ConfirmedFraud = 750;
    public const int DuplicateSeriesCode = 751;
    public const int DuplicateSeriesCodeOnUpdate = 752;
    public const int EmptySeriesCode = 753;
    public const int GenericCodeMissing = 754;
    public const int InvalidSeriesId = 755;
    public const int InvalidMutualExclusion = 756;
    public const int RetryLater = 786;
    /// <summary>Ours (issue #18): a paused series issues and redeems nothing. Not in the spec's tables.</summary>
    public const int SeriesPaused = 771;
    public const int AllFailed = 500;
    public const int InvalidRedemptionIds = 510;
    public const int InvalidInput = 629;
    public const int Revoked = 660;
    public const int NoRedemptionIds = 661;
    public const int InvalidCount = 677;
    public const int EitherIdOrCode = 781;
    public const int TooManyRequests = 429;
    public const int Conflict = 409;
    public const int IdempotencyKeyReused = 422;
    public const int Unauthorized = 401;
    public const int Forbidden = 403;
    public const int NotFound = 404;
    public const int BadRequest = 400;
    public const int CodesUploaded = 800;
    public const int MaxSeriesReached = 5001;
    public const int MaxCouponsPerUser = 5002;
    public const int OnlyOneCoupon = 5004;
    public const int QueueEmpty = 5005;
    public const int PartialIssue = 5006;

    static readonly Dictionary<int, string> Messages = new()
    {
        [200] = "SUCCESS",
        [Success] = "Coupon processing successful",
        [CustomerNotFound] = "Unable to find the customer. Please enter correct mobile number/email id/external id",
        [InvalidCode] = "Coupon code is invalid",
        [NotIssuedToCustomer] = "Coupon not issued to this customer",
        [NoMobile] = "Unable to send coupon to the customer’s mobile number",
        [InvalidValidationCode] = "Invalid coupon code and validation code",
        [UnableToRedeem] = "Unable to redeem coupon",
        [InvalidSeries] = "Coupon series id is invalid",
        [AlreadyHoldsCoupon] = "Coupon processing failed: user already has a coupon",
        [NotForThisCustomer] = "Coupon cannot be redeemed by this customer",
        [AlreadyRedeemed] = "Coupon is redeemed already",
        [SeriesExpired] = "Unable to redeem. Either coupon series or campaign might have expired",
        [CouponExpired] = "Coupon has expired",
        [MaxCreateReached] = "Campaign over, it was first come first serve",
        [InvalidOrganisation] = "Unable to redeem. The coupon is not valid for this organization",
        [SameCouponMultipleTimes] = "Unable to redeem. Cannot redeem same coupon multiple times",
        [TransactionNumberRequired] = "Unable to redeem. Please enter transaction number must be entered to redeem",
        [CodeDoesNotExist] = "Coupon code does not exist",
        [TestCoupon] = "Unable to redeem. This is just a trial coupon and cannot be redeemed",
        [InvalidCustomer] = "Unable to issue/redeem coupon. Customer is invalid",
        [UnableToIssue] = "Unable to issue coupon",
        [CannotBeUsedByCustomer] = "Unable to redeem. The coupon cannot be used by this customer",
        [UnableToSendMessage] = "Unable to send message",
        [ValidationCodeRequired] = "Unable to redeem coupon. Please provide validation code to redeem",
        [ValidationNotRequired] = "Validation not required",
        [MaxRedemptionsReached] = "Unable to redeem. Maximum number of coupon redemptions allowed has already been reached",
        [InvalidRedemptionRange] = "Invalid redemption date range for the coupon series",
        [UnknownError] = "Unknown error",
        [731] = "Coupon redemption successful",
        [732] = "No Missed call received from the customer",
        [InvalidTransactionAmount] = "Transaction amount invalid",
        [InvalidStore] = "Unable to redeem coupon. The coupon cannot be redeemed at this store",
        [AllowedRedemptionConsumed] = "Unable to redeem coupon. Maximum number of coupon redemptions allowed has already been reached",
        [RedemptionGap] = "Cannot redeem the coupon. Please wait for <X> days to redeem this coupon again",
        [RedemptionDateInvalid] = "Unable to redeem. Make sure that the redemption date you have entered is valid",
        [FraudCustomer] = "Unable to process. Customer is marked as fraud",
        [CustomerBlocked] = "Coupon issual or redemption is blocked for this customer",
        [SeriesNotSaved] = "Couldn't save coupon series fields",
        [SeriesSaved] = "Saved coupon series fields successfully",
        [SeriesIdRequired] = "Please provide series id",
        [747] = "Multiple redemption not allowed",
        [748] = "Coupon service timed out",
        [FailedBecauseOfOthers] = "Coupon Redeem/isRedeem failed because of failure on other coupons in the batch",
        [ConfirmedFraud] = "Operation not allowed. Not allowed - customer is marked as fraud.",
        [DuplicateSeriesCode] = "coupon series with same series code is already present",
        [DuplicateSeriesCodeOnUpdate] = "coupon series with same series code is already present",
        [EmptySeriesCode] = "series code cannot be empty",
        [GenericCodeMissing] = "generic cannot be empty for series type GENERIC",
        [InvalidSeriesId] = "invalid coupon series id",
        [InvalidMutualExclusion] = "invalid value for mutually exclusive config series",
        [759] = "Coupon redemption failed",
        [777] = "coupon source not valid for issue coupon",
        [780] = "Coupon isRedeem failed",
        [EitherIdOrCode] = "Either coupon ID or coupon code is missing",
        [RetryLater] = "Unable to process coupon. Please try again later",
        [SeriesPaused] = "Coupon series is paused: it issues and redeems no coupons until it is resumed",
        [788] = "Configuration is invalid. Please report to Capillary Support",
        [AllFailed] = "All requests have failed due to errors",
        [InvalidRedemptionIds] = "Invalid Redemption ids present",
        [InvalidInput] = "Invalid Input. This can also occuer if you try to redeem more than 100 coupons.",
        [Revoked] = "Coupon code has been revoked",
        [NoRedemptionIds] = "No Redemption id passed",
        [683] = "Voucher Redemption event failed",
        [687] = "Points activities are queued and will be updated later",
        [InvalidCount] = "Invalid coupon count. Minimum 1 and Maximum 500.",
        [1000] = "Filters not provided",
        [MaxSeriesReached] = "Maximum number of series has been created.",
        [MaxCouponsPerUser] = "max coupon per user exceeded",
        [OnlyOneCoupon] = "Issue only one coupon. Since isAllowMultipleVouchersPerUser=false.",
        [QueueEmpty] = "Queue is empty for series.",
        [PartialIssue] = "Unable to issue certain number of coupons",
        [TooManyRequests] = "Too many requests",
        [Conflict] = "A request with this Idempotency-Key is still in progress; retry later",
        [IdempotencyKeyReused] = "This Idempotency-Key was used for a different request",
        [Unauthorized] = "Unauthorized: missing or invalid credentials",
        [Forbidden] = "Forbidden: this till may not do that",
        [NotFound] = "Not found",
        [BadRequest] = "Invalid request",
        [CodesUploaded] = "Codes uploaded",
    };

    static readonly Dictionary<int, string> V2Messages = new()
    {
        [Success] = "Coupon processing successful.",
        [CustomerNotFound] = "The customer could not be found. Please check mobile, email, external id passed",
        [InvalidSeries] = "Coupon Series ID is invalid",
        [AlreadyHoldsCoupon] = "Coupon processing failed: user already has a coupon",
        [AlreadyRedeemed] = "Coupon is already used",
        [SeriesExpired] = "Coupon Series / Campaign has expired",
        [CouponExpired] = "Coupon has expired",
        [MaxCreateReached] = "Campaign over, it was first come first serve",
        [TransactionNumberRequired] = "Transaction number needed for redemption",
        [TestCoupon] = "Coupon is a test Coupon. Cannot be redeemed",
        [NotIssuedToCustomer] = "Coupon not issued to this customer",
        [CannotBeUsedByCustomer] = "Coupon not issued to this customer",
        [ValidationCodeRequired] = "Validation required",
        [InvalidValidationCode] = "Both coupon code and the validation code are invalid",
        [MaxRedemptionsReached] = "Maximum number of redemptions reached",
        [InvalidRedemptionRange] = "Invalid redemption range For coupon series",
        [InvalidTransactionAmount] = "Invalid transaction amount",
        [InvalidStore] = "Invalid store",
        [AllowedRedemptionConsumed] = "Allowed redemption consumed",
        [RedemptionGap] = "Allowed redemption gap is invalid",
        [RedemptionDateInvalid] = "Allowed redemption date is invalid",
        [FraudCustomer] = "Fraud customer",
        [CustomerBlocked] = "Coupon issue and redemption blocked for customer",
        [SameCouponMultipleTimes] = "Cannot redeem same Coupon multiple times",
    };

    public static string Message(int code) => Messages.TryGetValue(code, out var m) ? m : "Unknown error";

    public static string V2Message(int code) => V2Messages.TryGetValue(code, out var m) ? m : Message(code);

    /// <summary>The outcome a v1.1 client sees: v2's warning codes for issue limits (5002, 5004), which v1.1's table
    /// does not have, read as 709 "already holds a coupon", keeping their message.</summary>
    public static Outcome V11View(Outcome o) => o.Code is OnlyOneCoupon or MaxCouponsPerUser
        ? new Outcome(AlreadyHoldsCoupon, o.Detail ?? Message(o.Code))
        : o;

    public static bool IsKnown(int code) => Messages.ContainsKey(code);
}

/// <summary>An outcome of a rule or a store operation: a code from the catalogue, and an optional message that overrides the catalogue's.</summary>
public readonly record struct Outcome(int Code, string? Detail = null)
{
    public bool Ok => Code == Status.Success;
    public string Message => Detail ?? Status.Message(Code);
    public static readonly Outcome Success = new(Status.Success);
    public static implicit operator Outcome(int code) => new(code);
}
