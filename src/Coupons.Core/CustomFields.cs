using System.Text.Json;

namespace Coupons.Core;

/// <summary>A redemption's custom fields, stored as the v1.1 body carries them: [{"name":…,"value":…}] in the order given.</summary>
public static class CustomFields
{
    public sealed record Field(string Name, string? Value);

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IReadOnlyList<Field> Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        try
        {
            return JsonSerializer.Deserialize<List<Field>>(json, Json)?.Where(f => f.Name is not null).ToList() ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    public static string? Write(IReadOnlyList<Field> fields) => fields.Count == 0 ? null : JsonSerializer.Serialize(fields, Json);

    /// <summary>The stored fields with the changes applied: a field of the same name (ignoring case) is replaced, a new one added.</summary>
    public static string? Merge(string? storedJson, IReadOnlyList<Field> changes)
    {
        var fields = Parse(storedJson).ToList();
        foreach (var change in changes)
        {
            var at = fields.FindIndex(f => string.Equals(f.Name, change.Name, StringComparison.OrdinalIgnoreCase));
            if (at >= 0) fields[at] = change;
            else fields.Add(change);
        }
        return Write(fields);
    }
}
