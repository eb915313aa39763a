using Coupons.Core;
using Coupons.Server.Auth;
using Coupons.Server.Formats;
using Coupons.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coupons.Server.Admin;

public sealed record CreateStoreRequest(string? Code, string? Name);
public sealed record CreateTillRequest(string? Code, string? Password, string? StoreCode, string? Role);
public sealed record TillView(long Id, string Code, long StoreId, string Role);
public sealed record StoreList(IReadOnlyList<Store> Stores);
public sealed record TillList(IReadOnlyList<TillView> Tills);

/// <summary>Stores and tills of the caller's organisation. Admin tills only.</summary>
public static class StoresApi
{
    public static RouteGroupBuilder MapStores(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v2").WithTags("Admin: stores and tills")
            .RequireAuthorization(TillAuth.Admin).RequireRateLimiting(TillRateLimit.Policy);
        group.MapPost("/stores", CreateStore);
        group.MapGet("/stores", ListStores);
        group.MapPost("/tills", CreateTill);
        group.MapGet("/tills", ListTills);
        return group;
    }

    static async Task<Results<Ok<Store>, JsonHttpResult<ErrorEnvelope>>> CreateStore(CreateStoreRequest body, TillIdentity till, ICouponStore store)
    {
        if (!Fields.IsCode(body.Code)) return V2Envelope.Error(400, Status.BadRequest, "code is required: 1-64 characters, no spaces");
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 200) return V2Envelope.Error(400, Status.BadRequest, "name is required (at most 200 characters)");
        var result = await store.CreateStoreAsync(till.Caller.OrgId, body.Code!.Trim(), body.Name.Trim());
        return result.Ok ? TypedResults.Ok(result.Value) : V2Envelope.Error(409, result.Outcome);
    }

    static async Task<Ok<StoreList>> ListStores(TillIdentity till, ICouponStore store) =>
        TypedResults.Ok(new StoreList(await store.ListStoresAsync(till.Caller.OrgId)));

    static async Task<Results<Ok<TillView>, JsonHttpResult<ErrorEnvelope>>> CreateTill(CreateTillRequest body, TillIdentity till, ICouponStore store)
    {
        if (!Fields.IsCode(body.Code)) return V2Envelope.Error(400, Status.BadRequest, "code is required: 1-64 characters, no spaces or colons");
        if (string.IsNullOrEmpty(body.Password) || body.Password.Length is < 8 or > 200)
            return V2Envelope.Error(400, Status.BadRequest, "password is required: 8-200 characters");
        if (!Fields.IsCode(body.StoreCode)) return V2Envelope.Error(400, Status.BadRequest, "storeCode is required");
        var role = (body.Role ?? Roles.Till).Trim().ToLowerInvariant();
        if (!Roles.IsValid(role)) return V2Envelope.Error(400, Status.BadRequest, "role must be 'admin' or 'till'");
        var result = await store.CreateTillAsync(till.Caller.OrgId, body.Code!.Trim(), PasswordHasher.Hash(body.Password), body.StoreCode!.Trim(), role);
        if (!result.Ok) return V2Envelope.Error(result.Outcome.Code == Status.NotFound ? 404 : 409, result.Outcome);
        var created = result.Value!;
        return TypedResults.Ok(new TillView(created.Id, created.Code, created.StoreId, created.Role));
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
