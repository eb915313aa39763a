using Coupons.Core;
using Coupons.Storage;
using Microsoft.AspNetCore.Mvc;

namespace Coupons.Server.WebConsole;

public sealed class SeriesDetailModel : ConsolePage
{
    public const int ChartDays = 30;

    public Series? Series { get; private set; }
    public IReadOnlyList<SeriesDay> Days { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long id)
    {
        Series = await Store.GetSeriesAsync(Caller.OrgId, id);
        if (Series is null) return NotFoundPage($"There is no series {id} in your organisation.");
        var today = DateOnly.FromDateTime(Now.UtcDateTime);
        Days = await Store.SeriesActivityAsync(Caller.OrgId, id, today.AddDays(1 - ChartDays), today);
        return Page();
    }
}
