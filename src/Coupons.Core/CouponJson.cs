using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coupons.Core;

/// <summary>The one JSON shape of the v2 API and of stored configuration: camelCase, enums as strings.</summary>
public static class CouponJson
{
    public static readonly JsonSerializerOptions Options = Create();

    static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Apply(o);
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    /// <summary>Sets the shape on options someone else owns (ASP.NET Core's HTTP JSON options).</summary>
    public static void Apply(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.PropertyNameCaseInsensitive = true;
        o.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        o.NumberHandling = JsonNumberHandling.AllowReadingFromString;
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        o.Converters.Add(new UtcSecondsConverter());
    }

    /// <summary>Timestamps are written as the spec writes them: YYYY-MM-DDTHH:MM:SSZ.</summary>
    sealed class UtcSecondsConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var s = reader.GetString();
            if (s is null || !DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal, out var value))
                throw new JsonException($"'{s}' is not a date (expected YYYY-MM-DDTHH:MM:SSZ)");
            return value.ToUniversalTime();
        }

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
    }
}
