namespace Coupons.Core;

public static class TimeZones
{
    /// <summary>An organisation's zone by IANA or Windows id; UTC when the id is blank or unknown.</summary>
    public static TimeZoneInfo FindOrUtc(string? id) =>
        !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id.Trim(), out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>23:59:59 of <paramref name="date"/> in <paramref name="zone"/>, as a UTC instant.</summary>
    public static DateTimeOffset EndOfDay(DateOnly date, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(new TimeOnly(23, 59, 59), DateTimeKind.Unspecified);
        // GetUtcOffset does not throw for a time inside a DST gap, unlike ConvertTimeToUtc.
        var offset = zone.GetUtcOffset(local);
        return TruncateToSeconds(new DateTimeOffset(local, offset).ToUniversalTime());
    }

    /// <summary>The calendar date of an instant in a zone.</summary>
    public static DateOnly LocalDate(DateTimeOffset instant, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);

    /// <summary>Dates stored without a zone (validTillDate, fixedExpiryDate) are read as their UTC calendar date.</summary>
    public static DateOnly UtcDate(DateTimeOffset value) => DateOnly.FromDateTime(value.UtcDateTime);

    static DateTimeOffset TruncateToSeconds(DateTimeOffset t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, t.Offset);
}
