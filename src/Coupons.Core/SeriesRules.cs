namespace Coupons.Core;

public static class SeriesRules
{
    static readonly string[] ExpiryStrategies = ["SERIES_EXPIRY", "DAYS", "FIXED_DATE"];

    /// <summary>Validation of a series as an admin saves it: 753, 754, 756, 744 with a detail.</summary>
    public static Outcome Validate(Series series)
    {
        if (string.IsNullOrWhiteSpace(series.SeriesCode))
            return Status.EmptySeriesCode;
        if (series.Kind == SeriesKind.Generic && string.IsNullOrWhiteSpace(series.Generic))
            return Status.GenericCodeMissing;
        if (!IdList.TryParse(series.MutualExclusiveSeriesIds, out var exclusive)
            || (series.Id > 0 && exclusive.Contains(series.Id)))
            return Status.InvalidMutualExclusion;

        return FieldError(series) is { } detail ? new Outcome(Status.SeriesNotSaved, detail) : Outcome.Success;
    }

    static string? FieldError(Series s)
    {
        if (MessageTemplates.Problem(s) is { } template)
            return template;
        if (!RedemptionRange.TryParse(s.RedemptionRange, out _))
            return "redemptionRange must be JSON like {\"dom\":[-1],\"dow\":[-1],\"hours\":[-1]} with dom 1..31, dow 0..6, hours 0..23";
        if (!IdList.TryParse(s.StoreIdsJson, out _))
            return "storeIdsJson must be a JSON array of store ids";
        if (!IdList.TryParse(s.RedeemAtStore, out _))
            return "redeemAtStore must be a JSON array of store ids";
        if (s.Kind == SeriesKind.Generated)
        {
            if (!CodeGenerator.IsValidLength(s.RandomCodeLength))
                return $"randomCodeLength must be between {CodeGenerator.MinLength} and {CodeGenerator.MaxLength}";
            if (CodeGenerator.CodeSpaceTooSmall(s.AlphaNumeric, s.RandomCodeLength, s.MaxCreate))
                return "randomCodeLength is too short for maxCreate: too few possible codes";
        }
        if (s.MinBillAmount < 0)
            return "minBillAmount cannot be negative";
        if (s.MaxBillAmount > 0 && s.MaxBillAmount < s.MinBillAmount)
            return "maxBillAmount cannot be less than minBillAmount";

        var strategy = ExpiryStrategies.FirstOrDefault(e => string.Equals(e, s.ExpiryStrategyType?.Trim(), StringComparison.OrdinalIgnoreCase));
        return strategy switch
        {
            null => "expiryStrategyType must be SERIES_EXPIRY, DAYS or FIXED_DATE",
            "DAYS" when s.ValidDaysFromCreation <= 0 && s.ExpiryStrategyValue <= 0
                => "validDaysFromCreation or expiryStrategyValue must be positive for expiryStrategyType DAYS",
            "FIXED_DATE" when s.FixedExpiryDate is null => "fixedExpiryDate is required for expiryStrategyType FIXED_DATE",
            _ => null,
        };
    }
}
