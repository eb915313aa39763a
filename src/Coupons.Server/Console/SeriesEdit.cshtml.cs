using Coupons.Core;
using Coupons.Server.Admin;
using Microsoft.AspNetCore.Mvc;

namespace Coupons.Server.WebConsole;

/// <summary>Create (/console/series/new) or edit a series, with the API's rules and codes shown beside the fields.</summary>
public sealed class SeriesEditModel : ConsolePage
{
    public long? Id { get; private set; }
    public string OriginalCode { get; private set; } = "";
    public Dictionary<string, string> Values { get; private set; } = [];
    /// <summary>Field name → message; "" for what concerns the whole form.</summary>
    public Dictionary<string, string> Errors { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long? id)
    {
        if (id is null)
        {
            Values = SeriesForm.ValuesOf(new Series());
            return Page();
        }
        var series = await Store.GetSeriesAsync(Caller.OrgId, id.Value);
        if (series is null) return NotFoundPage($"There is no series {id} in your organisation.");
        (Id, OriginalCode, Values) = (id, series.SeriesCode, SeriesForm.ValuesOf(series));
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id)
    {
        if (id is not null)
        {
            var current = await Store.GetSeriesAsync(Caller.OrgId, id.Value);
            if (current is null) return NotFoundPage($"There is no series {id} in your organisation.");
            (Id, OriginalCode) = (id, current.SeriesCode);
        }
        // What the user typed goes back into the form whatever happens below.
        Values = SeriesForm.Fields.ToDictionary(f => f.Name, f => Request.Form[f.Name].ToString());
        var (read, errors) = SeriesForm.Read(Values);
        Errors = errors;
        var series = SeriesApi.Normalise(read) with { Id = id ?? 0 };
        // Every refusal of this submit at once, beside its field; a field that could not be read keeps that message.
        foreach (var refusal in await SeriesApi.CheckAsync(Store, Caller.OrgId, series, Now, creating: id is null))
            Errors.TryAdd(refusal.Field, $"{refusal.Outcome.Code}: {refusal.Outcome.Message}");
        if (Errors.Count > 0) return Page();
        var saved = id is null
            ? await Store.CreateSeriesAsync(Caller.OrgId, Caller.Till.Id, series)
            : await Store.UpdateSeriesAsync(Caller.OrgId, id.Value, series);
        if (!saved.Ok)
        {
            Errors[SeriesForm.FieldOf(saved.Outcome) ?? ""] = $"{saved.Outcome.Code}: {saved.Outcome.Message}";
            return Page();
        }
        return Redirect($"/console/series/{saved.Value!.Id}?saved=1");
    }
}
