namespace Coupons.Core;

/// <summary>One reason a series cannot be saved: the field it is about (named as the API names it) and the code and message to answer.</summary>
public sealed record SeriesRefusal(string Field, Outcome Outcome);

/// <summary>
/// Which of the ids a series refers to exist in its organisation (the endpoint reads them from the store;
/// <see cref="SeriesRules.ReferencedIds"/> says which to read). Null: the references are not checked.
/// </summary>
public sealed record KnownIds(IReadOnlySet<long> Stores, IReadOnlySet<long> Series);

public static class SeriesRules
{
    public static readonly string[] SeriesTypes = ["UNDEFINED", "CAMPAIGN", "GENERIC", "UPLOADED"];
    public static readonly string[] DiscountTypes = ["ABS", "PERC"];
    public static readonly string[] ExpiryStrategies = ["SERIES_EXPIRY", "DAYS", "FIXED_DATE"];

    /// <summary>
    /// Every reason the series cannot be saved, all at once (an admin fixes a form in one go), in the order of the
    /// form: 753 seriesCode, 754 generic, 756 mutualExclusiveSeriesIds, 744 for every other field, each naming its field.
    /// Empty: the series may be saved. <paramref name="creating"/>: a new series may not already be past its validTillDate
    /// (an existing one may be edited after it ended). <paramref name="now"/> is UTC.
    /// </summary>
    public static IReadOnlyList<SeriesRefusal> Check(Series s, DateTimeOffset now, bool creating, KnownIds? known = null)
    {
        var refusals = new List<SeriesRefusal>();
        void Refuse(string field, int code, string detail) => refusals.Add(new SeriesRefusal(field, new Outcome(code, detail)));
        void Invalid(string field, string detail) => Refuse(field, Status.SeriesNotSaved, detail);

        if (string.IsNullOrWhiteSpace(s.SeriesCode))
            Refuse("seriesCode", Status.EmptySeriesCode, "seriesCode: " + Status.Message(Status.EmptySeriesCode));
        if (!IsOneOf(s.SeriesType, SeriesTypes))
            Invalid("seriesType", $"seriesType must be {Choices(SeriesTypes)}");
        else if (s.Kind == SeriesKind.Generic && string.IsNullOrWhiteSpace(s.Generic))
            Refuse("generic", Status.GenericCodeMissing, "generic: " + Status.Message(Status.GenericCodeMissing));

        // Discount
        if (!IsOneOf(s.DiscountType, DiscountTypes))
            Invalid("discountType", $"discountType must be {Choices(DiscountTypes)}");
        if (s.DiscountValue < 0)
            Invalid("discountValue", "discountValue cannot be negative");
        else if (s.DiscountValue > 100 && IsOneOf(s.DiscountType, ["PERC"]))
            Invalid("discountValue", "discountValue cannot be over 100 for discountType PERC");
        if (s.DiscountUpto < 0)
            Invalid("discountUpto", "discountUpto cannot be negative (0 for no cap)");
        if (s.MinBillAmount < 0)
            Invalid("minBillAmount", "minBillAmount cannot be negative");
        if (s.MaxBillAmount < 0)
            Invalid("maxBillAmount", "maxBillAmount cannot be negative (0 for no maximum)");
        else if (s.MaxBillAmount > 0 && s.MaxBillAmount < s.MinBillAmount)
            Invalid("maxBillAmount", "maxBillAmount cannot be less than minBillAmount");

        // Validity
        var strategy = ExpiryStrategies.FirstOrDefault(e => string.Equals(e, s.ExpiryStrategyType?.Trim(), StringComparison.OrdinalIgnoreCase));
        if (strategy is null)
            Invalid("expiryStrategyType", $"expiryStrategyType must be {Choices(ExpiryStrategies)}");
        else if (strategy == "DAYS" && s.ValidDaysFromCreation <= 0 && s.ExpiryStrategyValue <= 0)
            Invalid("validDaysFromCreation", "validDaysFromCreation or expiryStrategyValue must be positive for expiryStrategyType DAYS");
        else if (strategy == "FIXED_DATE" && s.FixedExpiryDate is null)
            Invalid("fixedExpiryDate", "fixedExpiryDate is required for expiryStrategyType FIXED_DATE");
        // A series is valid to the end of its validTillDate (UTC), so today is not yet in the past.
        if (creating && s.ValidTillDate is { } till && till.UtcDateTime.Date < now.UtcDateTime.Date)
            Invalid("validTillDate", $"validTillDate {till.UtcDateTime:yyyy-MM-dd} is already past: a new series must end today or later");
        if (s.RedemptionValidFrom is { } from && s.ValidTillDate is { } end && from.UtcDateTime.Date > end.UtcDateTime.Date)
            Invalid("redemptionValidFrom", "redemptionValidFrom must not be after validTillDate");
        if (s.RedemptionValidAfterDays < 0)
            Invalid("redemptionValidAfterDays", "redemptionValidAfterDays cannot be negative");

        // Counts and limits: -1 for none, else 0 or more (0 keeps its meaning: maxCreate 0 issues nothing, a gap of 0 days is none).
        foreach (var (field, value) in Limits(s))
            if (value < -1)
                Invalid(field, $"{field} must be -1 (none) or 0 or more");

        // Where and when
        if (!IdList.TryParse(s.MutualExclusiveSeriesIds, out var exclusive) || (s.Id > 0 && exclusive.Contains(s.Id)))
            Refuse("mutualExclusiveSeriesIds", Status.InvalidMutualExclusion,
                "mutualExclusiveSeriesIds must be a JSON array of other series' ids, [-1] for none");
        else if (known is not null && Unknown([.. exclusive.Where(id => id != s.Id)], known.Series) is { Length: > 0 } missing)
            Refuse("mutualExclusiveSeriesIds", Status.InvalidMutualExclusion,
                $"mutualExclusiveSeriesIds: no series {string.Join(", ", missing)} in this organisation");
        if (!RedemptionRange.TryParse(s.RedemptionRange, out _))
            Invalid("redemptionRange", "redemptionRange must be JSON like {\"dom\":[-1],\"dow\":[-1],\"hours\":[-1]} with dom 1..31, dow 0..6, hours 0..23");
        foreach (var (field, json) in StoreLists(s))
        {
            if (!IdList.TryParse(json, out var stores))
                Invalid(field, $"{field} must be a JSON array of store ids, [-1] for all");
            else if (known is not null && Unknown(stores, known.Stores) is { Length: > 0 } missing)
                Invalid(field, $"{field}: no store {string.Join(", ", missing)} in this organisation");
        }

        // Codes and messages
        if (s.Kind == SeriesKind.Generated)
        {
            if (!CodeGenerator.IsValidLength(s.RandomCodeLength))
                Invalid("randomCodeLength", $"randomCodeLength must be between {CodeGenerator.MinLength} and {CodeGenerator.MaxLength}");
            else if (CodeGenerator.CodeSpaceTooSmall(s.AlphaNumeric, s.RandomCodeLength, s.MaxCreate))
                Invalid("randomCodeLength", "randomCodeLength is too short for maxCreate: too few possible codes");
        }
        foreach (var (field, problem) in MessageTemplates.Problems(s))
            Invalid(field, problem);
        return refusals;
    }

    /// <summary>The store and series ids the series' lists name (-1 and the series itself left out): what <see cref="KnownIds"/> must answer for.</summary>
    public static (long[] Stores, long[] Series) ReferencedIds(Series s)
    {
        var stores = StoreLists(s).SelectMany(l => IdList.TryParse(l.Json, out var ids) ? ids : []);
        var series = IdList.TryParse(s.MutualExclusiveSeriesIds, out var exclusive) ? exclusive : [];
        return ([.. stores.Where(id => id != -1).Distinct()], [.. series.Where(id => id != -1 && id != s.Id).Distinct()]);
    }

    static (string Field, string Json)[] StoreLists(Series s) => [("storeIdsJson", s.StoreIdsJson), ("redeemAtStore", s.RedeemAtStore)];

    static (string Field, int Value)[] Limits(Series s) =>
    [
        ("maxCreate", s.MaxCreate), ("maxRedeem", s.MaxRedeem), ("maxVouchersPerUser", s.MaxVouchersPerUser),
        ("minDaysBetweenVouchers", s.MinDaysBetweenVouchers), ("redemptionPerCouponMaxLimit", s.RedemptionPerCouponMaxLimit),
        ("maxRedemptionsInSeriesPerUser", s.MaxRedemptionsInSeriesPerUser), ("minDaysBetweenRedemption", s.MinDaysBetweenRedemption),
        ("maxReferralsPerReferee", s.MaxReferralsPerReferee), ("validDaysFromCreation", s.ValidDaysFromCreation),
        ("expiryStrategyValue", s.ExpiryStrategyValue),
    ];

    static long[] Unknown(long[] ids, IReadOnlySet<long> known) => [.. ids.Where(id => id != -1 && !known.Contains(id)).Distinct()];

    static bool IsOneOf(string? value, string[] allowed) =>
        allowed.Any(a => string.Equals(a, value?.Trim(), StringComparison.OrdinalIgnoreCase));

    static string Choices(string[] values) => string.Join(", ", values[..^1]) + " or " + values[^1];
}
