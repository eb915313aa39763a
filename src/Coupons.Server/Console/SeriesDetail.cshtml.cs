using Coupons.Core;
using Coupons.Storage;
using Microsoft.AspNetCore.Mvc;

namespace Coupons.Server.WebConsole;

public sealed class SeriesDetailModel : ConsolePage
{
    public const int ChartDays = 30;

    public Series? Series { get; private set; }
    public string? Failure { get; private set; }
    public string? DuplicateCode { get; private set; }
    public IReadOnlyList<SeriesDay> Days { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long id)
    {
        Series = await Store.GetSeriesAsync(Caller.OrgId, id);
        if (Series is null) return NotFoundPage($"There is no series {id} in your organisation.");
        var today = DateOnly.FromDateTime(Now.UtcDateTime);
        Days = await Store.SeriesActivityAsync(Caller.OrgId, id, today.AddDays(1 - ChartDays), today);
        return Page();
    }

    public Task<IActionResult> OnPostPauseAsync(long id) => ChangeAsync(id, SeriesLifecycleChange.Pause, "paused");
    public Task<IActionResult> OnPostResumeAsync(long id) => ChangeAsync(id, SeriesLifecycleChange.Resume, "resumed");
    public Task<IActionResult> OnPostArchiveAsync(long id) => ChangeAsync(id, SeriesLifecycleChange.Archive, "archived");
    public Task<IActionResult> OnPostUnarchiveAsync(long id) => ChangeAsync(id, SeriesLifecycleChange.Unarchive, "unarchived");

    async Task<IActionResult> ChangeAsync(long id, SeriesLifecycleChange change, string done)
    {
        if (!IsAdmin) return Forbid(ConsoleSetup.Scheme);
        if (await Store.ChangeSeriesLifecycleAsync(Caller.OrgId, id, change) is null) return NotFoundPage($"There is no series {id} in your organisation.");
        return Redirect($"/console/series/{id}?done={done}");
    }

    /// <summary>A copy under a new code (the API's duplicate, its rules and codes), then its edit form to set next month's dates.</summary>
    public async Task<IActionResult> OnPostDuplicateAsync(long id, string? seriesCode, string? generic)
    {
        if (!IsAdmin) return Forbid(ConsoleSetup.Scheme);
        var source = await Store.GetSeriesAsync(Caller.OrgId, id);
        if (source is null) return NotFoundPage($"There is no series {id} in your organisation.");
        var result = await Admin.SeriesLifecycleApi.DuplicateAsync(Store, Caller, source, new Admin.DuplicateSeriesRequest(seriesCode, generic, null));
        if (result.Ok) return Redirect($"/console/series/{result.Value!.Id}/edit");
        Failure = $"{result.Outcome.Code}: {result.Outcome.Message}";
        DuplicateCode = seriesCode;
        return await OnGetAsync(id);
    }
}
