using Coupons.Storage;
using Microsoft.AspNetCore.Mvc;

namespace Coupons.Server.WebConsole;

/// <summary>Outgoing messages (SMS, email, webhooks): the failing and dead ones first, each with its attempts, and a retry.</summary>
public sealed class OutboxModel : ConsolePage
{
    public static readonly string[] Filters = ["failing", "dead", "pending", "sending", "sent", "cancelled"];

    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [TempData] public string? Done { get; set; }
    public IReadOnlyList<Delivery> Messages { get; private set; } = [];
    public (Delivery Delivery, IReadOnlyList<DeliveryAttempt> Attempts)? Selected { get; private set; }

    public async Task OnGetAsync(long? id)
    {
        Status = Filters.Contains(Status) ? Status : "failing";
        Messages = await Store.ListDeliveriesAsync(Caller.OrgId, Status, 0, 200);
        if (id is { } chosen) Selected = await Store.GetDeliveryAsync(Caller.OrgId, chosen);
    }

    public async Task<IActionResult> OnPostRetryAsync(long id)
    {
        Done = await Store.RetryDeliveryAsync(Caller.OrgId, id)
            ? $"Message {id} will be sent again."
            : $"Message {id} cannot be retried: only a dead or pending message can.";
        return Redirect($"/console/outbox?status={Uri.EscapeDataString(Filters.Contains(Status) ? Status! : "failing")}");
    }
}
