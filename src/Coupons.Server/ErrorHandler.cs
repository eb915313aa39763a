using Coupons.Core;
using Coupons.Server.Formats;
using Coupons.Server.Formats.V11;
using Microsoft.AspNetCore.Diagnostics;

namespace Coupons.Server;

/// <summary>
/// What escapes an endpoint becomes an answer in the API's own envelope: a malformed body is a 400,
/// anything else a 500 with code 730 and no detail of the server's insides.
/// </summary>
public static class ErrorHandler
{
    public static int StatusFor(Exception e) => e switch
    {
        BadHttpRequestException b => b.StatusCode,
        // A value the database cannot store (PostgreSQL text cannot hold U+0000), in any field that reaches it: malformed.
        Coupons.Storage.StoreInputException => StatusCodes.Status400BadRequest,
        // A JSON string that is not valid UTF-8 is found only when it is read as text (System.Text.Json checks lazily).
        InvalidOperationException { InnerException: System.Text.DecoderFallbackException } => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>A client's mistake answered with a 4xx is not an error of the server: it is not logged as one.</summary>
    public static bool IsClientError(ExceptionHandlerSuppressDiagnosticsContext c) => StatusFor(c.Exception) < 500;

    public static async Task WriteAsync(HttpContext http)
    {
        var e = http.Features.Get<IExceptionHandlerFeature>()?.Error;
        var status = e is null ? 500 : StatusFor(e);
        http.Response.StatusCode = status;
        var outcome = status switch
        {
            413 => new Outcome(Status.InvalidInput, "request body too large"),
            415 => new Outcome(StatusCodes.Status415UnsupportedMediaType, "unsupported content type: " + (http.Request.ContentType ?? "none")),
            < 500 => new Outcome(Status.BadRequest, "malformed request: " + Describe(e,
                http.Features.Get<IExceptionHandlerFeature>()?.Endpoint?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.RequestType,
                http.RequestServices.GetService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>()?.Value.SerializerOptions)),
            _ => new Outcome(Status.UnknownError),
        };
        await WriteEnvelopeAsync(http, status, outcome);
    }

    public static Task WriteStatusAsync(StatusCodeContext ctx)
    {
        var http = ctx.HttpContext;
        var status = http.Response.StatusCode;
        var outcome = status switch
        {
            404 => new Outcome(Status.NotFound, "no such resource"),
            // The body's code is the HTTP status, as for 401, 403, 404 and 429 (the spec has no code of its own for these).
            405 => new Outcome(StatusCodes.Status405MethodNotAllowed, "method not allowed"),
            413 => new Outcome(Status.InvalidInput, "request body too large"),
            415 => new Outcome(StatusCodes.Status415UnsupportedMediaType, "unsupported content type: " + (http.Request.ContentType ?? "none")),
            _ => new Outcome(status >= 500 ? Status.UnknownError : Status.BadRequest),
        };
        return WriteEnvelopeAsync(http, status, outcome);
    }

    static string Describe(Exception? e, Type? body = null, System.Text.Json.JsonSerializerOptions? json = null) => e switch
    {
        Coupons.Storage.StoreInputException s => s.Message,
        { InnerException: System.Text.DecoderFallbackException } => "the body is not valid UTF-8",
        { InnerException: System.Text.Json.JsonException j } => BindingErrors.Describe(j, body, json),
        BadHttpRequestException b => BindingErrors.Describe(b),
        _ => e?.Message ?? "",
    };

    /// <summary>In the envelope of the API the path belongs to: v1.1's response/status (JSON or XML), else v2's errors.</summary>
    public static Task WriteEnvelopeAsync(HttpContext http, int status, Outcome outcome) =>
        http.Request.Path.StartsWithSegments("/v1.1")
            ? V11Result.Error(status, outcome.Code, outcome.Message).ExecuteAsync(http)
            : V2Envelope.Error(status, outcome).ExecuteAsync(http);
}
