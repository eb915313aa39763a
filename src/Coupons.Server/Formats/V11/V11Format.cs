using Microsoft.Net.Http.Headers;

namespace Coupons.Server.Formats.V11;

/// <summary>Which wire format a v1.1 response is written in.</summary>
public static class V11Format
{
    public const string JsonContentType = "application/json; charset=utf-8";
    public const string XmlContentType = "application/xml; charset=utf-8";

    /// <summary>?format=xml|json wins; then Accept; then the request's own Content-Type; JSON by default.</summary>
    public static V11WireFormat Pick(HttpRequest request)
    {
        var format = request.Query["format"].ToString().Trim();
        if (format.Equals("xml", StringComparison.OrdinalIgnoreCase))
            return V11WireFormat.Xml;
        if (format.Equals("json", StringComparison.OrdinalIgnoreCase))
            return V11WireFormat.Json;

        if (FromAccept(request) is { } accepted)
            return accepted;

        return IsXml(request.ContentType) ? V11WireFormat.Xml : V11WireFormat.Json;
    }

    public static string ContentType(V11WireFormat format) =>
        format == V11WireFormat.Xml ? XmlContentType : JsonContentType;

    /// <summary>application/xml, text/xml and any +xml type.</summary>
    internal static bool IsXml(string? mediaType) =>
        mediaType is not null && mediaType.Contains("xml", StringComparison.OrdinalIgnoreCase);

    internal static bool IsJson(string? mediaType) =>
        mediaType is not null && mediaType.Contains("json", StringComparison.OrdinalIgnoreCase);

    // The most preferred of the types we speak; wildcards say nothing and leave the choice to the next rule.
    static V11WireFormat? FromAccept(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accept))
            return null;
        foreach (var media in accept.OrderByDescending(m => m.Quality ?? 1.0))
        {
            if (media.Quality == 0)
                continue;
            var type = media.MediaType.Value;
            if (IsXml(type))
                return V11WireFormat.Xml;
            if (IsJson(type))
                return V11WireFormat.Json;
        }
        return null;
    }
}
