using System.Globalization;
using Coupons.Core;

namespace Coupons.Server.WebConsole;

/// <summary>How the console words a series' kind, validity and remaining count.</summary>
public static class SeriesView
{
    public static string Kind(Series s) => s.Kind switch
    {
        SeriesKind.Generic => "Shared code",
        SeriesKind.Uploaded => "Uploaded list",
        _ => "Generated",
    };

    public static string Validity(Series s)
    {
        var strategy = s.ExpiryStrategyType?.Trim().ToUpperInvariant();
        var coupon = strategy switch
        {
            "DAYS" => $"{Math.Max(s.ValidDaysFromCreation, s.ExpiryStrategyValue)} days after issue",
            "FIXED_DATE" => s.FixedExpiryDate is { } f ? $"coupons until {Date(f)}" : "fixed date (none set)",
            _ => null,
        };
        var series = s.ValidTillDate is { } v ? $"until {Date(v)}" : "no end date";
        return coupon is null ? series : $"{series}; {coupon}";
    }

    /// <summary>Coupons that can still be issued: the uploaded codes not yet issued, or what maxCreate leaves; null when unlimited.</summary>
    public static int? Remaining(Series s) => s.Kind switch
    {
        SeriesKind.Uploaded => s.MaxCreate >= 0 ? Math.Min(s.NumUploadedNonIssued, Math.Max(0, s.MaxCreate - s.NumIssued)) : s.NumUploadedNonIssued,
        _ => s.MaxCreate >= 0 ? Math.Max(0, s.MaxCreate - s.NumIssued) : null,
    };

    public static string Date(DateTimeOffset d) => d.UtcDateTime.ToString(d.UtcDateTime.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Amount(decimal d) => d.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A money amount to the organisation's currency minor unit (a discount of 1.255 in a 3-decimal currency stays 1.255).</summary>
    public static string Money(decimal d, int decimals) => d.ToString("F" + Math.Clamp(decimals, 0, Discounts.MaxCurrencyDecimals), CultureInfo.InvariantCulture);

    public static string Discount(Series s) => s.DiscountType?.ToUpperInvariant() == "PERC"
        ? $"{Amount(s.DiscountValue)}% off" + (s.DiscountUpto > 0 ? $" up to {Amount(s.DiscountUpto)}" : "")
        : $"{Amount(s.DiscountValue)} off";
}
