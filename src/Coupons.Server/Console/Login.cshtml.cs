using System.Security.Claims;
using Coupons.Server.Auth;
using Coupons.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Coupons.Server.WebConsole;

public sealed class LoginModel(ICouponStore store) : PageModel
{
    [BindProperty] public string? Till { get; set; }
    // Never echoed back into the page: a password field starts empty after a failed sign-in.
    [BindProperty] public string? Password { get; set; }
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(Till)) ModelState.AddModelError(nameof(Till), "Enter your till code.");
        if (string.IsNullOrEmpty(Password)) ModelState.AddModelError(nameof(Password), "Enter the till's password.");
        if (!ModelState.IsValid) return Page();

        // The API's own check: the stored salted hash, verified for the password or its MD5 hex.
        var login = await store.FindLoginAsync(Till!.Trim());
        if (login is null || !PasswordHasher.Verify(Password!, login.PasswordHash))
        {
            ModelState.AddModelError(nameof(Password), "The till code or the password is wrong.");
            return Page();
        }
        var till = login.Caller.Till;
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, till.Code),
            new Claim(ClaimTypes.NameIdentifier, till.Id.ToString()),
            new Claim(ClaimTypes.Role, till.Role),
        ], ConsoleSetup.Scheme);
        await HttpContext.SignInAsync(ConsoleSetup.Scheme, new ClaimsPrincipal(identity));
        return LocalRedirect(ReturnUrl is { } url && Url.IsLocalUrl(url) && url.StartsWith("/console", StringComparison.OrdinalIgnoreCase) ? url : "/console/series");
    }
}
