using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Coupons.Core;
using Coupons.Server.Auth;
using Coupons.Server.Formats;
using Coupons.Server.OpenApi;
using Coupons.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coupons.Server.Admin;

/// <summary>A change to the organisation's settings; a field left out keeps its value.</summary>
public sealed record OrganisationSettings(
    [property: Length(1, 200)] string? Name, [property: Description("An IANA time zone, e.g. Europe/London")] string? TimeZone, bool? TransactionNumberRequired,
    [property: Range(0, OrganisationApi.MaxRateLimit)] int? RateLimitPerMinute, int? CurrencyDecimals = null, string? DefaultCountry = null);

/// <summary>The caller's own organisation: its name, time zone, whether redeems need a transaction number, and the per-till rate limit.</summary>
public static class OrganisationApi
{
    public const int MaxRateLimit = 1_000_000;

    public static RouteGroupBuilder MapOrganisation(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v2/organisation").WithTags("Admin: organisation")
            .RequireAuthorization(TillAuth.Admin).RequireRateLimiting(TillRateLimit.Policy)
            .WithErrorBody<ErrorEnvelope>();
        group.MapGet("/", Get).WithName("getOrganisation").WithSummary("The caller's organisation and its settings");
        group.MapPut("/", Update).WithName("updateOrganisation").WithSummary("Change the organisation's settings");
        return group;
    }

    static async Task<Results<Ok<Organisation>, JsonHttpResult<ErrorEnvelope>>> Get(TillIdentity till, ICouponStore store) =>
        await store.GetOrganisationAsync(till.Caller.OrgId) is { } org ? TypedResults.Ok(org) : V2Envelope.Error(404, Status.NotFound);

    static async Task<Results<Ok<Organisation>, JsonHttpResult<ErrorEnvelope>>> Update(
        OrganisationSettings body, TillIdentity till, ICouponStore store, Authenticator auth)
    {
        var orgId = till.Caller.OrgId;
        if (await store.GetOrganisationAsync(orgId) is not { } org) return V2Envelope.Error(404, Status.NotFound);
        if (body.Name is { } name && (string.IsNullOrWhiteSpace(name) || name.Length > 200))
            return V2Envelope.Error(400, Status.BadRequest, "name must be 1-200 characters");
        if (body.TimeZone is { } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone.Trim(), out _))
            return V2Envelope.Error(400, Status.BadRequest, $"timeZone '{zone}' is not a known IANA time zone");
        if (body.RateLimitPerMinute is < 0 or > MaxRateLimit)
            return V2Envelope.Error(400, Status.BadRequest, $"rateLimitPerMinute must be 0 (no limit) to {MaxRateLimit}");
        if (body.CurrencyDecimals is < 0 or > Discounts.MaxCurrencyDecimals)
            return V2Envelope.Error(400, Status.BadRequest, $"currencyDecimals must be 0 to {Discounts.MaxCurrencyDecimals}");
        // "" clears it: mobiles without a country code are then read as international digits.
        if (body.DefaultCountry is { } country && country.Trim().Length > 0 && !Identifiers.IsKnownCountry(country.Trim()))
            return V2Envelope.Error(400, Status.BadRequest, $"defaultCountry '{country}' is not a known ISO 3166 country code such as GB, IN or US; \"\" for none");
        var changed = org with
        {
            Name = body.Name?.Trim() ?? org.Name,
            TimeZone = body.TimeZone?.Trim() ?? org.TimeZone,
            TransactionNumberRequired = body.TransactionNumberRequired ?? org.TransactionNumberRequired,
            RateLimitPerMinute = body.RateLimitPerMinute ?? org.RateLimitPerMinute,
            CurrencyDecimals = body.CurrencyDecimals ?? org.CurrencyDecimals,
            DefaultCountry = body.DefaultCountry is { } c ? (c.Trim().Length == 0 ? null : c.Trim().ToUpperInvariant()) : org.DefaultCountry,
        };
        await store.UpdateOrganisationAsync(changed);
        auth.Forget(orgId);
        return TypedResults.Ok(changed);
    }
}
