using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Coupons.Server.WebConsole;

/// <summary>Sign-out is a POST with the anti-forgery token; a GET only goes back to the console.</summary>
public sealed class LogoutModel : PageModel
{
    public IActionResult OnGet() => Redirect("/console");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(ConsoleSetup.Scheme);
        return Redirect("/console/login");
    }
}
