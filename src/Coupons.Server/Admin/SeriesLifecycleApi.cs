using Coupons.Core;
using Coupons.Server.Auth;
using Coupons.Server.Formats;
using Coupons.Server.OpenApi;
using Coupons.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coupons.Server.Admin;

/// <summary>The copy's own fields: a new series code, and for a GENERIC series a new shared code. Everything else is copied.</summary>
public sealed record DuplicateSeriesRequest(string? SeriesCode, string? Generic, string? Description);

/// <summary>A running campaign's lifecycle (issue #18): pause and resume, archive and unarchive, duplicate. Admin tills only.</summary>
public static class SeriesLifecycleApi
{
    public static RouteGroupBuilder MapSeriesLifecycle(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v2/coupon/series/{id:long}").WithTags("Admin: coupon series")
            .RequireAuthorization(TillAuth.Admin).RequireRateLimiting(TillRateLimit.Policy)
            .WithErrorBody<ErrorEnvelope>();
        group.MapPost("/pause", (long id, TillIdentity till, ICouponStore store) => ChangeAsync(id, SeriesLifecycleChange.Pause, till, store))
            .WithName("pauseSeries").WithSummary("Pause a series: it issues and redeems nothing (771) until resumed");
        group.MapPost("/resume", (long id, TillIdentity till, ICouponStore store) => ChangeAsync(id, SeriesLifecycleChange.Resume, till, store))
            .WithName("resumeSeries").WithSummary("Resume a paused series");
        group.MapPost("/archive", (long id, TillIdentity till, ICouponStore store) => ChangeAsync(id, SeriesLifecycleChange.Archive, till, store))
            .WithName("archiveSeries").WithSummary("Archive a series: left out of the console's lists, still read and reported");
        group.MapPost("/unarchive", (long id, TillIdentity till, ICouponStore store) => ChangeAsync(id, SeriesLifecycleChange.Unarchive, till, store))
            .WithName("unarchiveSeries").WithSummary("Bring an archived series back");
        group.MapPost("/duplicate", Duplicate).WithName("duplicateSeries").WithSummary("Copy a series under a new series code").Refuses(409)
            .LinksTo("getSeries", "id", "$response.body#/id");
        return group;
    }

    static async Task<Results<Ok<Series>, JsonHttpResult<ErrorEnvelope>>> ChangeAsync(long id, SeriesLifecycleChange change, TillIdentity till, ICouponStore store) =>
        await store.ChangeSeriesLifecycleAsync(till.Caller.OrgId, id, change) is { } series
            ? TypedResults.Ok(series)
            : V2Envelope.Error(404, Status.InvalidSeries);

    /// <summary>
    /// A copy of the series for next month's campaign: every field but the series code (and a GENERIC series' shared
    /// code, which two series cannot share usefully), with no coupons, codes or counters, neither paused nor archived.
    /// Dates are copied as they are: edit them with PUT before issuing.
    /// </summary>
    static async Task<Results<Created<Series>, JsonHttpResult<ErrorEnvelope>>> Duplicate(
        long id, DuplicateSeriesRequest body, TillIdentity till, ICouponStore store)
    {
        var caller = till.Caller;
        if (await store.GetSeriesAsync(caller.OrgId, id) is not { } source) return V2Envelope.Error(404, Status.InvalidSeries);
        var result = await DuplicateAsync(store, caller, source, body);
        return result.Ok ? TypedResults.Created($"/v2/coupon/series/{result.Value!.Id}", result.Value) : V2Envelope.Error(result.Outcome);
    }

    /// <summary>The copy, checked by the series rules and created; 753 without a series code, 754 for a GENERIC series
    /// without a shared code of its own, 751 when the code is taken.</summary>
    internal static async Task<Result<Series>> DuplicateAsync(ICouponStore store, Caller caller, Series source, DuplicateSeriesRequest body)
    {
        if (string.IsNullOrWhiteSpace(body.SeriesCode)) return new Outcome(Status.EmptySeriesCode, "seriesCode of the copy is required");
        if (source.Kind == SeriesKind.Generic && (string.IsNullOrWhiteSpace(body.Generic)
                                                  || string.Equals(body.Generic.Trim(), source.Generic, StringComparison.OrdinalIgnoreCase)))
            return new Outcome(Status.GenericCodeMissing, "generic: a copy of a GENERIC series needs a shared code of its own");
        var copy = SeriesApi.Normalise(source with
        {
            SeriesCode = body.SeriesCode,
            Generic = source.Kind == SeriesKind.Generic ? body.Generic : source.Generic,
            Description = body.Description ?? source.Description,
            LastUsed = null,
            PausedAt = null,
            ArchivedAt = null,
        });
        // Checked as an edit, not a creation: the copy keeps the source's dates, possibly past, until they are changed.
        if (await SeriesApi.CheckAsync(store, caller.OrgId, copy, TimeProvider.System.GetUtcNow(), creating: false) is [var first, ..])
            return first.Outcome;
        return await store.CreateSeriesAsync(caller.OrgId, caller.Till.Id, copy);
    }
}
