using System.Text.Json.Nodes;

namespace Coupons.Guarantees;

/// <summary>Reading the outcome of one coupon out of a v1.1 or v2 answer.</summary>
public static class Answers
{
    /// <summary>A v1.1 answer's first item (response → coupon, or response → coupons → coupon): its item_status and the item.</summary>
    public static (bool Ok, int Code, JsonNode? Item) V11Item(Answer a)
    {
        var response = a.Json()?["response"];
        if (response is null) return (false, -1, null);
        var item = First(response["coupon"]) ?? First(response["coupons"]?["coupon"]);
        var status = item?["item_status"];
        if (status is null) return (false, Int(response["status"]?["code"]), null);
        return (Str(status["success"]) == "true", Int(status["code"]), item);
    }

    /// <summary>The first code of a v2 error envelope, or 0.</summary>
    public static int V2ErrorCode(Answer a) => Int(a.Json()?["errors"]?.AsArray().FirstOrDefault()?["code"]);

    /// <summary>An answer no client should ever see: no answer at all, a server error that is not v1.1's "all items failed", or no envelope.</summary>
    public static string? Broken(Answer a, bool v11)
    {
        if (a.Failed) return $"no answer ({a.Failure})";
        if (v11)
        {
            var status = a.Json()?["response"]?["status"];
            if (status is null) return $"HTTP {a.Status} without the v1.1 envelope: {Api.Shorten(a.Body, 200)}";
            // v1.1 answers 500 when every item of the request failed (the spec's overall status); 730 is an unexpected error.
            if (a.Status >= 500 && (a.Status != 500 || Int(status["code"]) != 500)) return $"HTTP {a.Status}: {Api.Shorten(a.Body, 200)}";
            return null;
        }
        if (a.Status >= 500) return $"HTTP {a.Status}: {Api.Shorten(a.Body, 200)}";
        if (a.Status >= 400 && a.Json()?["errors"] is not JsonArray) return $"HTTP {a.Status} without the errors envelope: {Api.Shorten(a.Body, 200)}";
        return null;
    }

    static JsonNode? First(JsonNode? n) => n is JsonArray arr ? arr.FirstOrDefault() : n;

    public static string? Str(JsonNode? n) => n is JsonValue v ? v.ToString() : null;

    public static int Int(JsonNode? n) => n is JsonValue v && int.TryParse(v.ToString(), out var i) ? i : 0;

    public static long Long(JsonNode? n) => n is JsonValue v && long.TryParse(v.ToString(), out var i) ? i : 0;
}
