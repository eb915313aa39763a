using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Coupons.Core;
using Coupons.Storage;

namespace Coupons.Server.Auth;

/// <summary>
/// Resolves the till a request acts as, from HTTP Basic credentials (username = till code).
/// A slow password hash on every call would cap a till at a few dozen requests a second, so a verified
/// credential is remembered for a short time, keyed by a SHA-256 of what was presented (never the password itself).
/// Failed attempts are never remembered: each costs a full hash (only requests arriving together share one check).
/// </summary>
public sealed class Authenticator(ICouponStore store, TimeProvider clock)
{
    static readonly TimeSpan Remember = TimeSpan.FromSeconds(60);
    readonly ConcurrentDictionary<string, (Caller Caller, DateTimeOffset Until)> verified = new();
    readonly ConcurrentDictionary<string, Lazy<Task<Caller?>>> checking = new();

    public async Task<Caller?> AuthenticateAsync(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
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
        if (colon <= 0) return null;
        var user = decoded[..colon];
        var secret = decoded[(colon + 1)..];

        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(decoded)));
        var now = clock.GetUtcNow();
        if (verified.TryGetValue(key, out var hit) && hit.Until > now) return hit.Caller;

        // Many requests with the same credentials arriving together (a till fleet after a restart) share one
        // verification instead of each paying for the slow hash at once.
        var check = checking.GetOrAdd(key, _ => new Lazy<Task<Caller?>>(() => VerifyAsync(key, user, secret)));
        try
        {
            return await check.Value;
        }
        finally
        {
            checking.TryRemove(new KeyValuePair<string, Lazy<Task<Caller?>>>(key, check));
        }
    }

    async Task<Caller?> VerifyAsync(string key, string user, string secret)
    {
        var login = await store.FindLoginAsync(user);
        if (login is null || !PasswordHasher.Verify(secret, login.PasswordHash)) return null;
        if (verified.Count > 10_000) verified.Clear();
        verified[key] = (login.Caller, clock.GetUtcNow() + Remember);
        return login.Caller;
    }
}

public static class CallerExtensions
{
    const string Key = "coupons.caller";

    public static Caller Caller(this HttpContext context) =>
        context.Items[Key] as Caller ?? throw new InvalidOperationException("endpoint reached without an authenticated till");

    public static void SetCaller(this HttpContext context, Caller caller) => context.Items[Key] = caller;
}
