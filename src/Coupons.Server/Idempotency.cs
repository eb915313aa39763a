using System.Security.Cryptography;
using Coupons.Core;
using Coupons.Server.Auth;
using Coupons.Storage;

namespace Coupons.Server;

/// <summary>
/// Every POST accepts an <c>Idempotency-Key</c> header (1-255 printable ASCII characters). The first request with a key
/// runs and its answer is stored; a retry with the same key and the same request (method, path, query, body) gets that
/// answer again, marked <c>Idempotent-Replayed: true</c>, and changes nothing — on any node, since the key lives in the
/// database and is marked committed in the same transaction as the request's own writes. The same key with a different
/// request: 422; while the first is still running: 409. Answers that changed nothing (401, 429, 5xx) are not kept, so a
/// retry runs again. Keys are scoped to the organisation and expire after <c>Coupons:Idempotency:KeyLifetimeHours</c> (24).
/// It runs after authorization and the per-till rate limit: what they refuse (401, 403, 429) never reaches it.
/// </summary>
public sealed class Idempotency(RequestDelegate next, ICouponStore store, IConfiguration config, ILogger<Idempotency> log)
{
    public const string Header = "Idempotency-Key";
    readonly TimeSpan lifetime = TimeSpan.FromHours(Math.Clamp(config.GetValue("Coupons:Idempotency:KeyLifetimeHours", 24.0), 0.01, 24 * 30));
    readonly TimeSpan lease = TimeSpan.FromSeconds(Math.Clamp(config.GetValue("Coupons:Idempotency:LeaseSeconds", 120), 1, 3600));

    public async Task InvokeAsync(HttpContext http)
    {
        if (!HttpMethods.IsPost(http.Request.Method) || !http.Request.Headers.TryGetValue(Header, out var values))
        {
            await next(http);
            return;
        }
        var key = values.ToString();
        if (key.Length is 0 or > 255 || values.Count != 1 || key.Any(ch => ch is < ' ' or > '~'))
        {
            await ErrorHandler.WriteEnvelopeAsync(http, 400, new Outcome(Status.BadRequest, "Idempotency-Key must be one value of 1-255 printable ASCII characters"));
            return;
        }
        // Without a signed-in till (the token endpoint without Basic credentials, the console) nothing is kept.
        if (TillIdentity.Of(http.User)?.Caller is not { } caller)
        {
            await next(http);
            return;
        }

        var hash = await RequestHashAsync(http.Request);
        var claim = await store.ClaimIdempotencyKeyAsync(caller.OrgId, key, hash, lifetime, lease);
        switch (claim.Kind)
        {
            case ClaimKind.Replay:
                http.Response.StatusCode = claim.Status;
                if (claim.ContentType is not null) http.Response.ContentType = claim.ContentType;
                http.Response.Headers["Idempotent-Replayed"] = "true";
                await http.Response.Body.WriteAsync(claim.Body);
                return;
            case ClaimKind.Mismatch:
                await ErrorHandler.WriteEnvelopeAsync(http, 422, new Outcome(Status.IdempotencyKeyReused));
                return;
            case ClaimKind.InProgress:
                http.Response.Headers.RetryAfter = "1";
                await ErrorHandler.WriteEnvelopeAsync(http, 409, new Outcome(Status.Conflict));
                return;
            case ClaimKind.OutcomeUnknown:
                await ErrorHandler.WriteEnvelopeAsync(http, 409, new Outcome(Status.Conflict,
                    "the request with this Idempotency-Key was carried out but its answer was lost (the server stopped); look the result up instead of retrying"));
                return;
        }

        var owner = claim.Owner!;
        var original = http.Response.Body;
        using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        var keep = false;
        try
        {
            IdempotencyScope.Current = new IdempotencyScope(caller.OrgId, key, owner);
            try
            {
                await next(http);
            }
            catch (IdempotencyKeyLostException)
            {
                log.LogWarning("Idempotency-Key {Key} of organisation {OrgId} was taken over by a retry; this attempt rolled back", key, caller.OrgId);
                http.Response.Clear();
                await ErrorHandler.WriteEnvelopeAsync(http, 409, new Outcome(Status.Conflict));
                return;
            }
            finally
            {
                IdempotencyScope.Current = null;
            }
            var status = http.Response.StatusCode;
            keep = status is not (401 or 429) && status < 500;
        }
        finally
        {
            http.Response.Body = original;
            if (keep)
                await store.CompleteIdempotencyKeyAsync(caller.OrgId, key, owner, http.Response.StatusCode, http.Response.ContentType, buffer.ToArray());
            else
                await store.ReleaseIdempotencyKeyAsync(caller.OrgId, key, owner);
            buffer.Position = 0;
            await buffer.CopyToAsync(original);
        }
    }

    static async Task<string> RequestHashAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0) sha.AppendData(chunk, 0, read);
        request.Body.Position = 0;
        return Convert.ToHexString(sha.GetHashAndReset());
    }
}
