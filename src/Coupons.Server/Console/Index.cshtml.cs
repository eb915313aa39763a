using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Coupons.Server.WebConsole;

public sealed class IndexModel : PageModel
{
    public IActionResult OnGet() => Redirect("/console/series");
}
