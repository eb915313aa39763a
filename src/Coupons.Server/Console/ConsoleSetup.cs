using System.Security.Claims;
using Coupons.Core;
using Coupons.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace Coupons.Server.WebConsole;

/// <summary>
/// The web console under /console: Razor Pages rendered on the server, signed in with a cookie of its own.
/// The cookie scheme is never a default scheme (the API's till scheme is, Auth/TillAuthentication) and its cookie is
/// scoped to /console; the console's policies name the cookie scheme, whose user replaces any till's on its pages.
/// </summary>
public static class ConsoleSetup
{
    public const string Scheme = "console";
    public const string AdminPolicy = "console-admin";

    public static IServiceCollection AddConsole(this IServiceCollection services)
    {
        services.AddAuthentication().AddCookie(Scheme, o =>
        {
            o.Cookie.Name = "coupons.console";
            o.Cookie.Path = "/console";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.LoginPath = "/console/login";
            o.LogoutPath = "/console/logout";
            o.AccessDeniedPath = "/console/denied";
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(Scheme, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser())
            .AddPolicy(AdminPolicy, p => p.AddAuthenticationSchemes(Scheme).RequireClaim(ClaimTypes.Role, Roles.Admin));
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Console";
            o.Conventions.AuthorizeFolder("/", Scheme);
            o.Conventions.AllowAnonymousToPage("/Login");
            o.Conventions.AddPageRoute("/SeriesEdit", "/console/series/new");
            foreach (var page in new[] { "/SeriesEdit", "/SeriesCodes", "/Stores", "/Tills", "/Outbox" })
                o.Conventions.AuthorizePage(page, AdminPolicy);
        });
        services.Configure<Microsoft.AspNetCore.Mvc.CookieTempDataProviderOptions>(o => o.Cookie.Path = "/console");
        // Cookies and anti-forgery tokens are encrypted with a key ring every node shares (see KeyRing).
        services.AddDataProtection().SetApplicationName("coupons");
        services.AddOptions<KeyManagementOptions>().Configure<ICouponStore>((o, store) => o.XmlRepository = new KeyRing(store));
        return services;
    }

    public static void MapConsole(this IEndpointRouteBuilder app) => app.MapRazorPages();
}
