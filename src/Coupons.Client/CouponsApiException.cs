using System.Net;

namespace Coupons.Client;

/// <summary>One item of the API's errors list: the code of the spec's catalogue (or the HTTP status) and its message.</summary>
public sealed record ApiError(bool Status, int Code, string Message);

/// <summary>A refusal of the API, with the envelope's codes. Subclasses name the kinds a caller usually handles apart.</summary>
public class CouponsApiException(HttpStatusCode status, IReadOnlyList<ApiError> errors, string body)
    : Exception($"{(int)status}: {string.Join("; ", errors.Select(e => $"{e.Code} {e.Message}"))}")
{
    public HttpStatusCode StatusCode { get; } = status;

    /// <summary>The envelope's errors (v2 <c>errors</c>, or v1.1's <c>response.status</c> as one item).</summary>
    public IReadOnlyList<ApiError> Errors { get; } = errors;

    /// <summary>The first error's code: e.g. 701 customer not found, 751 duplicate series code, 409 conflict.</summary>
    public int Code => Errors.Count > 0 ? Errors[0].Code : (int)StatusCode;

    /// <summary>The answer's body as received (bulk redeem's 400 also lists each code's fate there).</summary>
    public string Body { get; } = body;

    internal static CouponsApiException For(HttpStatusCode status, IReadOnlyList<ApiError> errors, string body) => status switch
    {
        HttpStatusCode.NotFound => new CouponsNotFoundException(status, errors, body),
        HttpStatusCode.Conflict => new CouponsConflictException(status, errors, body),
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new CouponsAuthenticationException(status, errors, body),
        HttpStatusCode.TooManyRequests => new CouponsRateLimitedException(status, errors, body),
        _ => new CouponsApiException(status, errors, body),
    };
}

/// <summary>404: an unknown customer (701), series (707), coupon, or a customer with no coupons (404).</summary>
public sealed class CouponsNotFoundException(HttpStatusCode status, IReadOnlyList<ApiError> errors, string body) : CouponsApiException(status, errors, body);

/// <summary>409: a duplicate (store, till, customer, series code 751), or an Idempotency-Key still being answered.</summary>
public sealed class CouponsConflictException(HttpStatusCode status, IReadOnlyList<ApiError> errors, string body) : CouponsApiException(status, errors, body);

/// <summary>401 or 403: wrong credentials, or a till without the admin role.</summary>
public sealed class CouponsAuthenticationException(HttpStatusCode status, IReadOnlyList<ApiError> errors, string body) : CouponsApiException(status, errors, body);

/// <summary>429 still, after the retries the options allow.</summary>
public sealed class CouponsRateLimitedException(HttpStatusCode status, IReadOnlyList<ApiError> errors, string body) : CouponsApiException(status, errors, body);
