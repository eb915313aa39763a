using Coupons.Core;
using Coupons.Server.V2;
using Coupons.Storage;
using Microsoft.AspNetCore.Mvc;

namespace Coupons.Server.WebConsole;

public sealed record Confirmation(string Handler, long Target, string Question, string Button);

/// <summary>
/// A customer's coupons with their redemptions and reversals. Admin tills can resend a coupon, issue one from a
/// series and reverse a redemption; each asks first (a GET showing the question, then a POST with the anti-forgery token).
/// </summary>
public sealed class CustomerModel : ConsolePage
{
    public Customer? Customer { get; private set; }
    public IReadOnlyList<CouponDetail> Coupons { get; private set; } = [];
    public IReadOnlyList<Series> AllSeries { get; private set; } = [];
    public Confirmation? Ask { get; private set; }
    /// <summary>What the last action did, carried over its redirect in the console's TempData cookie.</summary>
    [TempData] public string? Done { get; set; }
    public string? Failure { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, string? confirm, long? target)
    {
        if (!await LoadAsync(id)) return NotFoundPage($"There is no customer {id} in your organisation.");
        if (IsAdmin && target is { } t) Ask = await AskAsync(confirm, t);
        return Page();
    }

    public async Task<IActionResult> OnPostResendAsync(long id, long target)
    {
        if (!IsAdmin) return Forbid(ConsoleSetup.Scheme);
        if (!await LoadAsync(id)) return NotFoundPage($"There is no customer {id} in your organisation.");
        var result = await Store.ResendAsync(Caller, new CustomerRef(Id: id), target, null);
        return result.Ok ? Redirect(id, $"Coupon {result.Value!.Coupon.Code} sent again.") : await FailedAsync(id, result.Outcome);
    }

    public async Task<IActionResult> OnPostIssueAsync(long id, long target)
    {
        if (!IsAdmin) return Forbid(ConsoleSetup.Scheme);
        if (!await LoadAsync(id)) return NotFoundPage($"There is no customer {id} in your organisation.");
        var result = await Store.IssueAsync(Caller, target, new CustomerRef(Id: id));
        if (result.Coupons.Count == 0) return await FailedAsync(id, result.Refusal.Ok ? new Outcome(Status.UnableToIssue) : result.Refusal);
        var coupon = result.Coupons[0];
        if (result.Series is { } series && MessageTemplates.SendsNothing(series))
            return Redirect(id, $"Coupon {coupon.Coupon.Code} {(coupon.Resent ? "returned (the customer already holds it)" : "issued")} from {series.SeriesCode}. "
                + "No message will go out: the series has no SMS or email text, so tell the customer the code yourself.");
        return Redirect(id, $"Coupon {coupon.Coupon.Code} {(coupon.Resent ? "sent again (the customer already holds it)" : "issued")} from {result.Series?.SeriesCode}.");
    }

    public async Task<IActionResult> OnPostReverseAsync(long id, long target)
    {
        if (!IsAdmin) return Forbid(ConsoleSetup.Scheme);
        if (!await LoadAsync(id)) return NotFoundPage($"There is no customer {id} in your organisation.");
        // Only a redemption shown on this page: the same id on another customer's page is refused like an unknown one.
        if (!Coupons.Any(d => d.Redemptions.Any(r => r.Redemption.Id == target)))
            return await FailedAsync(id, new Outcome(Status.InvalidRedemptionIds));
        var result = await Store.ReverseAsync(Caller, [target]);
        if (!result.Ok) return await FailedAsync(id, result.Outcome);
        var given = result.Value![0].DiscountAmount is { } off ? $" Its discount of {SeriesView.Money(off, Caller.Org.CurrencyDecimals)} is given back." : "";
        return Redirect(id, $"Redemption #{target} reversed.{given}");
    }

    public (string Text, string Tone) StatusOf(CouponDetail d)
    {
        var (k, s) = (d.Coupon, d.Series);
        if (k.Revoked) return ("revoked", "bad");
        var left = CustomerCouponView.LeftFor(k, s);
        if (left == 0) return ("redeemed", "muted");
        if (k.ValidTill is { } till && till < Now) return ("expired", "bad");
        return k.NumRedemptions > 0 ? ($"redeemed {k.NumRedemptions}×, still usable", "good") : ("active", "good");
    }

    async Task<bool> LoadAsync(long id)
    {
        Customer = await Store.GetCustomerAsync(Caller.OrgId, id);
        if (Customer is null) return false;
        Coupons = await Store.ListCustomerCouponsAsync(Caller.OrgId, id);
        // The picker offers only series that can issue: a paused one would refuse (771), an archived one is done with.
        if (IsAdmin) AllSeries = (await Store.SearchSeriesAsync(Caller.OrgId, null, 0, 500)).Where(s => s.PausedAt is null).ToList();
        return true;
    }

    async Task<Confirmation?> AskAsync(string? action, long target)
    {
        switch (action)
        {
            case "resend" when Coupons.FirstOrDefault(d => d.Coupon.Id == target) is { } d:
                return new("Resend", target, $"Send coupon {d.Coupon.Code} ({d.Series.SeriesCode}) to {Customer!.FullName} again?", "Yes, resend");
            case "reverse" when Coupons.SelectMany(d => d.Redemptions.Select(r => (d, r))).FirstOrDefault(x => x.r.Redemption.Id == target) is { r: not null } x:
                return new("Reverse", target, $"Reverse redemption #{target} of coupon {x.d.Coupon.Code} ({SeriesView.Date(x.r.Redemption.RedeemedAt)} at {x.r.Store.Name}{(x.r.Redemption.DiscountAmount is { } off ? $", discount {SeriesView.Money(off, Caller.Org.CurrencyDecimals)}" : "")})? The coupon becomes usable again.", "Yes, reverse");
            case "issue" when await Store.GetSeriesAsync(Caller.OrgId, target) is { } s:
                return new("Issue", target, $"Issue a coupon of {s.SeriesCode} ({s.Description}) to {Customer!.FullName}?", "Yes, issue");
            default:
                return null;
        }
    }

    IActionResult Redirect(long id, string done)
    {
        Done = done;
        return Redirect($"/console/customers/{id}");
    }

    async Task<IActionResult> FailedAsync(long id, Outcome outcome)
    {
        Failure = $"{outcome.Code}: {outcome.Message}";
        await LoadAsync(id);
        return Page();
    }
}
