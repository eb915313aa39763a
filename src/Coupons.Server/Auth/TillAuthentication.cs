using System.Reflection;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Coupons.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Coupons.Server.Auth;

/// <summary>
/// The API's sign-in, through the framework: the scheme <see cref="Scheme"/> reads HTTP Basic or a bearer token
/// (<see cref="Authenticator"/>); a group declares who may call it with <c>RequireAuthorization(TillAuth.Till)</c> (any
/// till) or <c>RequireAuthorization(TillAuth.Admin)</c>. Refusals (401, 403) are written in the envelope of the API
/// the path belongs to, like every other error (<see cref="ErrorHandler.WriteEnvelopeAsync"/>). The same groups count
/// their requests per till with <c>RequireRateLimiting(TillRateLimit.Policy)</c>.
/// </summary>
public static class TillAuth
{
    public const string Scheme = "till";
    public const string Till = "till";
    public const string Admin = "admin";

    public static IServiceCollection AddTillAuth(this IServiceCollection services)
    {
        // The default scheme: UseAuthentication signs a request's till in once and the policies read the user (a policy
        // naming the scheme would authenticate a second time, about 800 bytes a request). The console's policies name
        // its cookie scheme, which replaces the user on its pages.
        services.AddAuthentication(o => o.DefaultAuthenticateScheme = o.DefaultChallengeScheme = o.DefaultForbidScheme = Scheme)
            .AddScheme<AuthenticationSchemeOptions, TillAuthenticationHandler>(Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Till, p => p.RequireAuthenticatedUser())
            .AddPolicy(Admin, p => p.RequireRole(Roles.Admin));
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy<(long Till, int Limit), TillRateLimit>(TillRateLimit.Policy);
        });
        return services;
    }
}

sealed class TillAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, Authenticator authenticator)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync() => authenticator.AuthenticateAsync(Request);

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Basic realm=\"coupons\", Bearer realm=\"coupons\"";
        return ErrorHandler.WriteEnvelopeAsync(Context, StatusCodes.Status401Unauthorized, new Outcome(Status.Unauthorized));
    }

    // The only policy a signed-in till can fail is the admin one.
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ErrorHandler.WriteEnvelopeAsync(Context, StatusCodes.Status403Forbidden, new Outcome(Status.Forbidden, "this endpoint needs an admin till"));
}

/// <summary>
/// A signed-in till: the user's identity, carrying the <see cref="Core.Caller"/> it was verified as, so nothing is
/// looked up twice. Endpoints take it as a parameter (<c>TillIdentity till</c>). One instance is shared by the requests
/// that present the same credentials while <see cref="Authenticator"/> remembers them; it is never changed.
/// </summary>
public sealed class TillIdentity(Caller caller)
    : ClaimsIdentity([new Claim(ClaimTypes.Name, caller.Till.Code), new Claim(ClaimTypes.Role, caller.Till.Role)], TillAuth.Scheme),
      IBindableFromHttpContext<TillIdentity>
{
    public Caller Caller { get; } = caller;

    public static TillIdentity? Of(ClaimsPrincipal user) => user.Identity as TillIdentity;

    public static ValueTask<TillIdentity?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        ValueTask.FromResult<TillIdentity?>(Of(context.User)
            ?? throw new InvalidOperationException($"{context.GetEndpoint()?.DisplayName} takes a till but does not require one (RequireAuthorization(TillAuth.Till))"));
}
