using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Coupons.Server.Tests;

/// <summary>
/// The served OpenAPI document, and a check of a real answer against the schema it documents for that operation and
/// status: types (null included), enums, required properties, items, oneOf, date-time strings, and no property that the
/// schema does not name (a property the server writes but the document forgot is a drift, not an extension).
/// </summary>
public sealed class OpenApiDocument(JsonNode document)
{
    public JsonNode Root { get; } = document;

    public static async Task<OpenApiDocument> LoadAsync(CouponsApp app)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync("/openapi/v1.json");
        response.EnsureSuccessStatusCode();
        return new OpenApiDocument(await response.Json());
    }

    public IEnumerable<(string Path, string Method, JsonObject Operation)> Operations() =>
        Root["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(m => (p.Key, m.Key, m.Value!.AsObject())));

    public JsonNode? ResponseSchema(string path, string method, int status, string contentType = "application/json") =>
        Root["paths"]?[path]?[method]?["responses"]?[status.ToString(CultureInfo.InvariantCulture)]?["content"]?[contentType]?["schema"];

    /// <summary>Checks an answer against its documented schema; the answer's status must be documented.</summary>
    public async Task<JsonNode> CheckAsync(HttpResponseMessage response, string path, string method)
    {
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        var schema = ResponseSchema(path, method, status);
        Assert.True(schema is not null, $"{method.ToUpperInvariant()} {path} answered {status}, which the document does not list: {text}");
        var body = JsonNode.Parse(text);
        var problems = new List<string>();
        Validate(body, schema, "$", problems);
        Assert.True(problems.Count == 0, $"{method.ToUpperInvariant()} {path} {status} departs from its schema:\n{string.Join("\n", problems)}\n{text}");
        return body!;
    }

    JsonNode Resolve(JsonNode schema)
    {
        while (schema["$ref"]?.GetValue<string>() is { } reference)
            schema = reference.Split('/').Skip(1).Aggregate(Root, (node, part) => node[part]!);
        return schema;
    }

    static string KindOf(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => value.GetValue<decimal>() % 1 == 0 ? "integer" : "number",
        JsonValueKind.String => "string",
        JsonValueKind.Array => "array",
        _ => "object",
    };

    public void Validate(JsonNode? value, JsonNode schema, string at, List<string> problems)
    {
        schema = Resolve(schema);
        if ((schema["oneOf"] ?? schema["anyOf"]) is JsonArray oneOf)
        {
            var matching = oneOf.Count(option =>
            {
                var inner = new List<string>();
                Validate(value, option!, at, inner);
                return inner.Count == 0;
            });
            if (matching == 0) problems.Add($"{at}: matches none of oneOf/anyOf ({KindOf(value)})");
            return;
        }
        var kind = KindOf(value);
        if (schema["type"] is { } type)
        {
            var allowed = type is JsonArray many ? many.Select(t => t!.GetValue<string>()).ToList() : [type.GetValue<string>()];
            if (!allowed.Contains(kind) && !(kind == "integer" && allowed.Contains("number")))
            {
                problems.Add($"{at}: is {kind}, documented as {string.Join("|", allowed)}");
                return;
            }
        }
        if (schema["enum"] is JsonArray values && kind != "null" && !values.Any(v => JsonNode.DeepEquals(v, value)))
            problems.Add($"{at}: {value!.ToJsonString()} is not one of {values.ToJsonString()}");
        if (kind == "string" && schema["format"]?.GetValue<string>() == "date-time" &&
            !DateTimeOffset.TryParse(value!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            problems.Add($"{at}: '{value}' is not a date-time");
        if (value is JsonArray array && schema["items"] is { } items)
            for (var i = 0; i < array.Count; i++) Validate(array[i], items, $"{at}[{i}]", problems);
        if (value is JsonObject obj)
        {
            foreach (var name in (schema["required"] as JsonArray ?? []).Select(r => r!.GetValue<string>()))
                if (!obj.ContainsKey(name)) problems.Add($"{at}: required property '{name}' is missing");
            var properties = schema["properties"] as JsonObject;
            foreach (var (name, child) in obj)
            {
                if (properties?[name] is { } documented) Validate(child, documented, $"{at}.{name}", problems);
                else if (schema["additionalProperties"] is JsonObject extra) Validate(child, extra, $"{at}.{name}", problems);
                else if (properties is not null) problems.Add($"{at}: property '{name}' is not documented");
            }
        }
    }
}
