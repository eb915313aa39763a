using System.Security.Claims;
using Coupons.Core;
using Coupons.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Coupons.Server.WebConsole;

/// <summary>
/// A console page acting as the signed-in till. The till is read again on every request, so a till whose role
/// changed or that no longer exists is signed out at its next click.
/// </summary>
public abstract class ConsolePage : PageModel
{
    Caller? caller;

    public Caller Caller => caller ?? throw new InvalidOperationException("console page reached without a signed-in till");
    public bool IsAdmin => Caller.Till.IsAdmin;
    protected ICouponStore Store => HttpContext.RequestServices.GetRequiredService<ICouponStore>();
    protected DateTimeOffset Now => HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (User.Identity is { IsAuthenticated: true, Name: { } tillCode })
        {
            var login = await Store.FindLoginAsync(tillCode);
            if (login is null || login.Caller.Till.Id.ToString() != User.FindFirstValue(ClaimTypes.NameIdentifier)
                || login.Caller.Till.Role != User.FindFirstValue(ClaimTypes.Role))
            {
                await HttpContext.SignOutAsync(ConsoleSetup.Scheme);
                context.Result = Redirect("/console/login");
                return;
            }
            caller = login.Caller;
        }
        await next();
    }

    /// <summary>A console page saying what was not found, with a 404 status (and a body, so the API's status pages leave it alone).</summary>
    protected IActionResult NotFoundPage(string what)
    {
        ViewData["NotFound"] = what;
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }
}
