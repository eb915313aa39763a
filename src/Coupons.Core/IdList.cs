using System.Globalization;
using System.Text.Json;

namespace Coupons.Core;

/// <summary>
/// The JSON id lists a series keeps as strings (storeIdsJson, redeemAtStore, mutualExclusiveSeriesIds):
/// "[-1]", "[12, 13]" or "[\"12\", \"13\"]". A list that is empty or holds -1 means any.
/// </summary>
public static class IdList
{
    /// <summary>Parses a JSON array of integers (numbers or numeric strings). Null or blank is the empty list.</summary>
    public static bool TryParse(string? json, out long[] ids)
    {
        ids = [];
        if (string.IsNullOrWhiteSpace(json))
            return true;
        try
        {
            using var doc = JsonDocument.Parse(json);
            return TryReadArray(doc.RootElement, out ids);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>True when the list puts no restriction (empty, or holds -1).</summary>
    public static bool IsAny(long[] ids) => ids.Length == 0 || ids.Contains(-1);

    /// <summary>True when the list allows <paramref name="id"/>; an unparseable list allows nothing.</summary>
    public static bool Allows(string? json, long id) => TryParse(json, out var ids) && (IsAny(ids) || ids.Contains(id));

    internal static bool TryReadArray(JsonElement element, out long[] ids)
    {
        ids = [];
        if (element.ValueKind != JsonValueKind.Array)
            return false;
        var list = new List<long>(element.GetArrayLength());
        foreach (var item in element.EnumerateArray())
        {
            if (!TryReadInteger(item, out var value))
                return false;
            list.Add(value);
        }
        ids = [.. list];
        return true;
    }

    static bool TryReadInteger(JsonElement item, out long value)
    {
        value = 0;
        return item.ValueKind switch
        {
            JsonValueKind.Number => item.TryGetInt64(out value),
            JsonValueKind.String => long.TryParse(item.GetString()?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value),
            _ => false,
        };
    }
}
