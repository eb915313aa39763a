namespace Coupons.Core;

/// <summary>
/// The discount a bill gets from a coupon of a series: what a till would otherwise compute from series_info, each
/// vendor its own way. Exact decimal arithmetic; the result is rounded half away from zero to the organisation's
/// currency minor unit (<see cref="Organisation.CurrencyDecimals"/>, 2 unless set).
/// </summary>
public static class Discounts
{
    public const int DefaultCurrencyDecimals = 2;

    /// <summary>The most decimal places a currency may have: the database keeps amounts as numeric(18,4).</summary>
    public const int MaxCurrencyDecimals = 4;

    /// <summary>
    /// The discount of <paramref name="bill"/>, or null when none can be said: no bill amount, a series whose discount is
    /// not on the bill (item-level discounts need the items), or a discount type other than ABS and PERC.
    /// <list type="bullet">
    /// <item>A bill outside the series' minBillAmount..maxBillAmount (as <see cref="RedeemRules.BillAmountAllowed"/>), or
    /// not above 0, gets 0.</item>
    /// <item>ABS: discountValue, never more than the bill.</item>
    /// <item>PERC: bill × discountValue / 100, capped at discountUpto when that is above 0, never more than the bill.</item>
    /// </list>
    /// A negative discountValue counts as 0. The cap and the bill apply before rounding; a rounded discount that would
    /// exceed the bill (a bill finer than the minor unit) is rounded towards zero instead.
    /// </summary>
    public static decimal? For(Series series, decimal? bill, int currencyDecimals)
    {
        if (bill is not { } amount) return null;
        if (!string.IsNullOrEmpty(series.DiscountOn) && !series.DiscountOn.Equals("BILL", StringComparison.OrdinalIgnoreCase)) return null;
        var value = Math.Max(series.DiscountValue, 0m);
        decimal? raw = series.DiscountType.Trim().ToUpperInvariant() switch
        {
            "ABS" => value,
            "PERC" => series.DiscountUpto > 0 ? Math.Min(amount * value / 100m, series.DiscountUpto) : amount * value / 100m,
            _ => null,
        };
        if (raw is not { } discount) return null;
        if (amount <= 0 || !RedeemRules.BillAmountAllowed(series, amount)) return 0m;
        var decimals = Math.Clamp(currencyDecimals, 0, MaxCurrencyDecimals);
        var rounded = Math.Round(Math.Min(discount, amount), decimals, MidpointRounding.AwayFromZero);
        return rounded <= amount ? rounded : Math.Round(amount, decimals, MidpointRounding.ToZero);
    }
}
