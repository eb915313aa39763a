using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Coupons.Core;
using Coupons.Server.Auth;
using Coupons.Server.Formats;
using Coupons.Server.OpenApi;
using Coupons.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Coupons.Server.V2;

/// <summary>The v2 coupon endpoints a till uses: issue/multiple, a customer's coupons, bulk redeem, is_redeemable, reverse,
/// amending a redemption. Any role.</summary>
public static class CouponsApi
{
    public const int MaxIssueCount = 500;
    public const int MaxSeriesPerIssue = 20;
    public const int MaxBatch = 100;

    public static RouteGroupBuilder MapCouponsV2(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v2").WithTags("v2: coupons")
            .RequireAuthorization(TillAuth.Till).RequireRateLimiting(TillRateLimit.Policy)
            .WithErrorBody<ErrorEnvelope>();
        group.MapPost("/coupon/issue/multiple", IssueMultiple)
            .WithName("issueMultiple").WithSummary("Issue coupons of one or more series to one customer").Refuses(404)
            .MayAnswer<IssueMultipleResponse>(400);
        group.MapGet("/customers/{customerId}/coupons", CustomerCoupons).AddEndpointFilter(FewListingsAtOnceAsync)
            .WithName("getCustomerCoupons").WithSummary("A customer's coupons, newest first, each with its series");
        group.MapPost("/coupon/bulk/redeem", BulkRedeem).WithName("bulkRedeem").WithSummary("Redeem up to 100 coupons at once, all or nothing")
            .MayAnswer<BulkRedeemResponse>(400);
        group.MapGet("/coupon/is_redeemable", IsRedeemable).WithName("isRedeemable").WithSummary("Whether up to 100 coupons could be redeemed now");
        group.MapPost("/coupon/redemption/reverse", Reverse).WithName("reverseRedemptions").WithSummary("Reverse redemptions, all or nothing");
        group.MapPut("/coupon/redeem", AmendRedemption)
            .WithName("amendRedemption").WithSummary("Attach a transaction number, bill amount or custom fields to an earlier redemption");
        return group;
    }

    // ---- issue/multiple --------------------------------------------------------------------

    static async Task<Results<Ok<IssueMultipleResponse>, JsonHttpResult<IssueMultipleResponse>, JsonHttpResult<ErrorEnvelope>>> IssueMultiple(
        IssueMultipleRequest body, HttpContext http, TillIdentity till, ICouponStore store)
    {
        var (seriesIds, invalid) = ParseSeriesIds(body.SeriesId ?? body.SeriesIds);
        if (invalid is { } refused) return V2Envelope.Error(400, refused);
        var count = body.Count ?? 1;
        // The spec's own example answers a count of 0 or less with 756; its 677 says "Minimum 1 and Maximum 500".
        if (count < 1) return V2Envelope.Error(400, Status.InvalidMutualExclusion, "count should be greater than 0");
        if (count > MaxIssueCount) return V2Envelope.Error(400, Status.InvalidCount);
        var who = body.Customer?.ToRef();
        if (who is null || who.IsEmpty)
            return V2Envelope.Error(400, Status.CustomerNotFound, "customer needs one of mobile, email, externalId or id");
        (who, var badMobile) = Identifiers.Normalise(who, till.Caller.Org.DefaultCountry);
        if (badMobile is { } bad) return V2Envelope.Error(400, bad);
        if (MetadataProblem(body.Metadata) is { } problem) return V2Envelope.Error(400, Status.BadRequest, problem);
        var metadata = body.Metadata is null ? null : JsonSerializer.Serialize(body.Metadata, CouponJson.Options);

        var caller = till.Caller;
        var results = new List<IssueResult>();
        // Hundreds of coupons in one request: as for listings, a few such requests at once keep the cores busy, and
        // more only hold more rows in memory together.
        var gate = count > 10 ? LargeIssues : null;
        if (gate is not null) await gate.WaitAsync(http.RequestAborted);
        try
        {
            // One transaction per series: a refusal in one series does not undo the coupons of another.
            foreach (var id in seriesIds) results.Add(await store.IssueAsync(caller, id, who, (int)count, metadata));
        }
        finally
        {
            gate?.Release();
        }

        var coupons = results.SelectMany(r => r.Coupons).Select(c => new IssuedCode(c.Coupon.Code, c.Coupon.Id)).ToList();
        var refusals = results.Where(r => !r.Refusal.Ok).Select(IssueError).ToList();
        if (coupons.Count == 0 && refusals.FirstOrDefault(o => !IsPartialIssueCode(o.Code)) is { Code: not 0 } hard)
        {
            var errors = refusals.Where(o => !IsPartialIssueCode(o.Code)).Select(StatusItem.Of).ToList();
            return TypedResults.Json(new ErrorEnvelope(errors, []), statusCode: hard.Code == Status.CustomerNotFound ? 404 : 400);
        }
        var series = results.Select(r => r.Series).FirstOrDefault(s => s is not null);
        var customer = results.Select(r => r.Customer).FirstOrDefault(c => c is not null);
        var total = results.Sum(r => r.Requested);
        // Coupons of a series with no message text are issued, but the caller must not tell the customer one is coming.
        var silent = results.Where(r => r.Coupons.Count > 0 && r.Series is { } s && MessageTemplates.SendsNothing(s))
            .Select(r => StatusItem.Of(MessageTemplates.NoMessage with { Detail = $"series {r.Series!.Id}: {MessageTemplates.NoMessage.Message}" })).ToList();
        // A partial success also carries the spec's warning code of each partial refusal (679/5004, 626/5001, …);
        // the error codes stay in errors, where the spec's examples put them.
        var partial = coupons.Count == 0 ? [] : refusals.Where(o => PartialWarning(o.Code) != 0)
            .Select(o => new StatusItem(false, PartialWarning(o.Code), o.Detail ?? Status.V2Message(o.Code)));
        var answer = new IssueMultipleResponse(
            coupons, series is null ? null : CouponConfig.From(series), total, total - coupons.Count, coupons.Count,
            customer is null ? null : CustomerView.From(customer), refusals.Select(StatusItem.Of).ToList(), [.. partial, .. silent]);
        return coupons.Count > 0 ? TypedResults.Ok(answer) : TypedResults.Json(answer, statusCode: 400);
    }

    /// <summary>The spec's warning codes for a partial issue; an expired series is 713 in this endpoint's table; every other refusal keeps its own code.</summary>
    static Outcome IssueError(IssueResult r) => r.Refusal.Code switch
    {
        Status.MaxCreateReached => new Outcome(r.Series?.Kind == SeriesKind.Uploaded ? Status.QueueEmpty : Status.PartialIssue),
        Status.SeriesExpired => new Outcome(Status.CouponExpired, Status.V2Message(Status.CouponExpired)),
        _ => r.Refusal,
    };

    /// <summary>The "warning code" column of the spec's table for each partial-success error code; 0 for none.</summary>
    static int PartialWarning(int code) => code switch
    {
        Status.OnlyOneCoupon => 679,
        Status.MaxSeriesReached => 626,
        Status.MaxCouponsPerUser => 621,
        Status.QueueEmpty => 702,
        Status.PartialIssue => 678,
        _ => 0,
    };

    static bool IsPartialIssueCode(int code) =>
        code is Status.OnlyOneCoupon or Status.MaxCouponsPerUser or Status.QueueEmpty or Status.PartialIssue or Status.MaxSeriesReached;

    static (long[] Ids, Outcome? Error) ParseSeriesIds(JsonElement? element)
    {
        var mandatory = new Outcome(Status.InvalidMutualExclusion, "seriesId is mandatory to set");
        if (element is not { } e || e.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return ([], mandatory);
        var items = e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().ToList() : [e];
        if (items.Count == 0) return ([], mandatory);
        if (items.Count > MaxSeriesPerIssue) return ([], new Outcome(Status.InvalidInput, $"at most {MaxSeriesPerIssue} series per request"));
        var ids = new List<long>();
        foreach (var item in items)
        {
            long id = 0;
            var ok = item.ValueKind == JsonValueKind.Number ? item.TryGetInt64(out id)
                : item.ValueKind == JsonValueKind.String && long.TryParse(item.GetString(), out id);
            if (!ok) return ([], new Outcome(Status.InvalidSeries));
            if (!ids.Contains(id)) ids.Add(id);
        }
        return (ids.ToArray(), null);
    }

    static string? MetadataProblem(IssueMetadata? m)
    {
        if (m is null) return null;
        foreach (var (name, value, max) in new[]
                 {
                     ("sourceType", m.SourceType, 50), ("sourceId", m.SourceId, 50), ("sourceActivity", m.SourceActivity, 50),
                     ("notes", m.Notes, 250), ("reason", m.Reason, 250),
                 })
            if (value is not null && value.Length > max) return $"metadata.{name} is at most {max} characters";
        return null;
    }

    // ---- customers/{customerId}/coupons -----------------------------------------------------

    // A customer may hold thousands of coupons, each written with its whole series: one answer is megabytes of
    // objects while it is built and written. Building it is CPU work, so running more at once than there are cores
    // gains nothing; past that, a listing waits its turn, and 64 listings at once no longer hold 64 answers in memory
    // together (the server stayed over 300 MB with them).
    static readonly SemaphoreSlim Listings = new(Math.Max(2, Environment.ProcessorCount * 2));
    static readonly SemaphoreSlim LargeIssues = new(Math.Max(4, Environment.ProcessorCount * 4));

    static async ValueTask<object?> FewListingsAtOnceAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        await Listings.WaitAsync(context.HttpContext.RequestAborted);
        try
        {
            // The answer is written inside the gate: writing it is most of the memory and of the work.
            var result = await next(context);
            if (result is not IResult answer) return result;
            await answer.ExecuteAsync(context.HttpContext);
            return Results.Empty;
        }
        finally
        {
            Listings.Release();
        }
    }

    static async Task<Results<Ok<CustomerCouponsResponse>, JsonHttpResult<ErrorEnvelope>>> CustomerCoupons(
        [DocumentedAs(typeof(long), "The customer's id: a positive integer (anything else answers 400 INVALID_CUSTOMER_ID)")] string customerId,
        TillIdentity till, ICouponStore store,
        [FromQuery(Name = "coupon_code_case"), AllowedValues("LOWER", "UPPER", "AS_IT_IS")] string? codeCaseName)
    {
        if (!long.TryParse(customerId, System.Globalization.NumberStyles.None, null, out var id) || id <= 0)
            return V2Envelope.Error(400, Status.BadRequest, "INVALID_CUSTOMER_ID: customerId must be a positive integer");
        CodeCase? codeCase = codeCaseName?.Trim().ToUpperInvariant() switch
        {
            null or "" or "UPPER" => CodeCase.Upper,
            "LOWER" => CodeCase.Lower,
            "AS_IT_IS" => CodeCase.AsItIs,
            _ => null,
        };
        if (codeCase is null) return V2Envelope.Error(400, Status.BadRequest, "coupon_code_case must be LOWER, UPPER or AS_IT_IS");

        var orgId = till.Caller.OrgId;
        var coupons = await store.ListCustomerCouponsAsync(orgId, id);
        if (coupons.Count == 0)
        {
            // Only an empty list needs to know whether the customer exists: coupons are found by org and customer.
            return await store.GetCustomerAsync(orgId, id) is null
                ? V2Envelope.Error(404, Status.CustomerNotFound, "CUSTOMER_NOT_FOUND: no customer exists with this customerId")
                : V2Envelope.Error(404, Status.NotFound, "NO_COUPONS_FOUND: the customer has no coupons");
        }
        return TypedResults.Ok(new CustomerCouponsResponse(coupons.Select(d => CustomerCouponView.From(d, codeCase.Value)).ToList(), [], [], true));
    }

    // ---- bulk/redeem -----------------------------------------------------------------------

    /// <summary>A till or customer locked out for guessing codes: 429 with Retry-After.</summary>
    static JsonHttpResult<ErrorEnvelope> LockedOut(HttpContext http, TimeSpan wait)
    {
        http.Response.Headers.RetryAfter = CodeGuessGuard.Seconds(wait).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return V2Envelope.Error(StatusCodes.Status429TooManyRequests, CodeGuessGuard.Refusal(wait));
    }

    static async Task<Results<Ok<BulkRedeemResponse>, JsonHttpResult<BulkRedeemResponse>, JsonHttpResult<ErrorEnvelope>>> BulkRedeem(
        BulkRedeemRequest body, HttpContext http, TillIdentity till, ICouponStore store, CodeGuessGuard guard)
    {
        var list = body.RedemptionRequestList;
        if (list is null || list.Count == 0) return V2Envelope.Error(400, Status.InvalidInput, "redemptionRequestList must hold 1 to 100 codes");
        if (list.Count > MaxBatch) return V2Envelope.Error(400, Status.InvalidInput);
        if (list.Any(i => string.IsNullOrWhiteSpace(i?.Code))) return V2Envelope.Error(400, Status.InvalidInput, "every item of redemptionRequestList needs a code");
        if (body.BillAmount is < 0 or > RedeemRules.MaxBillAmount) return V2Envelope.Error(400, Status.InvalidTransactionAmount);
        var items = list.Select(i => new RedeemRequest
        {
            Code = i.Code!.Trim(),
            ValidationCode = i.ValidationCode,
            TransactionNumber = body.TransactionNumber,
            BillAmount = body.BillAmount,
            RedemptionTime = body.RedemptionTime,
        }).ToList();

        var caller = till.Caller;
        var (who, badMobile) = Identifiers.Normalise(body.User?.ToRef() ?? new CustomerRef(), caller.Org.DefaultCountry);
        if (badMobile is { } bad) return V2Envelope.Error(400, bad);
        if (guard.LockedFor(caller, who) is { } wait) return LockedOut(http, wait);
        var result = await store.RedeemAsync(caller, who, items, allOrNothing: true);
        guard.Record(caller, who, result.Items.Count(i => CodeGuessGuard.IsGuess(i.Outcome)));
        var answers = result.Items.Select(i => new RedemptionItemResponse(
            i.Request.Code, i.Outcome.Ok, i.RedemptionId, i.Outcome.Ok ? [] : [StatusItem.Of(i.Outcome)], i.Discount)).ToList();
        if (result.AllOk) return TypedResults.Ok(new BulkRedeemResponse(answers, [], []));
        // The batch failed because of the items that are not 749; those are the reasons worth repeating at the top.
        var reasons = result.Items.Where(i => !i.Outcome.Ok && i.Outcome.Code != Status.FailedBecauseOfOthers)
            .Select(i => StatusItem.Of(i.Outcome)).Distinct().ToList();
        return TypedResults.Json(new BulkRedeemResponse(answers, [], reasons), statusCode: 400);
    }

    // ---- is_redeemable ---------------------------------------------------------------------

    static async Task<Results<Ok<IsRedeemableResponse>, JsonHttpResult<ErrorEnvelope>>> IsRedeemable(
        HttpContext http, TillIdentity till, ICouponStore store, CodeGuessGuard guard, string? mobile, string? email, string? externalId, string? id, string[]? code,
        string? details, string? transactionNumber, decimal? billAmount)
    {
        long? customerId = null;
        if (!string.IsNullOrWhiteSpace(id))
        {
            if (!long.TryParse(id, out var n)) return V2Envelope.Error(400, Status.BadRequest, "id must be a customer id");
            customerId = n;
        }
        var codes = (code ?? []).SelectMany(c => c.Split(',')).Select(c => c.Trim()).Where(c => c.Length > 0).Distinct().ToList();
        if (codes.Count is 0 or > MaxBatch) return V2Envelope.Error(400, Status.InvalidInput, "code must name 1 to 100 coupon codes, comma separated");
        var withSeries = details?.Trim().ToLowerInvariant() is "true" or "extended";

        var caller = till.Caller;
        var (who, badMobile) = Identifiers.Normalise(new CustomerInput(mobile, email, externalId, customerId).ToRef(), caller.Org.DefaultCountry);
        if (badMobile is { } bad) return V2Envelope.Error(400, bad);
        var items = codes.Select(c => new RedeemRequest { Code = c, TransactionNumber = transactionNumber, BillAmount = billAmount }).ToList();
        if (guard.LockedFor(caller, who) is { } wait) return LockedOut(http, wait);
        var result = await store.CheckRedeemableAsync(caller, who, items);
        guard.Record(caller, who, result.Items.Count(i => CodeGuessGuard.IsGuess(i.Outcome)));
        var answers = result.Items.Select(i => new RedeemableItem(
            i.Request.Code, i.Outcome.Ok, i.Outcome.Ok ? [] : [StatusItem.Of(i.Outcome)], withSeries ? i.Series : null, i.Discount)).ToList();
        return TypedResults.Ok(new IsRedeemableResponse(answers, [], []));
    }

    // ---- redemption/reverse ----------------------------------------------------------------

    static async Task<Results<Ok<ReverseResponse>, JsonHttpResult<ErrorEnvelope>>> Reverse(ReverseRequest body, TillIdentity till, ICouponStore store)
    {
        var ids = body.RedemptionIds?.Distinct().ToList() ?? [];
        if (ids.Count == 0) return V2Envelope.Error(400, Status.NoRedemptionIds);
        if (ids.Count > MaxBatch) return V2Envelope.Error(400, Status.InvalidInput, "at most 100 redemption ids per request");
        var result = await store.ReverseAsync(till.Caller, ids);
        return result.Ok ? TypedResults.Ok(new ReverseResponse(true, ids, [], [], result.Value!)) : V2Envelope.Error(400, result.Outcome);
    }

    // ---- PUT coupon/redeem -----------------------------------------------------------------

    public const int MaxCustomFields = 50;

    static async Task<Results<Ok<AmendRedemptionResponse>, JsonHttpResult<ErrorEnvelope>>> AmendRedemption(
        AmendRedemptionRequest body, TillIdentity till, ICouponStore store)
    {
        if (body.RedemptionId is not { } id) return V2Envelope.Error(400, Status.NoRedemptionIds, "redemptionId is required");
        if (body.TransactionNumber is { Length: > 100 }) return V2Envelope.Error(400, Status.BadRequest, "transactionNumber is at most 100 characters");
        if (body.BillAmount is < 0 or > RedeemRules.MaxBillAmount) return V2Envelope.Error(400, Status.InvalidTransactionAmount);
        var (fields, problem) = ParseCustomFields(body.CustomFields);
        if (problem is not null) return V2Envelope.Error(400, Status.BadRequest, problem);
        if (body.TransactionNumber is null && body.BillAmount is null && fields.Count == 0)
            return V2Envelope.Error(400, Status.BadRequest, "give at least one of transactionNumber, billAmount, customFields");

        var result = await store.AmendRedemptionAsync(till.Caller, id, body.TransactionNumber?.Trim(), body.BillAmount, fields);
        if (!result.Ok) return V2Envelope.Error(400, result.Outcome);
        var r = result.Value!.Redemption;
        var custom = new Dictionary<string, string?>();
        foreach (var f in CustomFields.Parse(r.CustomFields)) custom[f.Name] = f.Value;
        return TypedResults.Ok(new AmendRedemptionResponse(r.Id, result.Value.Code, r.TransactionNumber, r.BillAmount, custom, [], [], r.DiscountAmount));
    }

    static (List<CustomFields.Field> Fields, string? Problem) ParseCustomFields(JsonElement? element)
    {
        var fields = new List<CustomFields.Field>();
        if (element is not { } e || e.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return (fields, null);
        static string? Scalar(JsonElement v) => v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
            JsonValueKind.Null => null,
            _ => throw new FormatException(),
        };
        try
        {
            if (e.ValueKind == JsonValueKind.Object)
                foreach (var p in e.EnumerateObject()) fields.Add(new(p.Name, Scalar(p.Value)));
            else if (e.ValueKind == JsonValueKind.Array)
                foreach (var item in e.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("name", out var n) || n.ValueKind != JsonValueKind.String)
                        return ([], "each customFields item needs a name");
                    fields.Add(new(n.GetString()!, item.TryGetProperty("value", out var v) ? Scalar(v) : null));
                }
            else return ([], "customFields must be an object of name → value, or a list of {name, value}");
        }
        catch (FormatException)
        {
            return ([], "a custom field's value must be a string, number or boolean");
        }
        if (fields.Count > MaxCustomFields) return ([], $"at most {MaxCustomFields} custom fields");
        if (fields.Any(f => f.Name.Trim().Length is 0 or > 100 || f.Value is { Length: > 1000 }))
            return ([], "a custom field's name is 1-100 characters and its value at most 1000");
        return (fields.Select(f => f with { Name = f.Name.Trim() }).ToList(), null);
    }
}
