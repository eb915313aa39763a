using Coupons.Core;
using Coupons.Server.Admin;
using Microsoft.AspNetCore.Mvc;

namespace Coupons.Server.WebConsole;

/// <summary>The organisation's stores; adding one checks what POST /v2/stores checks.</summary>
public sealed class StoresModel : ConsolePage
{
    [BindProperty] public string? Code { get; set; }
    [BindProperty] public string? Name { get; set; }
    [TempData] public string? Created { get; set; }
    public IReadOnlyList<Store> Stores { get; private set; } = [];
    public IReadOnlyList<Till> Tills { get; private set; } = [];

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!Fields.IsCode(Code)) ModelState.AddModelError(nameof(Code), "code is required: 1-64 characters, no spaces");
        if (string.IsNullOrWhiteSpace(Name) || Name.Length > 200) ModelState.AddModelError(nameof(Name), "name is required (at most 200 characters)");
        if (ModelState.IsValid)
        {
            var result = await Store.CreateStoreAsync(Caller.OrgId, Code!.Trim(), Name!.Trim());
            if (result.Ok)
            {
                Created = $"Store {result.Value!.Code} added.";
                return Redirect("/console/stores");
            }
            ModelState.AddModelError(nameof(Code), $"{result.Outcome.Code}: {result.Outcome.Message}");
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
