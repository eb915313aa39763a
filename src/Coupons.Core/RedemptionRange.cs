using System.Text.Json;

namespace Coupons.Core;

/// <summary>
/// A series' redemptionRange, e.g. {"dom":["-1"],"dow":["-1"],"hours":["-1"]}: days of the month (1..31),
/// days of the week (0..6, 0 = Sunday as <see cref="DayOfWeek"/>) and hours (0..23) at which coupons may be redeemed,
/// read in the organisation's zone. An empty list here means any (a list holding -1, an empty list or a missing key).
/// </summary>
public sealed record RedemptionRange(int[] DaysOfMonth, int[] DaysOfWeek, int[] Hours)
{
    public static readonly RedemptionRange Any = new([], [], []);

    /// <summary>Null or blank JSON is <see cref="Any"/>; malformed JSON or values out of range fail.</summary>
    public static bool TryParse(string? json, out RedemptionRange range)
    {
        range = Any;
        if (string.IsNullOrWhiteSpace(json))
            return true;
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return false;
            if (!TryReadList(root, "dom", 1, 31, out var dom)
                || !TryReadList(root, "dow", 0, 6, out var dow)
                || !TryReadList(root, "hours", 0, 23, out var hours))
                return false;
            range = new RedemptionRange(dom, dow, hours);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Whether a redemption at this wall-clock time (in the organisation's zone) is inside the range.</summary>
    public bool Allows(DateTime localTime) =>
        Includes(DaysOfMonth, localTime.Day)
        && Includes(DaysOfWeek, (int)localTime.DayOfWeek)
        && Includes(Hours, localTime.Hour);

    static bool Includes(int[] list, int value) => list.Length == 0 || list.Contains(value);

    static bool TryReadList(JsonElement root, string key, int min, int max, out int[] values)
    {
        values = [];
        JsonElement? found = null;
        foreach (var property in root.EnumerateObject())
        {
            if (string.Equals(property.Name, key, StringComparison.OrdinalIgnoreCase))
                found = property.Value;
        }
        if (found is not { } element || element.ValueKind == JsonValueKind.Null)
            return true;
        if (!IdList.TryReadArray(element, out var ids))
            return false;
        if (ids.Contains(-1))
            return true;
        if (ids.Any(v => v < min || v > max))
            return false;
        values = [.. ids.Select(v => (int)v).Distinct().Order()];
        return true;
    }
}
