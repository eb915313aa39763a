using Coupons.Core;
using Microsoft.AspNetCore.Mvc;

namespace Coupons.Server.WebConsole;

/// <summary>Find a customer by mobile, email, external id or customer id; a hit goes to the customer's page.</summary>
public sealed class CustomersModel : ConsolePage
{
    public static readonly (string Value, string Text)[] Ways = [("mobile", "Mobile"), ("email", "Email"), ("externalId", "External id"), ("id", "Customer id")];

    public string By { get; private set; } = "mobile";
    public string? Value { get; private set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? by, string? value)
    {
        By = Ways.Any(w => w.Value == by) ? by! : "mobile";
        // Model binding turns a blank value into null; a submitted blank field still deserves its message.
        if (!Request.Query.ContainsKey("value")) return Page();
        Value = value;
        var v = value?.Trim() ?? "";
        if (v.Length == 0)
        {
            Error = $"Enter the customer's {Ways.First(w => w.Value == By).Text.ToLowerInvariant()}.";
            return Page();
        }
        var who = By switch
        {
            "email" => new CustomerRef(Email: v),
            "externalId" => new CustomerRef(ExternalId: v),
            "id" => long.TryParse(v, out var id) ? new CustomerRef(Id: id) : null,
            _ => new CustomerRef(Mobile: v),
        };
        if (who is null)
        {
            Error = "A customer id is a whole number.";
            return Page();
        }
        (who, var badMobile) = Identifiers.Normalise(who, Caller.Org.DefaultCountry);
        if (badMobile is { } bad)
        {
            Error = $"{bad.Code}: {bad.Message}";
            return Page();
        }
        var customer = await Store.FindCustomerAsync(Caller.OrgId, who);
        if (customer is null)
        {
            Error = $"{Status.CustomerNotFound}: {Status.Message(Status.CustomerNotFound)}";
            return Page();
        }
        return Redirect($"/console/customers/{customer.Id}");
    }
}
