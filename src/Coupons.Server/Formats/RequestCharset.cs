using System.Text;
using Microsoft.Net.Http.Headers;

namespace Coupons.Server.Formats;

/// <summary>
/// A body declared in a charset .NET does not know cannot be read: 415 in the endpoint's envelope, before any endpoint
/// tries (the JSON binder would otherwise throw and answer 500).
/// </summary>
public static class RequestCharset
{
    public static Task RefuseUnknownAsync(HttpContext http, RequestDelegate next)
    {
        if (MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var type) && type.Charset is { Length: > 0 } charset && !IsKnown(charset.Value!))
        {
            http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return Task.CompletedTask;
        }
        return next(http);
    }

    static bool IsKnown(string charset)
    {
        try
        {
            Encoding.GetEncoding(charset.Trim('"'));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
