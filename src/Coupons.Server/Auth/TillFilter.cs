using Coupons.Core;
using Coupons.Server.Formats;

namespace Coupons.Server.Auth;

public static class TillFilter
{
    /// <summary>
    /// Every endpoint of the group acts as an authenticated till (Basic or bearer), within its rate limit; with
    /// <paramref name="adminOnly"/>, an admin till. <paramref name="refuse"/> writes the refusal in the group's own envelope.
    /// </summary>
    public static TBuilder RequireTill<TBuilder>(this TBuilder builder, bool adminOnly, Func<HttpContext, int, Outcome, IResult> refuse)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (ctx, next) =>
        {
            var http = ctx.HttpContext;
            var caller = await http.RequestServices.GetRequiredService<Authenticator>().AuthenticateAsync(http.Request);
            if (caller is null)
            {
                http.Response.Headers.WWWAuthenticate = "Basic realm=\"coupons\", Bearer realm=\"coupons\"";
                return refuse(http, StatusCodes.Status401Unauthorized, new Outcome(Status.Unauthorized));
            }
            if (http.RequestServices.GetRequiredService<TillRateLimiter>().TryAcquire(caller) is { } wait)
            {
                var seconds = (int)Math.Ceiling(wait.TotalSeconds);
                http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return refuse(http, StatusCodes.Status429TooManyRequests, new Outcome(Status.TooManyRequests,
                    $"this till has used its {caller.Org.RateLimitPerMinute} requests a minute; retry after {seconds} s"));
            }
            if (adminOnly && !caller.Till.IsAdmin)
                return refuse(http, StatusCodes.Status403Forbidden, new Outcome(Status.Forbidden, "this endpoint needs an admin till"));
            http.SetCaller(caller);
            return await next(ctx);
        });
        return builder;
    }

    public static TBuilder RequireTillV2<TBuilder>(this TBuilder builder, bool adminOnly) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireTill(adminOnly, (_, status, outcome) => V2Envelope.Error(status, outcome));
}
