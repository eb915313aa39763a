using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Coupons.Server.Formats.V11;

/// <summary>The overall status of a v1.1 response: its HTTP status and its status node agree.</summary>
public sealed record V11Status(int Code, bool Success, string Message)
{
    public static readonly V11Status AllSucceeded = new(StatusCodes.Status200OK, true, "SUCCESS");
    public static readonly V11Status SomeFailed = new(StatusCodes.Status201Created, true, "Some requests have failed due to errors");
    public static readonly V11Status AllFailed = new(StatusCodes.Status500InternalServerError, false, "All requests have failed due to errors");

    /// <summary>200 when every item succeeded (an empty batch included), 500 when every item failed, 201 otherwise.</summary>
    public static V11Status Of(IEnumerable<bool> itemSuccesses)
    {
        bool any = false, anySucceeded = false, anyFailed = false;
        foreach (var ok in itemSuccesses)
        {
            any = true;
            if (ok) anySucceeded = true; else anyFailed = true;
        }
        if (!any || !anyFailed)
            return AllSucceeded;
        return anySucceeded ? SomeFailed : AllFailed;
    }
}

/// <summary>
/// A v1.1 response: the <c>response</c> tree written as JSON or XML, whichever the request asks for
/// (see <see cref="V11Format.Pick"/>). Declares both content types to OpenAPI.
/// </summary>
public sealed class V11Result : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    static readonly string[] ContentTypes = ["application/json", "application/xml"];

    public V11Result(V11Node response, int statusCode)
    {
        Response = response;
        StatusCode = statusCode;
    }

    public V11Node Response { get; }

    public int StatusCode { get; }

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    /// <summary>response → status {success, code, message} followed by the resource nodes.</summary>
    public static V11Result Create(int httpStatus, bool success, int code, string message, params IEnumerable<V11Node> resources) =>
        new(V11Node.Obj("response", [StatusNode("status", success, code, message), .. resources]), httpStatus);

    public static V11Result Create(V11Status status, params IEnumerable<V11Node> resources) =>
        Create(status.Code, status.Success, status.Code, status.Message, resources);

    /// <summary>200 SUCCESS with the given resource nodes.</summary>
    public static V11Result Ok(params IEnumerable<V11Node> resources) => Create(V11Status.AllSucceeded, resources);

    /// <summary>A batch answer: 200, 201 or 500 from the items' outcomes, e.g. <c>coupons → coupon…</c> each with its item_status.</summary>
    public static V11Result ForItems(IEnumerable<bool> itemSuccesses, params IEnumerable<V11Node> resources) =>
        Create(V11Status.Of(itemSuccesses), resources);

    /// <summary>A refusal of the whole request (401, 400 for malformed input, …): response → status only.</summary>
    public static V11Result Error(int httpStatus, int code, string message) =>
        Create(httpStatus, false, code, message);

    /// <summary>{success, code, message}: the shape of both the overall status and an item_status.</summary>
    public static V11Node StatusNode(string name, bool success, int code, string message) =>
        V11Node.Obj(name).Add("success", success).Add("code", code).Add("message", message);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var format = V11Format.Pick(httpContext.Request);
        var body = V11Writer.ToBytes(Response, format);
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = V11Format.ContentType(format);
        response.ContentLength = body.Length;
        response.Headers.Append("Vary", "Accept");
        await response.Body.WriteAsync(body, httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        // The shape differs per endpoint and every scalar is a string, so the schema is left open.
        foreach (var status in (int[])[StatusCodes.Status200OK, StatusCodes.Status201Created, StatusCodes.Status500InternalServerError])
            builder.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(object), ContentTypes));
    }
}
