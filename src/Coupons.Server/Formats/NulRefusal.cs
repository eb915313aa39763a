using System.Buffers.Text;
using System.Text;
using Coupons.Core;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Coupons.Server.Formats;

/// <summary>
/// PostgreSQL text cannot hold U+0000, and a statement it refuses for one must never reach it: besides failing, it
/// can leave the pooled connection's prepared statement out of step with the server (npgsql/npgsql#6391; see
/// PostgresStore). So a NUL anywhere in a request's data is answered 400 in the API's envelope here, before any
/// endpoint runs, on both backends alike. Looked for wherever it can hide: the path and the query (%00), HTTP Basic
/// credentials and the claims of a bearer token (decoded: both reach the database as a till code), and the body: a
/// 0 byte in any body, a \u0000 escape in JSON, %00 in a form, &amp;#0; in XML (its parser refuses that as well).
/// Raw NUL bytes in the request line or headers never get this far: Kestrel refuses them.
/// </summary>
public static class NulRefusal
{
    public const string Message = "malformed request: text must not contain the NUL character";

    public static async Task RefuseAsync(HttpContext http, RequestDelegate next)
    {
        var request = http.Request;
        if (InTarget(request) || InCredentials(request.Headers.Authorization.ToString()) || await InBodyAsync(request))
        {
            await ErrorHandler.WriteEnvelopeAsync(http, StatusCodes.Status400BadRequest, new Outcome(Status.BadRequest, Message));
            return;
        }
        await next(http);
    }

    static bool InTarget(HttpRequest request) =>
        request.Path.Value?.Contains('\0') == true || request.QueryString.Value?.Contains("%00", StringComparison.Ordinal) == true;

    static bool InCredentials(string header)
    {
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            return Decodes(header.AsSpan(6).Trim(), url: false, out var credentials) && credentials.Contains((byte)0);
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        var token = header.AsSpan(7).Trim();
        // header.payload.signature: the payload's subject is looked up before the signature can be checked.
        var first = token.IndexOf('.');
        var last = token.LastIndexOf('.');
        return first > 0 && last > first && Decodes(token[(first + 1)..last], url: true, out var claims) && InJson(claims);
    }

    static bool Decodes(ReadOnlySpan<char> text, bool url, out byte[] decoded)
    {
        var bytes = new byte[text.Length];
        var ok = url ? Base64Url.DecodeFromChars(text, bytes, out _, out var written) == System.Buffers.OperationStatus.Done
            : Convert.TryFromBase64Chars(text, bytes, out written);
        decoded = ok ? bytes[..written] : [];
        return ok;
    }

    /// <summary>Reads the whole body (Kestrel enforcing the endpoint's size limit) and leaves it to be read again from its start.</summary>
    static async Task<bool> InBodyAsync(HttpRequest request)
    {
        if (request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>() is not { CanHaveBody: true }) return false;
        var cancel = request.HttpContext.RequestAborted;
        byte[] body;
        int length = 0;
        if (request.ContentLength is { } declared and <= 64 * 1024)
        {
            body = new byte[declared];
            int read;
            while (length < body.Length && (read = await request.Body.ReadAsync(body.AsMemory(length), cancel)) > 0) length += read;
        }
        else
        {
            // Larger or of unknown length: grows only as bytes arrive, so a Content-Length over the limit costs nothing.
            var copy = new MemoryStream();
            await request.Body.CopyToAsync(copy, cancel);
            body = copy.GetBuffer();
            length = (int)copy.Length;
        }
        request.Body = new MemoryStream(body, 0, length, writable: false, publiclyVisible: true);
        return InBody(body.AsSpan(0, length), request.ContentType);
    }

    internal static bool InBody(ReadOnlySpan<byte> body, string? contentType)
    {
        MediaTypeHeaderValue.TryParse(contentType, out var type);
        var media = type?.MediaType.Value ?? "";
        // RequestCharset has already refused charsets .NET does not know. In UTF-8 and the single-byte charsets a NUL
        // is a 0 byte and the escapes below are ASCII; UTF-16 and UTF-32 bodies are read as text first.
        if (type?.Charset.Value is { Length: > 0 } charset && Encoding.GetEncoding(charset.Trim('"')) is not UTF8Encoding and { IsSingleByte: false } encoding)
            body = Encoding.UTF8.GetBytes(encoding.GetString(body));
        if (body.Contains((byte)0)) return true;
        if (media.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)) return body.IndexOf("%00"u8) >= 0;
        if (media.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) || media.Equals("text/csv", StringComparison.OrdinalIgnoreCase)) return false;
        var json = media.Contains("json", StringComparison.OrdinalIgnoreCase);
        var xml = media.Contains("xml", StringComparison.OrdinalIgnoreCase);
        // Any other type may still be read as JSON or as XML (v1.1 looks at the body's first character).
        return (!xml && InJson(body)) || (!json && InXml(body));
    }

    /// <summary>A \u0000 escape: "\u0000" after an even number of further backslashes (after an odd number it is the text \u0000).</summary>
    static bool InJson(ReadOnlySpan<byte> json)
    {
        if (json.Contains((byte)0)) return true;
        for (var at = json.IndexOf("\\u0000"u8); at >= 0;)
        {
            var backslashes = 1;
            while (at - backslashes >= 0 && json[at - backslashes] == '\\') backslashes++;
            if (backslashes % 2 == 1) return true;
            var next = json[(at + 1)..].IndexOf("\\u0000"u8);
            at = next < 0 ? -1 : at + 1 + next;
        }
        return false;
    }

    /// <summary>A character reference to U+0000: &amp;#0; &amp;#x0; with any number of zeros.</summary>
    static bool InXml(ReadOnlySpan<byte> xml)
    {
        for (var at = xml.IndexOf("&#"u8); at >= 0;)
        {
            var rest = xml[(at + 2)..];
            if (rest.Length > 0 && (rest[0] | 0x20) == 'x') rest = rest[1..];
            var zeros = 0;
            while (zeros < rest.Length && rest[zeros] == '0') zeros++;
            if (zeros > 0 && zeros < rest.Length && rest[zeros] == ';') return true;
            var next = xml[(at + 2)..].IndexOf("&#"u8);
            at = next < 0 ? -1 : at + 2 + next;
        }
        return false;
    }
}
