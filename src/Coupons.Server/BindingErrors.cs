using System.Text.Json;
using System.Text.RegularExpressions;

namespace Coupons.Server;

/// <summary>
/// What the framework says when it cannot bind a request, said for a client: the field (its JSON path, or the query or
/// route parameter) and the reason, in JSON's words rather than .NET's ("must be a number", not "System.Int64").
/// </summary>
public static partial class BindingErrors
{
    /// <param name="body">The type the body was read as, to name what the field at the error's path takes (the serializer names
    /// the record holding it).</param>
    public static string Describe(JsonException e, Type? body = null, JsonSerializerOptions? options = null)
    {
        var field = e.Path is { Length: > 1 } path ? path.TrimStart('$').TrimStart('.') : null;
        var reason = e.Message;
        var cut = reason.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0) reason = reason[..cut];
        if (ConvertedTo().Match(reason) is { Success: true } m)
        {
            var expected = body is not null && options is not null && e.Path is { } p ? TypeAt(body, p, options) : null;
            return (field is null ? "the body" : field) + " must be " + (expected is not null ? JsonKind(expected) : JsonKind(m.Groups[1].Value.TrimEnd('.')));
        }
        return field is null ? $"the body is not valid JSON: {reason}" : $"{field}: {reason}";
    }

    public static string Describe(BadHttpRequestException e)
    {
        if (FailedToBind().Match(e.Message) is { Success: true } bind)
            return $"{bind.Groups[2].Value}: '{bind.Groups[3].Value}' is not {JsonKind(bind.Groups[1].Value)}";
        if (RequiredMissing().Match(e.Message) is { Success: true } missing)
            return missing.Groups[2].Value == "body" ? "the request needs a JSON body" : $"{missing.Groups[1].Value} is required";
        if (e.Message.Contains("no body was provided", StringComparison.Ordinal)) return "the request needs a JSON body";
        return e.Message;
    }

    /// <summary>The .NET type at a JSON path ($.profiles[0].identifiers[0].type) of <paramref name="root"/>, as the serializer sees it.</summary>
    static Type? TypeAt(Type root, string path, JsonSerializerOptions options)
    {
        var type = root;
        foreach (Match step in PathStep().Matches(path))
        {
            if (step.Groups["index"].Success)
            {
                type = type.IsArray ? type.GetElementType()
                    : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
            }
            else
            {
                var name = step.Groups["name"].Value;
                type = options.GetTypeInfo(Nullable.GetUnderlyingType(type) ?? type).Properties
                    .FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))?.PropertyType;
            }
            if (type is null) return null;
        }
        return type == root ? null : type;
    }

    static string JsonKind(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t.IsEnum) return "one of " + string.Join(", ", Enum.GetNames(t).Select(n => n.ToUpperInvariant()));
        if (t != typeof(string) && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))) return "an array";
        return JsonKind(t.FullName ?? t.Name);
    }

    static string JsonKind(string dotnetType)
    {
        if (dotnetType.Contains("List`", StringComparison.Ordinal) || dotnetType.EndsWith("[]", StringComparison.Ordinal)) return "an array";
        // System.Nullable`1[System.Int64] → Int64; Nullable<int> and int? → int
        var inner = dotnetType.Contains('[') ? dotnetType[(dotnetType.LastIndexOf('[') + 1)..].TrimEnd(']') : dotnetType;
        inner = inner.Contains('<') ? inner[(inner.LastIndexOf('<') + 1)..].TrimEnd('>') : inner;
        return inner.Split('.').Last().TrimEnd('?') switch
        {
            "Int64" or "Int32" or "Int16" or "long" or "int" or "short" => "an integer",
            "Decimal" or "Double" or "Single" or "decimal" or "double" => "a number",
            "Boolean" or "bool" => "true or false",
            "String" or "string" => "a string",
            "DateTimeOffset" or "DateTime" => "a date-time (YYYY-MM-DDTHH:MM:SSZ)",
            "FraudStatus" => "one of NONE, MARKED, CONFIRMED",
            _ => "an object",
        };
    }

    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\[(?<index>\d+)\]")]
    private static partial Regex PathStep();

    [GeneratedRegex(@"could not be converted to ([\w.`\[\]]+)")]
    private static partial Regex ConvertedTo();

    [GeneratedRegex("""Failed to bind parameter "([\w.?<>\[\]]+) (\w+)" from "(.*)"\.""")]
    private static partial Regex FailedToBind();

    [GeneratedRegex("""Required parameter "[\w.?<>\[\]]+ (\w+)" was not provided from (\w+)""")]
    private static partial Regex RequiredMissing();
}
