using System.ComponentModel.DataAnnotations;
using Coupons.Core;
using Coupons.Server.Auth;
using Coupons.Server.Formats;
using Coupons.Server.OpenApi;
using Coupons.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coupons.Server.Admin;

public sealed record IdentifierInput([property: Required, AllowedValues("mobile", "email", "externalId")] string? Type, [property: Required, Length(1, 100)] string? Value);
public sealed record ProfileInput([property: MaxLength(100)] string? FirstName, [property: MaxLength(100)] string? LastName, [property: Required, MinLength(1)] List<IdentifierInput>? Identifiers);
public sealed record CreateCustomerRequest([property: Required, Length(1, 1)] List<ProfileInput>? Profiles);
public sealed record CreatedCustomer(long CreatedId, IReadOnlyList<StatusItem> Warnings);
public sealed record CustomerStatusRequest(FraudStatus? FraudStatus, bool? CouponsBlocked);

public static class CustomersApi
{
    public static RouteGroupBuilder MapCustomers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v2/customers").WithTags("Admin: customers")
            .RequireAuthorization(TillAuth.Admin).RequireRateLimiting(TillRateLimit.Policy)
            .WithErrorBody<ErrorEnvelope>();
        group.MapPost("/", Create).WithName("createCustomer").WithSummary("Create a customer").Refuses(409)
            .LinksTo("getCustomer", "id", "$response.body#/createdId");
        group.MapGet("/lookup", Lookup).WithName("lookupCustomer").WithSummary("Find a customer by mobile, email, external id or id").Refuses(404);
        group.MapGet("/{id:long}", Get).WithName("getCustomer").WithSummary("A customer");
        group.MapPut("/{id:long}/status", SetStatus)
            .WithName("setCustomerStatus").WithSummary("Set a customer's fraud status and whether their coupons are blocked");
        return group;
    }

    static async Task<Results<Created<CreatedCustomer>, JsonHttpResult<ErrorEnvelope>>> Create(CreateCustomerRequest body, TillIdentity till, ICouponStore store)
    {
        if (body.Profiles is not [{ } profile]) return V2Envelope.Error(400, Status.BadRequest, "profiles must hold exactly one profile");
        string? mobile = null, email = null, externalId = null;
        foreach (var id in profile.Identifiers ?? [])
        {
            var value = id?.Value?.Trim();
            if (string.IsNullOrEmpty(value) || value.Length > 100 || value.Any(char.IsControl))
                return V2Envelope.Error(400, Status.BadRequest, "identifier values must be 1-100 printable characters");
            switch (id!.Type?.Trim().ToLowerInvariant())
            {
                case "mobile":
                    mobile = Identifiers.Mobile(value, till.Caller.Org.DefaultCountry);
                    if (mobile is null) return V2Envelope.Error(400, Status.InvalidCustomer, $"mobile '{value}' is not a phone number");
                    break;
                case "email": email = Identifiers.Email(value); break;
                case "externalid" or "external_id": externalId = value; break;
                default: return V2Envelope.Error(400, Status.BadRequest, $"identifier type '{id.Type}' is not one of mobile, email, externalId");
            }
        }
        if (mobile is null && email is null && externalId is null)
            return V2Envelope.Error(400, Status.InvalidCustomer, "a customer needs at least one identifier: mobile, email or externalId");
        if ((profile.FirstName?.Length ?? 0) > 100 || (profile.LastName?.Length ?? 0) > 100)
            return V2Envelope.Error(400, Status.BadRequest, "names are at most 100 characters");
        var customer = new Customer
        {
            FirstName = profile.FirstName?.Trim() ?? "",
            LastName = profile.LastName?.Trim() ?? "",
            Mobile = mobile,
            Email = email,
            ExternalId = externalId,
        };
        var result = await store.CreateCustomerAsync(till.Caller.OrgId, customer);
        return result.Ok
            ? TypedResults.Created($"/v2/customers/{result.Value}", new CreatedCustomer(result.Value, []))
            : V2Envelope.Error(409, result.Outcome with { Code = Status.Conflict });
    }

    static async Task<Results<Ok<CustomerView>, JsonHttpResult<ErrorEnvelope>>> Get(long id, TillIdentity till, ICouponStore store)
    {
        var customer = await store.GetCustomerAsync(till.Caller.OrgId, id);
        return customer is null ? V2Envelope.Error(404, Status.CustomerNotFound) : TypedResults.Ok(CustomerView.From(customer));
    }

    static async Task<Results<Ok<CustomerView>, JsonHttpResult<ErrorEnvelope>>> Lookup(
        [AllowedValues("mobile", "email", "externalId", "id")] string? identifierName, string? identifierValue, TillIdentity till, ICouponStore store)
    {
        var value = identifierValue?.Trim();
        var who = identifierName?.Trim().ToLowerInvariant() switch
        {
            "mobile" => new CustomerRef(Mobile: value),
            "email" => new CustomerRef(Email: value?.ToLowerInvariant()),
            "externalid" or "external_id" => new CustomerRef(ExternalId: value),
            "id" when long.TryParse(value, out var n) => new CustomerRef(Id: n),
            _ => null,
        };
        if (who is null || who.IsEmpty)
            return V2Envelope.Error(400, Status.BadRequest, "identifierName must be mobile, email, externalId or id, with an identifierValue");
        (who, var badMobile) = Identifiers.Normalise(who, till.Caller.Org.DefaultCountry);
        if (badMobile is { } bad) return V2Envelope.Error(400, bad);
        var customer = await store.FindCustomerAsync(till.Caller.OrgId, who);
        return customer is null ? V2Envelope.Error(404, Status.CustomerNotFound) : TypedResults.Ok(CustomerView.From(customer));
    }

    static async Task<Results<Ok<CustomerView>, JsonHttpResult<ErrorEnvelope>>> SetStatus(long id, CustomerStatusRequest body, TillIdentity till, ICouponStore store)
    {
        var orgId = till.Caller.OrgId;
        var current = await store.GetCustomerAsync(orgId, id);
        if (current is null) return V2Envelope.Error(404, Status.CustomerNotFound);
        await store.SetCustomerStatusAsync(orgId, id, body.FraudStatus ?? current.FraudStatus, body.CouponsBlocked ?? current.CouponsBlocked);
        return TypedResults.Ok(CustomerView.From((await store.GetCustomerAsync(orgId, id))!));
    }
}
