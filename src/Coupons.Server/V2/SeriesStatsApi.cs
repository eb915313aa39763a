using System.Globalization;
using System.Text.Json.Serialization;
using Coupons.Core;
using Coupons.Server.Auth;
using Coupons.Server.Formats;
using Coupons.Server.OpenApi;
using Coupons.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coupons.Server.V2;

/// <summary>One period's or store's figures; storeCode and storeName only when grouped by store.</summary>
public sealed record FiguresView(
    string Key,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? StoreCode,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? StoreName,
    int Issued, int Redeemed, decimal? RedemptionRate, decimal DiscountGiven, decimal BillTotal);

public sealed record SeriesStatsResponse(
    long SeriesId, string From, string To, string GroupBy, string TimeZone, FiguresView Totals, IReadOnlyList<FiguresView> Groups,
    IReadOnlyList<StatusItem> Warnings, IReadOnlyList<StatusItem> Errors);

/// <summary>GET /v2/coupon/series/{id}/stats?from=&amp;to=&amp;groupBy=day|week|store: a campaign's figures (issue #18). Admin tills.</summary>
public static class SeriesStatsApi
{
    public const int DefaultDays = 30;

    public static RouteGroupBuilder MapSeriesStats(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v2/coupon/series").WithTags("v2: campaign figures")
            .RequireAuthorization(TillAuth.Admin).RequireRateLimiting(TillRateLimit.Policy)
            .WithErrorBody<ErrorEnvelope>();
        group.MapGet("/{id:long}/stats", Stats).WithName("getSeriesStats")
            .WithSummary("A series' issues, redemptions, discount and bills per day, week or store, in the organisation's zone");
        return group;
    }

    /// <summary>The range and grouping a request asks for, or the 400 naming the field. Dates are days of the organisation's
    /// zone, both included; by default the <see cref="DefaultDays"/> days up to today, grouped by day.</summary>
    public static (CampaignFigures? Figures, string? Problem) Parse(string? from, string? to, string? groupBy, TimeZoneInfo zone, DateTimeOffset now)
    {
        FiguresGrouping? by = (groupBy?.Trim().ToLowerInvariant() ?? "day") switch
        {
            "day" or "" => FiguresGrouping.Day,
            "week" => FiguresGrouping.Week,
            "store" => FiguresGrouping.Store,
            _ => null,
        };
        if (by is null) return (null, "groupBy must be day, week or store");
        static DateOnly? Day(string? s) =>
            DateOnly.TryParseExact(s?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        DateOnly last = today, first;
        if (!string.IsNullOrWhiteSpace(to))
        {
            if (Day(to) is not { } t) return (null, "to must be a date, yyyy-MM-dd");
            last = t;
        }
        if (!string.IsNullOrWhiteSpace(from))
        {
            if (Day(from) is not { } f) return (null, "from must be a date, yyyy-MM-dd");
            first = f;
        }
        else first = last.AddDays(1 - DefaultDays);
        if (last < first) return (null, "from must not be after to");
        if (last.DayNumber - first.DayNumber + 1 > CampaignFigures.MaxDays) return (null, $"from and to span at most {CampaignFigures.MaxDays} days");
        return (new CampaignFigures(by.Value, zone, first, last), null);
    }

    static async Task<Results<Ok<SeriesStatsResponse>, JsonHttpResult<ErrorEnvelope>>> Stats(
        long id, string? from, string? to, string? groupBy, TillIdentity till, ICouponStore store, TimeProvider clock, CancellationToken ct)
    {
        var org = till.Caller.Org;
        var zone = TimeZones.FindOrUtc(org.TimeZone);
        var (figures, problem) = Parse(from, to, groupBy, zone, clock.GetUtcNow());
        if (figures is null) return V2Envelope.Error(400, Status.BadRequest, problem);
        if (!await store.SeriesFiguresAsync(org.Id, id, figures, ct)) return V2Envelope.Error(404, Status.InvalidSeries);
        var byStore = groupBy?.Trim().Equals("store", StringComparison.OrdinalIgnoreCase) == true;
        var stores = byStore ? (await store.ListStoresAsync(org.Id)).ToDictionary(s => s.Id.ToString(CultureInfo.InvariantCulture)) : [];
        FiguresView View(FiguresRow r)
        {
            var s = byStore ? stores.GetValueOrDefault(r.Key) : null;
            return new FiguresView(s?.Code ?? r.Key, s?.Code, s?.Name, r.Issued, r.Redeemed, r.RedemptionRate, r.DiscountGiven, r.BillTotal);
        }
        return TypedResults.Ok(new SeriesStatsResponse(
            id, figures.From.ToString("yyyy-MM-dd"), figures.To.ToString("yyyy-MM-dd"),
            byStore ? "store" : (groupBy?.Trim().ToLowerInvariant() is "week" ? "week" : "day"), zone.Id,
            View(figures.Totals), figures.Rows.Select(View).ToList(), [], []));
    }
}
