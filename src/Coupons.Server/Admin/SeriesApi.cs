using System.Text.Json;
using Coupons.Core;
using Coupons.Server.Auth;
using Coupons.Server.Formats;
using Coupons.Server.OpenApi;
using Coupons.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coupons.Server.Admin;

public sealed record SeriesSaved(bool Success, int Code, string Message, Series Series);
public sealed record SeriesPage(IReadOnlyList<Series> Series, int Offset, int Limit);
public sealed record UploadAnswer(int Received, int Stored, int Duplicates, int Rejected, IReadOnlyList<string> DuplicateCodes, IReadOnlyList<string> RejectedCodes);

/// <summary>Coupon series and their code lists. Admin tills only.</summary>
public static class SeriesApi
{
    public const int MaxUpload = 100_000;

    /// <summary>100,000 codes of up to 32 characters as a JSON array: about 3.6 MB; every other endpoint takes at most 1 MB.</summary>
    public const int MaxUploadBytes = 8 * 1024 * 1024;

    public static RouteGroupBuilder MapSeriesAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v2/coupon/series").WithTags("Admin: coupon series")
            .RequireAuthorization(TillAuth.Admin).RequireRateLimiting(TillRateLimit.Policy)
            .WithErrorBody<ErrorEnvelope>();
        group.MapPost("/", Create).WithName("createSeries").WithSummary("Create a coupon series").Refuses(409)
            .LinksTo("getSeries", "id", "$response.body#/id");
        group.MapPut("/{id:long}", Update).WithName("updateSeries").WithSummary("Change a coupon series").Refuses(409);
        group.MapGet("/{id:long}", Get).WithName("getSeries").WithSummary("A coupon series");
        group.MapGet("/", List).WithName("listSeries").WithSummary("Coupon series, a page at a time");
        group.MapPost("/{id:long}/codes", UploadCodes)
            .WithName("uploadCodes").WithSummary("Upload codes to an UPLOADED series: a JSON array, or text/csv one a line")
            .Accepts<string[]>("application/json", "text/csv", "text/plain")
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxUploadBytes));
        return group;
    }

    static async Task<Results<Created<Series>, JsonHttpResult<ErrorEnvelope>>> Create(Series body, TillIdentity till, ICouponStore store, TimeProvider clock)
    {
        var series = Normalise(body);
        var caller = till.Caller;
        if (await CheckAsync(store, caller.OrgId, series, clock.GetUtcNow(), creating: true) is { Count: > 0 } refusals)
            return Refused(refusals);
        var result = await store.CreateSeriesAsync(caller.OrgId, caller.Till.Id, series);
        return result.Ok ? TypedResults.Created($"/v2/coupon/series/{result.Value!.Id}", result.Value) : V2Envelope.Error(result.Outcome);
    }

    static async Task<Results<Ok<SeriesSaved>, JsonHttpResult<ErrorEnvelope>>> Update(long id, Series body, TillIdentity till, ICouponStore store, TimeProvider clock)
    {
        var series = Normalise(body) with { Id = id };
        if (await CheckAsync(store, till.Caller.OrgId, series, clock.GetUtcNow(), creating: false) is { Count: > 0 } refusals)
            return Refused(refusals);
        var result = await store.UpdateSeriesAsync(till.Caller.OrgId, id, series);
        if (!result.Ok) return V2Envelope.Error(result.Outcome);
        return TypedResults.Ok(new SeriesSaved(true, Status.SeriesSaved, Status.Message(Status.SeriesSaved), result.Value!));
    }

    /// <summary>
    /// The series rules of Coupons.Core, with the ids its lists name looked up in the organisation (one query, only
    /// when a list names an id). Every refusal at once, each naming its field; the console applies the same.
    /// </summary>
    internal static async Task<IReadOnlyList<SeriesRefusal>> CheckAsync(ICouponStore store, long orgId, Series series, DateTimeOffset now, bool creating)
    {
        var (stores, exclusive) = SeriesRules.ReferencedIds(series);
        var known = await store.KnownIdsAsync(orgId, stores, exclusive);
        var refusals = SeriesRules.Check(series, now, creating, known);
        // PUT has always answered 744 with the catalogue's wording first ("Couldn't save coupon series fields: …").
        return creating ? refusals : [.. refusals.Select(r => r.Outcome.Code != Status.SeriesNotSaved ? r
            : r with { Outcome = new Outcome(Status.SeriesNotSaved, $"{Status.Message(Status.SeriesNotSaved)}: {r.Outcome.Detail}") })];
    }

    /// <summary>Every refusal in the v2 errors list, HTTP 400.</summary>
    static JsonHttpResult<ErrorEnvelope> Refused(IReadOnlyList<SeriesRefusal> refusals) =>
        TypedResults.Json(new ErrorEnvelope([.. refusals.Select(r => StatusItem.Of(r.Outcome))], []), statusCode: StatusCodes.Status400BadRequest);

    static async Task<Results<Ok<Series>, JsonHttpResult<ErrorEnvelope>>> Get(long id, TillIdentity till, ICouponStore store)
    {
        var series = await store.GetSeriesAsync(till.Caller.OrgId, id);
        return series is null ? V2Envelope.Error(404, Status.InvalidSeries) : TypedResults.Ok(series);
    }

    static async Task<Results<Ok<SeriesPage>, JsonHttpResult<ErrorEnvelope>>> List(TillIdentity till, ICouponStore store, int? offset, int? limit)
    {
        var o = offset ?? 0;
        var l = limit ?? 50;
        if (o < 0 || l is < 1 or > 500) return V2Envelope.Error(400, Status.BadRequest, "offset must be >= 0 and limit 1..500");
        return TypedResults.Ok(new SeriesPage(await store.ListSeriesAsync(till.Caller.OrgId, o, l), o, l));
    }

    static async Task<Results<Ok<UploadAnswer>, JsonHttpResult<ErrorEnvelope>>> UploadCodes(long id, HttpRequest request, TillIdentity till, ICouponStore store)
    {
        List<string> codes;
        if (request.HasJsonContentType())
        {
            try
            {
                codes = await JsonSerializer.DeserializeAsync<List<string>>(request.Body, CouponJson.Options) ?? [];
            }
            catch (JsonException)
            {
                return V2Envelope.Error(400, Status.InvalidInput, "the body must be a JSON array of code strings");
            }
        }
        else
        {
            using var reader = new StreamReader(request.Body);
            codes = await ReadCsvCodesAsync(reader);
        }
        if (codes.Count == 0) return V2Envelope.Error(400, Status.InvalidInput, "no codes in the upload");
        if (codes.Count > MaxUpload) return V2Envelope.Error(400, Status.InvalidInput, $"at most {MaxUpload} codes per upload");
        var result = await store.UploadCodesAsync(till.Caller.OrgId, id, codes);
        if (!result.Ok) return V2Envelope.Error(result.Outcome);
        var s = result.Value!;
        return TypedResults.Ok(new UploadAnswer(s.Received, s.Stored, s.Duplicates, s.Rejected, s.DuplicateCodes.Take(1000).ToList(), s.RejectedCodes.Take(1000).ToList()));
    }

    /// <summary>The first column of each line; a "code" header is skipped. Stops one past <see cref="MaxUpload"/>.</summary>
    internal static async Task<List<string>> ReadCsvCodesAsync(TextReader reader)
    {
        var codes = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            var first = line.Split(',')[0].Trim().Trim('"');
            if (first.Length == 0 || (codes.Count == 0 && first.Equals("code", StringComparison.OrdinalIgnoreCase))) continue;
            codes.Add(first);
            if (codes.Count > MaxUpload) break;
        }
        return codes;
    }

    /// <summary>What the admin sends, minus what only the service sets.</summary>
    internal static Series Normalise(Series s) => s with
    {
        SeriesCode = s.SeriesCode?.Trim() ?? "",
        Generic = string.IsNullOrWhiteSpace(s.Generic) ? null : s.Generic.Trim(),
        SeriesType = string.IsNullOrWhiteSpace(s.SeriesType) ? "UNDEFINED" : s.SeriesType.Trim().ToUpperInvariant(),
        DiscountType = string.IsNullOrWhiteSpace(s.DiscountType) ? "ABS" : s.DiscountType.Trim().ToUpperInvariant(),
        NumIssued = 0,
        NumRedeemed = 0,
        NumUploadedTotal = 0,
        NumUploadedNonIssued = 0,
    };
}
