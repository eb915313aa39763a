using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Coupons.Server.Auth;

/// <summary>
/// Short-lived bearer tokens for tills (OAuth 2.0 client credentials): a JWT signed with HMAC-SHA256.
/// The key is derived from the till's stored password hash (and the optional <c>Coupons:OAuth:SigningKey</c>), so
/// every node can verify a token without sharing any state, and changing a till's password revokes its tokens.
/// </summary>
public sealed class TokenService(IConfiguration config, TimeProvider clock)
{
    const string Issuer = "coupons";
    const string Audience = "coupons-api";
    readonly JsonWebTokenHandler handler = new() { SetDefaultTimesOnTokenCreation = false };
    readonly byte[] pepper = Encoding.UTF8.GetBytes(config["Coupons:OAuth:SigningKey"] ?? "");

    public TimeSpan Lifetime { get; } = TimeSpan.FromSeconds(Math.Clamp(config.GetValue("Coupons:OAuth:TokenLifetimeSeconds", 900), 60, 86_400));

    SymmetricSecurityKey KeyFor(string passwordHash) =>
        new(HMACSHA256.HashData(pepper, Encoding.UTF8.GetBytes("coupons-oauth-v1|" + passwordHash)));

    public (string Token, DateTimeOffset Expires) Create(string tillCode, string passwordHash)
    {
        var now = clock.GetUtcNow();
        var expires = now + Lifetime;
        var token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Claims = new Dictionary<string, object> { ["sub"] = tillCode, ["jti"] = Guid.NewGuid().ToString("N") },
            SigningCredentials = new SigningCredentials(KeyFor(passwordHash), SecurityAlgorithms.HmacSha256),
        });
        return (token, expires);
    }

    /// <summary>The till code a token claims to be for, without checking anything; null when it is not a JWT.</summary>
    public string? ClaimedTill(string token)
    {
        if (!handler.CanReadToken(token)) return null;
        try
        {
            return handler.ReadJsonWebToken(token).Subject is { Length: > 0 } sub ? sub : null;
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException)
        {
            return null;
        }
    }

    /// <summary>Checks signature (with the key of the till's current password hash), issuer, audience and lifetime; the expiry when valid.</summary>
    public async Task<DateTimeOffset?> ValidateAsync(string token, string tillCode, string passwordHash)
    {
        var result = await handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Audience,
            IssuerSigningKey = KeyFor(passwordHash),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ClockSkew = TimeSpan.FromSeconds(5),
            LifetimeValidator = (notBefore, expires, _, _) =>
                expires is { } exp && clock.GetUtcNow().UtcDateTime < exp.AddSeconds(5) &&
                (notBefore is null || notBefore.Value.AddSeconds(-5) <= clock.GetUtcNow().UtcDateTime),
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt || jwt.Subject != tillCode) return null;
        return new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero);
    }
}
