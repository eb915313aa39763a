using System.Globalization;
using System.Text.Json;
using Coupons.Core;
using Coupons.Server.Auth;
using Coupons.Server.Formats.V11;
using Coupons.Server.OpenApi;
using Coupons.Storage;

namespace Coupons.Server.V11;

/// <summary>The six resources of coupon-v1.1-api.txt under /v1.1/coupon, each in JSON and XML.</summary>
public static class CouponApi
{
    public static RouteGroupBuilder MapV11(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1.1/coupon").WithTags("v1.1 coupon")
            .RequireAuthorization(TillAuth.Till).RequireRateLimiting(TillRateLimit.Policy)
            // Refusals come in response.status, JSON or XML: OperationDefaults documents them as V11Schemas.Error.
            .WithErrorBody<object>("application/json", "application/xml");
        group.MapPost("/issue", Issue).WithName("v11IssueCoupon").WithSummary("Issue a coupon (or a batch) to a customer")
            .Describes(new V11BodyMetadata(V11Schemas.IssueRequest, V11Schemas.IssueResponse))
            .Query("user_id", "true to add the customer's user_id to the answer", ["true", "false"]);
        group.MapGet("/resend", Resend).WithName("v11ResendCoupon").WithSummary("Send a coupon again on its series' channels")
            .Describes(new V11BodyMetadata(null, V11Schemas.ResendResponse))
            .Query("id", "The coupon's id (or code)")
            .Query("code", "The coupon's code (or id)")
            .Query("mobile", "The customer's mobile")
            .Query("email", "The customer's email")
            .Query("external_id", "The customer's external id")
            .Query("user_id", "The customer's id");
        group.MapPost("/redeem", Redeem).WithName("v11RedeemCoupon").WithSummary("Redeem a coupon (or a batch, each on its own)")
            .Describes(new V11BodyMetadata(V11Schemas.RedeemRequest, V11Schemas.RedeemResponse))
            .Query("user_id", "true to add the customer's user_id to the answer", ["true", "false"]);
        group.MapGet("/get", Get).WithName("v11GetCoupon").WithSummary("Coupons by id or code, with their latest redemption")
            .Describes(new V11BodyMetadata(null, V11Schemas.GetResponse))
            .Query("id", "Coupon ids, comma separated (or code)")
            .Query("code", "Coupon codes, comma separated (or id)")
            .Query("user_id", "true to add the customer's user_id to the answer", ["true", "false"]);
        group.MapGet("/isredeemable", IsRedeemable).WithName("v11IsRedeemable").WithSummary("Whether a coupon could be redeemed now")
            .Describes(new V11BodyMetadata(null, V11Schemas.IsRedeemableResponse))
            .Query("code", "The coupon's code (or id)")
            .Query("id", "The coupon's id, when code is absent")
            .Query("user_id", "The customer's id")
            .Query("mobile", "The customer's mobile")
            .Query("email", "The customer's email")
            .Query("external_id", "The customer's external id")
            .Query("validation_code", "The coupon's validation code (pincode), when its series requires one")
            .Query("details", "true adds series_info; extended adds series_config too", ["true", "extended"])
            .Query("bill_amount", "A bill amount to check the coupon against, as redeem does; the answer then has its discount_amount");
        group.MapGet("/series", ListSeries).WithName("v11ListSeries").WithSummary("Coupon series, all or by id")
            .Describes(new V11BodyMetadata(null, V11Schemas.SeriesResponse))
            .Query("id", "Series ids, comma separated; all series when absent")
            .Query("expired", "true: only expired series; false: only current ones; else all", ["true", "false", "extended"]);
        return group;
    }

    static bool UserIdWanted(HttpRequest r) => string.Equals(r.Query["user_id"], "true", StringComparison.OrdinalIgnoreCase);

    static V11Result Malformed(string message) => V11Result.Error(StatusCodes.Status400BadRequest, Status.BadRequest, message);

    /// <summary>The root → coupon elements of an issue or redeem body (one, or a batch of up to 100), or the 400 saying why not.</summary>
    static async Task<(List<V11Node> Items, V11Result? Malformed)> CouponItemsAsync(HttpRequest request)
    {
        var read = await V11Request.ReadAsync(request);
        if (!read.Ok) return ([], V11Result.Error(read.HttpStatus, read.HttpStatus == 413 ? Status.InvalidInput : Status.BadRequest, read.Error));
        var items = read.Root.Children("coupon").ToList();
        if (items.Count == 0) return ([], Malformed("the request needs root → coupon"));
        if (items.Count > 100) return ([], Malformed("at most 100 coupons per request"));
        return (items, null);
    }

    // POST coupon/issue: one coupon, or a batch with `coupon` as an array.
    static async Task<V11Result> Issue(HttpRequest request, TillIdentity till, ICouponStore store)
    {
        var (items, malformed) = await CouponItemsAsync(request);
        if (malformed is not null) return malformed;
        var caller = till.Caller;
        var zone = TimeZones.FindOrUtc(caller.Org.TimeZone);
        var withUserId = UserIdWanted(request);
        var nodes = new List<V11Node>();
        var oks = new List<bool>();
        foreach (var item in items)
        {
            var (who, badMobile) = Identifiers.Normalise(V11Views.Customer(item.Child("customer")), caller.Org.DefaultCountry);
            Outcome outcome;
            V11Node node;
            if (badMobile is { } bad)
            {
                outcome = bad;
                node = V11Node.Obj("coupon").Add("code", "").Add(V11Views.CustomerNode(null, who, false));
            }
            else if (!long.TryParse(item.Value("series_id") ?? item.Value("id"), out var seriesId))
            {
                outcome = new Outcome(Status.InvalidSeries);
                node = V11Node.Obj("coupon").Add("code", "").Add(V11Views.CustomerNode(null, who, false));
            }
            else
            {
                var result = await store.IssueAsync(caller, seriesId, who);
                var issued = result.Coupons.FirstOrDefault();
                outcome = issued is null ? Status.V11View(result.Refusal) : Outcome.Success;
                node = V11Node.Obj("coupon")
                    .Add("code", issued?.Coupon.Code ?? "")
                    .Add("valid_till", V11Views.Date(issued?.Coupon.ValidTill, zone));
                if (issued is not null) node.Add("id", issued.Coupon.Id);
                if (result.Series is not null) node.Add(V11Views.SeriesInfo(result.Series, withId: true));
                node.Add(V11Views.CustomerNode(result.Customer, who, withUserId));
                if (issued is { Resent: true }) outcome = new Outcome(Status.Success, "Existing coupon resent");
                if (issued is not null && result.Series is { } sent && MessageTemplates.SendsNothing(sent))
                    outcome = new Outcome(Status.Success, $"{(issued.Resent ? "Existing coupon returned" : "Coupon issued")}; {MessageTemplates.NoMessage.Message}");
            }
            nodes.Add(node.Add(V11Views.ItemStatus(outcome)));
            oks.Add(outcome.Ok);
        }
        return V11Result.ForItems(oks, nodes);
    }

    // GET coupon/resend?id=|code=&<customer identifier>
    static async Task<V11Result> Resend(HttpRequest request, TillIdentity till, ICouponStore store)
    {
        var q = request.Query;
        long? id = long.TryParse(q["id"], out var n) ? n : null;
        var code = q["code"].FirstOrDefault();
        var (who, badMobile) = Identifiers.Normalise(V11Views.Customer(q), till.Caller.Org.DefaultCountry);
        var result = badMobile is { } bad ? bad : await store.ResendAsync(till.Caller, who, id, code);
        var node = V11Node.Obj("coupon");
        if (id is not null || result.Ok) node.Add("id", result.Value?.Coupon.Id ?? id);
        if (code is not null || result.Ok) node.Add("code", result.Value?.Coupon.Code ?? code);
        node.Add(V11Views.ItemStatus(result.Outcome, successMessage: "Coupon Resent"));
        return V11Result.ForItems([result.Ok], V11Node.Obj("coupons", node));
    }

    // POST coupon/redeem
    /// <summary>A till or customer locked out for guessing codes: 429 with Retry-After.</summary>
    static V11Result LockedOut(HttpContext http, TimeSpan wait)
    {
        http.Response.Headers.RetryAfter = CodeGuessGuard.Seconds(wait).ToString(CultureInfo.InvariantCulture);
        var refusal = CodeGuessGuard.Refusal(wait);
        return V11Result.Error(StatusCodes.Status429TooManyRequests, refusal.Code, refusal.Message);
    }

    static async Task<V11Result> Redeem(HttpRequest request, TillIdentity till, ICouponStore store, CodeGuessGuard guard)
    {
        var (items, malformed) = await CouponItemsAsync(request);
        if (malformed is not null) return malformed;
        var caller = till.Caller;
        if (guard.LockedFor(caller) is { } tillWait) return LockedOut(request.HttpContext, tillWait);
        var zone = TimeZones.FindOrUtc(caller.Org.TimeZone);
        var withUserId = UserIdWanted(request);
        var nodes = new List<V11Node>();
        var oks = new List<bool>();
        foreach (var item in items)
        {
            var (who, badMobile) = Identifiers.Normalise(V11Views.Customer(item.Child("customer")), caller.Org.DefaultCountry);
            var (redeem, invalid) = RedeemRequestOf(item, zone);
            invalid ??= badMobile;
            RedeemItemResult? result = null;
            Customer? customer = null;
            var outcome = invalid ?? Outcome.Success;
            if (invalid is null && guard.LockedFor(caller, who) is { } wait) outcome = CodeGuessGuard.Refusal(wait);
            else if (invalid is null)
            {
                var answer = await store.RedeemAsync(caller, who, [redeem], allOrNothing: false);
                result = answer.Items[0];
                customer = answer.Customer;
                outcome = result.Outcome;
                guard.Record(caller, who, CodeGuessGuard.IsGuess(outcome) ? 1 : 0);
            }
            var node = V11Node.Obj("coupon")
                .Add("code", result?.Coupon?.Code ?? redeem.Code)
                .Add(V11Views.CustomerNode(customer, who, withUserId))
                .Add(V11Node.Obj("transaction").Add("number", redeem.TransactionNumber).Add("amount", redeem.BillAmount))
                .Add("discount_code", result?.Series?.DiscountCode)
                .Add("series_code", result?.Series?.SeriesCode)
                .Add("is_absolute", result?.Series is { } s ? V11Views.IsAbsolute(s) : null)
                .Add("coupon_value", result?.Series?.DiscountValue);
            if (result?.Discount is { } off) node.Add("discount_amount", off);
            if (result?.RedemptionId is { } rid) node.Add("redemption_id", rid);
            // The spec's example answers a successful redemption with item code 200 "SUCCESS".
            node.Add(outcome.Ok
                ? V11Node.Obj("item_status").Add("success", true).Add("code", 200).Add("message", "SUCCESS")
                : V11Views.ItemStatus(outcome));
            nodes.Add(node);
            oks.Add(outcome.Ok);
        }
        return V11Result.ForItems(oks, V11Node.Obj("coupons", nodes));
    }

    /// <summary>Reads one redemption from a coupon element: the coupon is named by its code, or else by its id.</summary>
    static (RedeemRequest, Outcome?) RedeemRequestOf(V11Node item, TimeZoneInfo zone)
    {
        var code = item.NonEmpty("code");
        long? couponId = code is null && long.TryParse(item.Value("id"), out var id) ? id : null;
        var tx = item.Child("transaction");
        var amountText = tx?.NonEmpty("amount");
        decimal? amount = null;
        var request = new RedeemRequest
        {
            Code = code ?? item.Value("code") ?? "",
            CouponId = couponId,
            ValidationCode = item.NonEmpty("validation_code"),
            TransactionNumber = tx?.NonEmpty("number"),
            CustomFields = CustomFields(item.Child("custom_fields")),
        };
        if (code is null && couponId is null) return (request, new Outcome(Status.InvalidCode));
        if (amountText is not null)
        {
            if (!decimal.TryParse(amountText, NumberStyles.Number, CultureInfo.InvariantCulture, out var a) || a > RedeemRules.MaxBillAmount)
                return (request, new Outcome(Status.InvalidTransactionAmount));
            amount = a;
        }
        DateTimeOffset? at = null;
        if (item.NonEmpty("redemption_time") is { } when)
        {
            if (!DateTime.TryParse(when, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
                return (request, new Outcome(Status.RedemptionDateInvalid));
            at = new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone.GetUtcOffset(local)).ToUniversalTime();
        }
        return (request with { BillAmount = amount, RedemptionTime = at }, null);
    }

    static string? CustomFields(V11Node? node)
    {
        if (node is null) return null;
        var fields = node.Children("field").Select(f => new { name = f.Value("name"), value = f.Value("value") }).ToList();
        return fields.Count == 0 ? null : JsonSerializer.Serialize(fields);
    }

    // GET coupon/get?id=1,2|code=A,B
    static async Task<V11Result> Get(HttpRequest request, TillIdentity till, ICouponStore store, CodeGuessGuard guard)
    {
        var ids = Split(request.Query["id"]);
        var codes = Split(request.Query["code"]);
        if (ids.Count == 0 && codes.Count == 0) return V11Result.Error(400, Status.EitherIdOrCode, Status.Message(Status.EitherIdOrCode));
        if (ids.Count + codes.Count > 100) return Malformed("at most 100 ids and codes per request");
        var numericIds = ids.Select(s => long.TryParse(s, out var n) ? n : -1).ToList();
        var caller = till.Caller;
        if (codes.Count > 0 && guard.LockedFor(caller) is { } wait) return LockedOut(request.HttpContext, wait);
        var zone = TimeZones.FindOrUtc(caller.Org.TimeZone);
        var found = await store.GetCouponsAsync(caller.OrgId, numericIds.Where(n => n > 0).ToList(), codes);
        guard.Record(caller, null, codes.Count(c => !found.Any(d => d.Coupon.IsIssued && CodeGenerator.Normalize(d.Coupon.Code) == CodeGenerator.Normalize(c))));
        var nodes = new List<V11Node>();
        var oks = new List<bool>();
        foreach (var (asked, isId) in ids.Select(i => (i, true)).Concat(codes.Select(c => (c, false))))
        {
            var match = isId
                ? found.FirstOrDefault(d => d.Coupon.Id.ToString(CultureInfo.InvariantCulture) == asked)
                : found.FirstOrDefault(d => CodeGenerator.Normalize(d.Coupon.Code) == CodeGenerator.Normalize(asked) && d.Coupon.IsIssued);
            if (match is null)
            {
                nodes.Add(V11Node.Obj("coupon").Add(isId ? "id" : "code", asked).Add(V11Views.ItemStatus(new Outcome(Status.InvalidCode), "status")));
                oks.Add(false);
            }
            else
            {
                nodes.Add(V11Views.CouponDetail(match, zone, UserIdWanted(request)));
                oks.Add(true);
            }
        }
        return V11Result.ForItems(oks, V11Node.Obj("coupons", nodes));
    }

    static List<string> Split(Microsoft.Extensions.Primitives.StringValues v) =>
        v.SelectMany(s => (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();

    // GET coupon/isredeemable?<customer identifier>&code=…&details=true|extended
    static async Task<V11Result> IsRedeemable(HttpRequest request, TillIdentity till, ICouponStore store, CodeGuessGuard guard)
    {
        var q = request.Query;
        var caller = till.Caller;
        var (who, badMobile) = Identifiers.Normalise(V11Views.Customer(q), caller.Org.DefaultCountry);
        if (badMobile is { } bad) return V11Result.Error(400, bad.Code, bad.Message);
        if (guard.LockedFor(caller, who) is { } wait) return LockedOut(request.HttpContext, wait);
        var code = q["code"].FirstOrDefault()?.Trim();
        long? couponId = string.IsNullOrEmpty(code) && long.TryParse(q["id"], out var id) ? id : null;
        if (string.IsNullOrEmpty(code) && couponId is null) return V11Result.Error(400, Status.EitherIdOrCode, Status.Message(Status.EitherIdOrCode));
        // Our bill_amount (the spec's isredeemable takes none): the bill is checked as redeem checks it, and its discount answered.
        decimal? bill = null;
        if (q["bill_amount"].FirstOrDefault() is { Length: > 0 } billText)
        {
            if (!decimal.TryParse(billText, NumberStyles.Number, CultureInfo.InvariantCulture, out var b) || b < 0 || b > RedeemRules.MaxBillAmount)
                return V11Result.Error(400, Status.InvalidTransactionAmount, $"{Status.Message(Status.InvalidTransactionAmount)}: bill_amount");
            bill = b;
        }
        var result = await store.CheckRedeemableAsync(caller, who,
            [new RedeemRequest { Code = code ?? "", CouponId = couponId, ValidationCode = q["validation_code"].FirstOrDefault(), BillAmount = bill }]);
        var item = result.Items[0];
        guard.Record(caller, who, CodeGuessGuard.IsGuess(item.Outcome) ? 1 : 0);
        var node = V11Node.Obj("redeemable");
        if (who.Mobile is not null) node.Add("mobile", who.Mobile);
        if (who.Email is not null) node.Add("email", who.Email);
        if (who.ExternalId is not null) node.Add("external_id", who.ExternalId);
        node.Add("code", item.Coupon?.Code ?? code)
            .Add("is_redeemable", item.Outcome.Ok);
        if (item.Discount is { } off) node.Add("discount_amount", off);
        node
            .Add(V11Node.Obj("item_status").Add("status", true).Add("code", item.Outcome.Code)
                .Add("message", item.Outcome.Ok ? "Coupon isRedeem successful" : item.Outcome.Message));
        var details = q["details"].FirstOrDefault()?.ToLowerInvariant();
        if (item.Series is { } s && details is "true" or "extended")
            node.Add(V11Views.SeriesInfo(s, withId: false));
        if (item.Series is { } x && details == "extended")
            node.Add(V11Views.SeriesItem(x, TimeZones.FindOrUtc(caller.Org.TimeZone), "series_config"));
        return V11Result.Ok(V11Node.Obj("coupons", node));
    }

    // GET coupon/series?id=&expired=true|false|extended
    static async Task<V11Result> ListSeries(HttpRequest request, TillIdentity till, ICouponStore store)
    {
        var caller = till.Caller;
        var zone = TimeZones.FindOrUtc(caller.Org.TimeZone);
        var expired = request.Query["expired"].FirstOrDefault()?.ToLowerInvariant();
        var ids = Split(request.Query["id"]);
        var now = request.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var nodes = new List<V11Node>();
        var oks = new List<bool>();
        if (ids.Count > 0)
        {
            foreach (var id in ids)
            {
                var s = long.TryParse(id, out var n) ? await store.GetSeriesAsync(caller.OrgId, n) : null;
                nodes.Add(s is null
                    ? V11Node.Obj("item").Add("id", id).Add(V11Views.ItemStatus(new Outcome(Status.InvalidSeries)))
                    : V11Views.SeriesItem(s, zone).Add(V11Views.ItemStatus(Outcome.Success, successMessage: "Coupon Series Found")));
                oks.Add(s is not null);
            }
        }
        else
        {
            for (var offset = 0; ; offset += 500)
            {
                var page = await store.ListSeriesAsync(caller.OrgId, offset, 500);
                foreach (var s in page)
                {
                    var isExpired = IssueRules.IsSeriesExpired(s, now);
                    if ((expired == "true" && !isExpired) || (expired == "false" && isExpired)) continue;
                    nodes.Add(V11Views.SeriesItem(s, zone).Add(V11Views.ItemStatus(Outcome.Success, successMessage: "Coupon Series Found")));
                    oks.Add(true);
                }
                if (page.Count < 500) break;
            }
        }
        return V11Result.ForItems(oks, V11Node.Obj("series", V11Node.Obj("items", nodes)));
    }
}
