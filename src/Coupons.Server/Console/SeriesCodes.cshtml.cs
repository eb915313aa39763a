using Coupons.Core;
using Coupons.Server.Admin;
using Coupons.Storage;
using Microsoft.AspNetCore.Mvc;

namespace Coupons.Server.WebConsole;

/// <summary>Upload a CSV of codes to an uploaded-list series: the same reading and storing as POST /v2/coupon/series/{id}/codes.</summary>
public sealed class SeriesCodesModel : ConsolePage
{
    public Series? Series { get; private set; }
    public UploadSummary? Summary { get; private set; }
    public string? FileError { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id)
    {
        Series = await Store.GetSeriesAsync(Caller.OrgId, id);
        return Series is null ? NotFoundPage($"There is no series {id} in your organisation.") : Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, IFormFile? file)
    {
        Series = await Store.GetSeriesAsync(Caller.OrgId, id);
        if (Series is null) return NotFoundPage($"There is no series {id} in your organisation.");
        if (file is null || file.Length == 0)
        {
            FileError = "Choose a CSV file with one code per line.";
            return Page();
        }
        List<string> codes;
        using (var reader = new StreamReader(file.OpenReadStream()))
            codes = await SeriesApi.ReadCsvCodesAsync(reader);
        if (codes.Count == 0) FileError = $"{Status.InvalidInput}: no codes in the upload";
        else if (codes.Count > SeriesApi.MaxUpload) FileError = $"{Status.InvalidInput}: at most {SeriesApi.MaxUpload} codes per upload";
        if (FileError is not null) return Page();

        var result = await Store.UploadCodesAsync(Caller.OrgId, id, codes);
        if (!result.Ok)
        {
            FileError = $"{result.Outcome.Code}: {result.Outcome.Message}";
            return Page();
        }
        Summary = result.Value;
        Series = await Store.GetSeriesAsync(Caller.OrgId, id);
        return Page();
    }
}
