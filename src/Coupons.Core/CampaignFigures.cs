namespace Coupons.Core;

public enum FiguresGrouping { Day, Week, Store }

/// <summary>One period's (or store's) figures. The rate is redeemed ÷ issued of the same group, 4 places; null when nothing was issued.</summary>
public sealed record FiguresRow(string Key, int Issued, int Redeemed, decimal DiscountGiven, decimal BillTotal)
{
    public decimal? RedemptionRate => Issued == 0 ? null : Math.Round((decimal)Redeemed / Issued, 4, MidpointRounding.AwayFromZero);
}

/// <summary>
/// A series' campaign figures over a range of days of the organisation's zone, summed as the rows stream past (constant
/// memory, whatever the number of coupons and redemptions): issues by their issuedOn, live redemptions (reversed ones
/// left out) by their redemption time, each read in the zone. Day and week groups list every period of the range, active
/// or not; a week runs Monday to Sunday and is named by its Monday (the first and last may be cut by the range). Store
/// groups list the stores that issued or redeemed, keyed by store id (coupons issued without a store count in the
/// totals only). Amounts are exact decimals.
/// </summary>
public sealed class CampaignFigures
{
    readonly FiguresGrouping by;
    readonly TimeZoneInfo zone;
    readonly Dictionary<string, (int Issued, int Redeemed, decimal Discount, decimal Bill)> groups = new();
    int issued, redeemed;
    decimal discount, bill;

    public DateOnly From { get; }
    public DateOnly To { get; }

    /// <summary>The most days a range may span (ten years and a bit): a day-grouped answer stays a few thousand rows.</summary>
    public const int MaxDays = 3700;

    public CampaignFigures(FiguresGrouping by, TimeZoneInfo zone, DateOnly from, DateOnly to)
    {
        if (to < from) throw new ArgumentException("to is before from");
        (this.by, this.zone, From, To) = (by, zone, from, to);
        if (by != FiguresGrouping.Store)
            for (var d = from; d <= to; d = d.AddDays(1))
                groups.TryAdd(PeriodKey(d), default);
    }

    /// <summary>The instants the range covers: from local midnight of <see cref="From"/> to local midnight after <see cref="To"/>.</summary>
    public (DateTimeOffset Since, DateTimeOffset Until) Instants => (StartOf(From, zone), StartOf(To.AddDays(1), zone));

    /// <summary>The first instant of a local day: its midnight, or the first valid time after it where a clock change skips midnight.</summary>
    public static DateTimeOffset StartOf(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(15);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    string PeriodKey(DateOnly d) => by == FiguresGrouping.Week
        ? d.AddDays(-(((int)d.DayOfWeek + 6) % 7)).ToString("yyyy-MM-dd")
        : d.ToString("yyyy-MM-dd");

    string? KeyOf(DateTimeOffset at, long? storeId)
    {
        if (by == FiguresGrouping.Store) return storeId?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);
        return day < From || day > To ? null : PeriodKey(day);
    }

    public void AddIssue(DateTimeOffset at, long? storeId)
    {
        issued++;
        if (KeyOf(at, storeId) is { } key)
        {
            var g = groups.GetValueOrDefault(key);
            groups[key] = g with { Issued = g.Issued + 1 };
        }
    }

    public void AddRedemption(DateTimeOffset at, long storeId, decimal? billAmount, decimal? discountAmount)
    {
        redeemed++;
        discount += discountAmount ?? 0;
        bill += billAmount ?? 0;
        if (KeyOf(at, storeId) is { } key)
        {
            var g = groups.GetValueOrDefault(key);
            groups[key] = (g.Issued, g.Redeemed + 1, g.Discount + (discountAmount ?? 0), g.Bill + (billAmount ?? 0));
        }
    }

    public FiguresRow Totals => new("total", issued, redeemed, discount, bill);

    /// <summary>Periods in order; stores by id.</summary>
    public IReadOnlyList<FiguresRow> Rows =>
        groups.OrderBy(g => by == FiguresGrouping.Store ? g.Key.PadLeft(20, '0') : g.Key, StringComparer.Ordinal)
            .Select(g => new FiguresRow(g.Key, g.Value.Issued, g.Value.Redeemed, g.Value.Discount, g.Value.Bill)).ToList();
}
