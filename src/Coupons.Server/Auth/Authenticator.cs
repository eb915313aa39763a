using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Coupons.Core;
using Coupons.Storage;
using Microsoft.AspNetCore.Authentication;

namespace Coupons.Server.Auth;

/// <summary>
/// Resolves the till a request acts as, from HTTP Basic credentials (username = till code) or a bearer token from
/// <c>POST /v2/oauth/token</c>. A slow password hash on every call would cap a till at a few dozen requests a second,
/// so a verified credential is remembered for a short time, keyed by a SHA-256 of what was presented (never the
/// secret itself), together with the sign-in made for it: a remembered credential costs a hash and a look-up, no
/// database and no allocation. Failed attempts are never remembered: each costs a full check (only requests arriving
/// together share one). Requests reach it through <see cref="TillAuthenticationHandler"/>.
/// </summary>
public sealed class Authenticator(ICouponStore store, TokenService tokens, TimeProvider clock)
{
    static readonly TimeSpan Remember = TimeSpan.FromSeconds(60);
    static readonly Task<AuthenticateResult> NoCredentials = Task.FromResult(AuthenticateResult.NoResult());
    // The sign-in (a ticket whose identity is a TillIdentity) is shared by the requests presenting the same
    // credentials: nothing writes to a ticket of this scheme, or to its properties.
    readonly ConcurrentDictionary<CredentialKey, (Task<AuthenticateResult> SignedIn, long OrgId, DateTimeOffset Until)> verified = new();
    readonly ConcurrentDictionary<CredentialKey, Lazy<Task<AuthenticateResult>>> checking = new();

    /// <summary>The till the request's Authorization header signs in as; no result when it has no Basic or Bearer header.</summary>
    public Task<AuthenticateResult> AuthenticateAsync(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        var bearer = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
        if (!bearer && !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return NoCredentials;

        var key = CredentialKey.Of(header);
        if (verified.TryGetValue(key, out var hit) && hit.Until > clock.GetUtcNow()) return hit.SignedIn;
        return VerifyOnceAsync(key, header, bearer);
    }

    // Many requests with the same credentials arriving together (a till fleet after a restart) share one
    // verification instead of each paying for the slow hash at once.
    async Task<AuthenticateResult> VerifyOnceAsync(CredentialKey key, string header, bool bearer)
    {
        var check = checking.GetOrAdd(key, _ => new Lazy<Task<AuthenticateResult>>(() => VerifyAsync(key, header, bearer)));
        try
        {
            return await check.Value;
        }
        finally
        {
            checking.TryRemove(new KeyValuePair<CredentialKey, Lazy<Task<AuthenticateResult>>>(key, check));
        }
    }

    async Task<AuthenticateResult> VerifyAsync(CredentialKey key, string header, bool bearer)
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
        if (found is not { } ok) return AuthenticateResult.Fail("unknown till, wrong password or invalid token");
        var signedIn = Task.FromResult(AuthenticateResult.Success(
            new AuthenticationTicket(new ClaimsPrincipal(new TillIdentity(ok.Caller)), TillAuth.Scheme)));
        if (verified.Count > 10_000) verified.Clear();
        verified[key] = (signedIn, ok.Caller.OrgId, ok.Until);
        return await signedIn;
    }

    /// <summary>Drops what is remembered of an organisation's tills, so a changed setting is seen by the next request on this node.</summary>
    public void Forget(long orgId)
    {
        foreach (var (key, entry) in verified)
            if (entry.OrgId == orgId) verified.TryRemove(key, out _);
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

    /// <summary>The SHA-256 of an Authorization header, computed without allocating.</summary>
    readonly record struct CredentialKey(UInt128 Low, UInt128 High)
    {
        public static CredentialKey Of(string header)
        {
            var length = Encoding.UTF8.GetMaxByteCount(header.Length);
            var bytes = length <= 1024 ? stackalloc byte[1024] : new byte[length];
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes[..Encoding.UTF8.GetBytes(header, bytes)], hash);
            return new(BinaryPrimitives.ReadUInt128LittleEndian(hash), BinaryPrimitives.ReadUInt128LittleEndian(hash[16..]));
        }
    }
}
