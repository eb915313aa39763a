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
    /// <summary>The campaign figures of the range asked for (the API's stats), or why the range was refused.</summary>
    public CampaignFigures? Figures { get; private set; }
    public string? FiguresProblem { get; private set; }
    public string GroupBy { get; private set; } = "day";
    public IReadOnlyDictionary<string, Store> Stores { get; private set; } = new Dictionary<string, Store>();
    public IReadOnlyList<SeriesDay> Days { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long id)
    {
        Series = await Store.GetSeriesAsync(Caller.OrgId, id);
        if (Series is null) return NotFoundPage($"There is no series {id} in your organisation.");
        var today = DateOnly.FromDateTime(Now.UtcDateTime);
        Days = await Store.SeriesActivityAsync(Caller.OrgId, id, today.AddDays(1 - ChartDays), today);
        var q = Request.Query;
        GroupBy = q["groupBy"].FirstOrDefault() is "week" or "store" ? q["groupBy"].First()! : "day";
        (Figures, FiguresProblem) = V2.SeriesStatsApi.Parse(q["from"], q["to"], GroupBy, TimeZones.FindOrUtc(Caller.Org.TimeZone), Now);
        if (Figures is not null) await Store.SeriesFiguresAsync(Caller.OrgId, id, Figures, HttpContext.RequestAborted);
        if (GroupBy == "store") Stores = (await Store.ListStoresAsync(Caller.OrgId)).ToDictionary(s => s.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Page();
    }

    /// <summary>The series' coupons as the API's export writes them, streamed.</summary>
    public async Task<IActionResult> OnGetCouponsCsvAsync(long id)
    {
        if (await Store.GetSeriesAsync(Caller.OrgId, id) is null) return NotFoundPage($"There is no series {id} in your organisation.");
        var zone = TimeZones.FindOrUtc(Caller.Org.TimeZone);
        return new StreamedCsv($"series-{id}-coupons.csv",
            (s, ct) => Formats.CsvExport.WriteCouponsAsync(Store.ExportCouponsAsync(Caller.OrgId, id, ct), zone, s, ct));
    }

    /// <summary>The series' redemptions of the days picked for the figures (the last 30 by default), streamed.</summary>
    public async Task<IActionResult> OnGetRedemptionsCsvAsync(long id, string? from, string? to)
    {
        if (await Store.GetSeriesAsync(Caller.OrgId, id) is null) return NotFoundPage($"There is no series {id} in your organisation.");
        var zone = TimeZones.FindOrUtc(Caller.Org.TimeZone);
        var (range, problem) = V2.SeriesStatsApi.Parse(from, to, "day", zone, Now);
        if (range is null) return BadRequest(problem!);
        var (since, until) = range.Instants;
        return new StreamedCsv($"series-{id}-redemptions-{range.From:yyyy-MM-dd}-{range.To:yyyy-MM-dd}.csv",
            (s, ct) => Formats.CsvExport.WriteRedemptionsAsync(Store.ExportRedemptionsAsync(Caller.OrgId, id, since, until, ct), zone, s, ct));
    }

    /// <summary>A CSV download written straight to the response body.</summary>
    sealed class StreamedCsv(string fileName, Func<Stream, CancellationToken, Task> write) : IActionResult
    {
        public async Task ExecuteResultAsync(ActionContext context)
        {
            var response = context.HttpContext.Response;
            response.ContentType = Formats.CsvExport.ContentType;
            response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
            await write(response.Body, context.HttpContext.RequestAborted);
        }
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
