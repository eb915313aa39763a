using Coupons.Core;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coupons.Server.Formats;

public sealed record StatusItem(bool Status, int Code, string Message)
{
    public static StatusItem Of(Outcome o) => new(o.Ok, o.Code, o.Detail ?? Coupons.Core.Status.V2Message(o.Code));
}

/// <summary>The v2 error envelope: {"errors":[{"status":false,"code":N,"message":"…"}],"warnings":[]}.</summary>
public sealed record ErrorEnvelope(IReadOnlyList<StatusItem> Errors, IReadOnlyList<StatusItem> Warnings);

public static class V2Envelope
{
    public static JsonHttpResult<ErrorEnvelope> Error(int httpStatus, Outcome outcome) =>
        TypedResults.Json(new ErrorEnvelope([StatusItem.Of(outcome)], []), statusCode: httpStatus);

    public static JsonHttpResult<ErrorEnvelope> Error(int httpStatus, int code, string? detail = null) =>
        Error(httpStatus, new Outcome(code, detail));

    /// <summary>The HTTP status a refused admin or v2 operation answers with.</summary>
    public static int HttpStatusFor(Outcome o) => o.Code switch
    {
        Status.NotFound or Status.InvalidSeries or Status.CustomerNotFound => StatusCodes.Status404NotFound,
        Status.Unauthorized => StatusCodes.Status401Unauthorized,
        Status.Forbidden => StatusCodes.Status403Forbidden,
        Status.DuplicateSeriesCode or Status.DuplicateSeriesCodeOnUpdate => StatusCodes.Status409Conflict,
        Status.TooManyRequests => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status400BadRequest,
    };

    public static JsonHttpResult<ErrorEnvelope> Error(Outcome o) => Error(HttpStatusFor(o), o);
}
