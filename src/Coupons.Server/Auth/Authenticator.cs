using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Coupons.Core;
using Coupons.Storage;

namespace Coupons.Server.Auth;

/// <summary>
/// Resolves the till a request acts as, from HTTP Basic credentials (username = till code) or a bearer token from
/// <c>POST /v2/oauth/token</c>. A slow password hash on every call would cap a till at a few dozen requests a second,
/// so a verified credential is remembered for a short time, keyed by a SHA-256 of what was presented (never the
/// secret itself), together with the signed-in user made for it: a remembered credential costs a hash and a look-up,
/// and no database. Failed attempts are never remembered: each costs a full check (only requests arriving together
/// share one). Requests reach it through <see cref="TillAuthenticationHandler"/>.
/// </summary>
public sealed class Authenticator(ICouponStore store, TokenService tokens, TimeProvider clock)
{
    static readonly TimeSpan Remember = TimeSpan.FromSeconds(60);
    readonly ConcurrentDictionary<string, (ClaimsPrincipal User, DateTimeOffset Until)> verified = new();
    readonly ConcurrentDictionary<string, Lazy<Task<ClaimsPrincipal?>>> checking = new();

    /// <summary>The user (its identity a <see cref="TillIdentity"/>) of the request's Authorization header; null when it names none.</summary>
    public async Task<ClaimsPrincipal?> AuthenticateAsync(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        var bearer = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
        if (!bearer && !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;

        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(header)));
        var now = clock.GetUtcNow();
        if (verified.TryGetValue(key, out var hit) && hit.Until > now) return hit.User;

        // Many requests with the same credentials arriving together (a till fleet after a restart) share one
        // verification instead of each paying for the slow hash at once.
        var check = checking.GetOrAdd(key, _ => new Lazy<Task<ClaimsPrincipal?>>(() => VerifyAsync(key, header, bearer)));
        try
        {
            return await check.Value;
        }
        finally
        {
            checking.TryRemove(new KeyValuePair<string, Lazy<Task<ClaimsPrincipal?>>>(key, check));
        }
    }

    async Task<ClaimsPrincipal?> VerifyAsync(string key, string header, bool bearer)
    {
        (Caller Caller, DateTimeOffset Until)? found;
        if (bearer)
        {
            found = await VerifyTokenAsync(header[7..].Trim());
        }
        else
        {
            var login = ParseBasic(header) is var (user, secret) ? await VerifyPasswordAsync(user, secret) : null;
            found = login is null ? null : (login.Caller, clock.GetUtcNow() + Remember);
        }
        if (found is not { } ok) return null;
        var signedIn = new ClaimsPrincipal(new TillIdentity(ok.Caller));
        if (verified.Count > 10_000) verified.Clear();
        verified[key] = (signedIn, ok.Until);
        return signedIn;
    }

    /// <summary>Drops what is remembered of an organisation's tills, so a changed setting is seen by the next request on this node.</summary>
    public void Forget(long orgId)
    {
        foreach (var (key, entry) in verified)
            if (TillIdentity.Of(entry.User)?.Caller.OrgId == orgId) verified.TryRemove(key, out _);
    }

    /// <summary>The till a code and password (or the password's MD5 hex) belong to; null when they do not match.</summary>
    public async Task<TillLogin?> VerifyPasswordAsync(string tillCode, string secret)
    {
        var login = await store.FindLoginAsync(tillCode);
        return login is not null && PasswordHasher.Verify(secret, login.PasswordHash) ? login : null;
    }

    async Task<(Caller, DateTimeOffset)?> VerifyTokenAsync(string token)
    {
        if (tokens.ClaimedTill(token) is not { } till) return null;
        var login = await store.FindLoginAsync(till);
        if (login is null || await tokens.ValidateAsync(token, till, login.PasswordHash) is not { } expires) return null;
        var until = clock.GetUtcNow() + Remember;
        return (login.Caller, expires < until ? expires : until);
    }

    /// <summary>The user and password of an HTTP Basic header; null when it is not one.</summary>
    public static (string User, string Secret)? ParseBasic(string header)
    {
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
        }
        catch (FormatException)
        {
            return null;
        }
        var colon = decoded.IndexOf(':');
        return colon <= 0 ? null : (decoded[..colon], decoded[(colon + 1)..]);
    }
}
