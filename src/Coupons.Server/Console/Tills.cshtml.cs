using Coupons.Core;
using Coupons.Server.Admin;
using Coupons.Server.Auth;
using Microsoft.AspNetCore.Mvc;

namespace Coupons.Server.WebConsole;

/// <summary>The organisation's tills; adding one checks what POST /v2/tills checks and stores the same salted hash.</summary>
public sealed class TillsModel : ConsolePage
{
    [BindProperty] public string? Code { get; set; }
    [BindProperty] public string? Password { get; set; }
    [BindProperty] public string? StoreCode { get; set; }
    [BindProperty] public string? Role { get; set; } = Roles.Till;
    [TempData] public string? Created { get; set; }
    public IReadOnlyList<Store> Stores { get; private set; } = [];
    public IReadOnlyList<Till> Tills { get; private set; } = [];

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!Fields.IsCode(Code)) ModelState.AddModelError(nameof(Code), "code is required: 1-64 characters, no spaces or colons");
        if (string.IsNullOrEmpty(Password) || Password.Length is < 8 or > 200) ModelState.AddModelError(nameof(Password), "password is required: 8-200 characters");
        if (!Fields.IsCode(StoreCode)) ModelState.AddModelError(nameof(StoreCode), "storeCode is required");
        var role = (Role ?? Roles.Till).Trim().ToLowerInvariant();
        if (!Roles.IsValid(role)) ModelState.AddModelError(nameof(Role), "role must be 'admin' or 'till'");
        if (ModelState.IsValid)
        {
            var result = await Store.CreateTillAsync(Caller.OrgId, Code!.Trim(), PasswordHasher.Hash(Password!), StoreCode!.Trim(), role);
            if (result.Ok)
            {
                Created = $"Till {result.Value!.Code} added.";
                return Redirect("/console/tills");
            }
            ModelState.AddModelError(result.Outcome.Code == Status.NotFound ? nameof(StoreCode) : nameof(Code), $"{result.Outcome.Code}: {result.Outcome.Message}");
        }
        await LoadAsync();
        return Page();
    }

    async Task LoadAsync()
    {
        Stores = await Store.ListStoresAsync(Caller.OrgId);
        Tills = await Store.ListTillsAsync(Caller.OrgId);
    }
}
