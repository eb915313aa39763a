using Coupons.Core;
using Coupons.Server.Auth;
using Coupons.Server.Formats;
using Coupons.Server.OpenApi;
using Coupons.Storage;

namespace Coupons.Server.V2;

/// <summary>CSV exports (issue #18): a series' coupons; a series' or the organisation's redemptions over days of the
/// organisation's zone. Admin tills. Streamed: see <see cref="CsvExport"/>.</summary>
public static class ExportsApi
{
    public static RouteGroupBuilder MapExports(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v2/coupon").WithTags("v2: exports")
            .RequireAuthorization(TillAuth.Admin).RequireRateLimiting(TillRateLimit.Policy)
            .WithErrorBody<ErrorEnvelope>();
        group.MapGet("/series/{id:long}/coupons.csv", SeriesCoupons)
            .WithName("exportSeriesCoupons").WithSummary("A series' coupons as CSV").Produces<string>(200, CsvExport.ContentType);
        group.MapGet("/series/{id:long}/redemptions.csv", (long id, string? from, string? to, TillIdentity till, ICouponStore store, TimeProvider clock, HttpContext http) =>
            Redemptions(id, from, to, till, store, clock, http.RequestAborted))
            .WithName("exportSeriesRedemptions").WithSummary("A series' redemptions over days of the organisation's zone, as CSV")
            .Produces<string>(200, CsvExport.ContentType);
        group.MapGet("/redemptions.csv", (string? from, string? to, TillIdentity till, ICouponStore store, TimeProvider clock, HttpContext http) =>
            Redemptions(null, from, to, till, store, clock, http.RequestAborted))
            .WithName("exportRedemptions").WithSummary("The organisation's redemptions over days of its zone, as CSV")
            .Produces<string>(200, CsvExport.ContentType);
        return group;
    }

    static async Task<IResult> SeriesCoupons(long id, TillIdentity till, ICouponStore store, HttpContext http)
    {
        var org = till.Caller.Org;
        if (await store.GetSeriesAsync(org.Id, id) is null) return V2Envelope.Error(404, Status.InvalidSeries);
        var zone = TimeZones.FindOrUtc(org.TimeZone);
        var ct = http.RequestAborted;
        return Results.Stream(s => CsvExport.WriteCouponsAsync(store.ExportCouponsAsync(org.Id, id, ct), zone, s, ct),
            CsvExport.ContentType, $"series-{id}-coupons.csv");
    }

    /// <summary>from and to as the stats read them (days of the organisation's zone, both included; the last 30 days by default).</summary>
    static async Task<IResult> Redemptions(long? seriesId, string? from, string? to, TillIdentity till, ICouponStore store, TimeProvider clock, CancellationToken ct)
    {
        var org = till.Caller.Org;
        var zone = TimeZones.FindOrUtc(org.TimeZone);
        var (range, problem) = SeriesStatsApi.Parse(from, to, "day", zone, clock.GetUtcNow());
        if (range is null) return V2Envelope.Error(400, Status.BadRequest, problem);
        if (seriesId is { } sid && await store.GetSeriesAsync(org.Id, sid) is null) return V2Envelope.Error(404, Status.InvalidSeries);
        var (since, until) = range.Instants;
        var name = $"{(seriesId is null ? "" : $"series-{seriesId}-")}redemptions-{range.From:yyyy-MM-dd}-{range.To:yyyy-MM-dd}.csv";
        return Results.Stream(s => CsvExport.WriteRedemptionsAsync(store.ExportRedemptionsAsync(org.Id, seriesId, since, until, ct), zone, s, ct),
            CsvExport.ContentType, name);
    }
}
