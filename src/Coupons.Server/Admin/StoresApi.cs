using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Coupons.Core;
using Coupons.Server.Auth;
using Coupons.Server.Formats;
using Coupons.Server.OpenApi;
using Coupons.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coupons.Server.Admin;

public sealed record CreateStoreRequest([property: Required, Length(1, 64)] string? Code, [property: Required, Length(1, 200)] string? Name);
public sealed record CreateTillRequest(
    [property: Required, Length(1, 64)] string? Code, [property: Required, Length(8, 200)] string? Password,
    [property: Required, Length(1, 64)] string? StoreCode, [property: AllowedValues("admin", "till"), DefaultValue("till")] string? Role);
public sealed record TillView(long Id, string Code, long StoreId, string Role);
public sealed record StoreList(IReadOnlyList<Store> Stores);
public sealed record TillList(IReadOnlyList<TillView> Tills);

/// <summary>Stores and tills of the caller's organisation. Admin tills only.</summary>
public static class StoresApi
{
    public static RouteGroupBuilder MapStores(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v2").WithTags("Admin: stores and tills")
            .RequireAuthorization(TillAuth.Admin).RequireRateLimiting(TillRateLimit.Policy)
            .WithErrorBody<ErrorEnvelope>();
        group.MapPost("/stores", CreateStore).WithName("createStore").WithSummary("Create a store").Refuses(409);
        group.MapGet("/stores", ListStores).WithName("listStores").WithSummary("The stores of the organisation");
        group.MapPost("/tills", CreateTill).WithName("createTill").WithSummary("Create a till of a store").Refuses(404, 409);
        group.MapGet("/tills", ListTills).WithName("listTills").WithSummary("The tills of the organisation");
        return group;
    }

    static async Task<Results<Created<Store>, JsonHttpResult<ErrorEnvelope>>> CreateStore(CreateStoreRequest body, TillIdentity till, ICouponStore store)
    {
        if (!Fields.IsCode(body.Code)) return V2Envelope.Error(400, Status.BadRequest, "code is required: 1-64 characters, no spaces");
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 200) return V2Envelope.Error(400, Status.BadRequest, "name is required (at most 200 characters)");
        var result = await store.CreateStoreAsync(till.Caller.OrgId, body.Code!.Trim(), body.Name.Trim());
        // 201 without a Location: stores are read as a list (GET /v2/stores), there is no URL of one store.
        return result.Ok ? TypedResults.Created((string?)null, result.Value) : V2Envelope.Error(409, result.Outcome with { Code = Status.Conflict });
    }

    static async Task<Ok<StoreList>> ListStores(TillIdentity till, ICouponStore store) =>
        TypedResults.Ok(new StoreList(await store.ListStoresAsync(till.Caller.OrgId)));

    static async Task<Results<Created<TillView>, JsonHttpResult<ErrorEnvelope>>> CreateTill(CreateTillRequest body, TillIdentity till, ICouponStore store)
    {
        if (!Fields.IsCode(body.Code)) return V2Envelope.Error(400, Status.BadRequest, "code is required: 1-64 characters, no spaces or colons");
        if (string.IsNullOrEmpty(body.Password) || body.Password.Length is < 8 or > 200)
            return V2Envelope.Error(400, Status.BadRequest, "password is required: 8-200 characters");
        if (!Fields.IsCode(body.StoreCode)) return V2Envelope.Error(400, Status.BadRequest, "storeCode is required");
        var role = (body.Role ?? Roles.Till).Trim().ToLowerInvariant();
        if (!Roles.IsValid(role)) return V2Envelope.Error(400, Status.BadRequest, "role must be 'admin' or 'till'");
        var result = await store.CreateTillAsync(till.Caller.OrgId, body.Code!.Trim(), PasswordHasher.Hash(body.Password), body.StoreCode!.Trim(), role);
        if (!result.Ok)
            return result.Outcome.Code == Status.NotFound ? V2Envelope.Error(404, result.Outcome) : V2Envelope.Error(409, result.Outcome with { Code = Status.Conflict });
        var created = result.Value!;
        return TypedResults.Created((string?)null, new TillView(created.Id, created.Code, created.StoreId, created.Role));
    }

    static async Task<Ok<TillList>> ListTills(TillIdentity till, ICouponStore store) =>
        TypedResults.Ok(new TillList((await store.ListTillsAsync(till.Caller.OrgId)).Select(t => new TillView(t.Id, t.Code, t.StoreId, t.Role)).ToList()));
}

static class Fields
{
    /// <summary>A code a person types: store, till, series codes. Printable, no spaces, no colon (Basic auth splits on it).</summary>
    public static bool IsCode(string? s) =>
        s is not null && s.Trim() is { Length: > 0 and <= 64 } t && t.All(ch => ch is > ' ' and < (char)127 and not ':');
}
