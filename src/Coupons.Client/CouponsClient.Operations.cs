using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Coupons.Client;

public sealed partial class CouponsClient
{
    // ---- v2 coupons ----------------------------------------------------------------------

    /// <summary>Issues <paramref name="count"/> coupons of each series to a customer (POST /v2/coupon/issue/multiple).</summary>
    public Task<IssueResult> IssueAsync(CustomerRef customer, IReadOnlyList<long> seriesIds, int count = 1, CancellationToken ct = default) =>
        CallAsync(HttpMethod.Post, "/v2/coupon/issue/multiple",
            Json(new IssueBody([.. seriesIds], count, CustomerInput.Of(customer)!), ClientJson.Default.IssueBody), ClientJson.Default.IssueResult, ct);

    /// <summary>A customer's coupons, newest first; empty when they hold none. An unknown customer throws (404, code 701).</summary>
    public async Task<IReadOnlyList<CustomerCoupon>> GetCustomerCouponsAsync(long customerId, CancellationToken ct = default)
    {
        try
        {
            return (await CallAsync(HttpMethod.Get, $"/v2/customers/{customerId}/coupons", null, ClientJson.Default.CustomerCouponsAnswer, ct)).Entity;
        }
        catch (CouponsNotFoundException e) when (e.Code == 404)
        {
            return [];
        }
    }

    /// <summary>Redeems every code or none (POST /v2/coupon/bulk/redeem). A refusal throws, its Body listing each code's fate.</summary>
    public Task<BulkRedeemResult> BulkRedeemAsync(
        IReadOnlyList<RedeemItem> items, CustomerRef? customer = null, string? transactionNumber = null, decimal? billAmount = null, CancellationToken ct = default) =>
        CallAsync(HttpMethod.Post, "/v2/coupon/bulk/redeem",
            Json(new BulkRedeemBody(items, transactionNumber, billAmount, CustomerInput.Of(customer)), ClientJson.Default.BulkRedeemBody),
            ClientJson.Default.BulkRedeemResult, ct);

    /// <summary>Whether each code could be redeemed now by this customer (GET /v2/coupon/is_redeemable).</summary>
    public async Task<IReadOnlyList<Redeemability>> IsRedeemableAsync(
        IReadOnlyList<string> codes, CustomerRef? customer = null, bool withSeries = false, CancellationToken ct = default)
    {
        var query = new StringBuilder("/v2/coupon/is_redeemable?code=").Append(Q(string.Join(',', codes)));
        if (customer?.Mobile is { } m) query.Append("&mobile=").Append(Q(m));
        if (customer?.Email is { } e) query.Append("&email=").Append(Q(e));
        if (customer?.ExternalId is { } x) query.Append("&externalId=").Append(Q(x));
        if (customer?.Id is { } id) query.Append("&id=").Append(id.ToString(CultureInfo.InvariantCulture));
        if (withSeries) query.Append("&details=true");
        return (await CallAsync(HttpMethod.Get, query.ToString(), null, ClientJson.Default.RedeemabilityAnswer, ct)).Coupons;
    }

    /// <summary>Reverses redemptions, all or none (POST /v2/coupon/redemption/reverse).</summary>
    public Task<ReverseResult> ReverseAsync(IReadOnlyList<long> redemptionIds, CancellationToken ct = default) =>
        CallAsync(HttpMethod.Post, "/v2/coupon/redemption/reverse", Json(new ReverseBody(redemptionIds), ClientJson.Default.ReverseBody),
            ClientJson.Default.ReverseResult, ct);

    /// <summary>Attaches a transaction number, bill amount or custom fields to a redemption (PUT /v2/coupon/redeem).</summary>
    public Task<AmendResult> AmendRedemptionAsync(
        long redemptionId, string? transactionNumber = null, decimal? billAmount = null, IReadOnlyDictionary<string, string?>? customFields = null,
        CancellationToken ct = default) =>
        CallAsync(HttpMethod.Put, "/v2/coupon/redeem", Json(new AmendBody(redemptionId, transactionNumber, billAmount, customFields), ClientJson.Default.AmendBody),
            ClientJson.Default.AmendResult, ct);

    // ---- admin ---------------------------------------------------------------------------

    public Task<Store> CreateStoreAsync(string code, string name, CancellationToken ct = default) =>
        CallAsync(HttpMethod.Post, "/v2/stores", Json(new CreateStoreBody(code, name), ClientJson.Default.CreateStoreBody), ClientJson.Default.Store, ct);

    public async Task<IReadOnlyList<Store>> ListStoresAsync(CancellationToken ct = default) =>
        (await CallAsync(HttpMethod.Get, "/v2/stores", null, ClientJson.Default.StoreList, ct)).Stores;

    public Task<Till> CreateTillAsync(string code, string password, string storeCode, string role = "till", CancellationToken ct = default) =>
        CallAsync(HttpMethod.Post, "/v2/tills", Json(new CreateTillBody(code, password, storeCode, role), ClientJson.Default.CreateTillBody), ClientJson.Default.Till, ct);

    public async Task<IReadOnlyList<Till>> ListTillsAsync(CancellationToken ct = default) =>
        (await CallAsync(HttpMethod.Get, "/v2/tills", null, ClientJson.Default.TillList, ct)).Tills;

    /// <summary>Creates a customer; answers its id. A taken identifier throws <see cref="CouponsConflictException"/>.</summary>
    public async Task<long> CreateCustomerAsync(NewCustomer customer, CancellationToken ct = default)
    {
        var identifiers = new List<IdentifierInput>();
        if (customer.Mobile is not null) identifiers.Add(new("mobile", customer.Mobile));
        if (customer.Email is not null) identifiers.Add(new("email", customer.Email));
        if (customer.ExternalId is not null) identifiers.Add(new("externalId", customer.ExternalId));
        var body = new CreateCustomerBody([new ProfileInput(customer.FirstName, customer.LastName, identifiers)]);
        return (await CallAsync(HttpMethod.Post, "/v2/customers", Json(body, ClientJson.Default.CreateCustomerBody), ClientJson.Default.CreatedCustomer, ct)).CreatedId;
    }

    public Task<Customer> GetCustomerAsync(long id, CancellationToken ct = default) =>
        CallAsync(HttpMethod.Get, $"/v2/customers/{id}", null, ClientJson.Default.Customer, ct);

    /// <summary>A customer by mobile, email, externalId or id (GET /v2/customers/lookup).</summary>
    public Task<Customer> FindCustomerAsync(string identifierName, string identifierValue, CancellationToken ct = default) =>
        CallAsync(HttpMethod.Get, $"/v2/customers/lookup?identifierName={Q(identifierName)}&identifierValue={Q(identifierValue)}", null,
            ClientJson.Default.Customer, ct);

    /// <summary>Sets a customer's fraud status (NONE, MARKED, CONFIRMED) and whether their coupons are blocked.</summary>
    public Task<Customer> SetCustomerStatusAsync(long id, string? fraudStatus = null, bool? couponsBlocked = null, CancellationToken ct = default) =>
        CallAsync(HttpMethod.Put, $"/v2/customers/{id}/status", Json(new CustomerStatusBody(fraudStatus, couponsBlocked), ClientJson.Default.CustomerStatusBody),
            ClientJson.Default.Customer, ct);

    /// <summary>Creates a series; answers it as stored. A taken series code throws <see cref="CouponsConflictException"/> (751).</summary>
    public Task<Series> CreateSeriesAsync(Series series, CancellationToken ct = default) =>
        CallAsync(HttpMethod.Post, "/v2/coupon/series", Json(series, ClientJson.Default.Series), ClientJson.Default.Series, ct);

    public Task<SeriesSaved> UpdateSeriesAsync(long id, Series series, CancellationToken ct = default) =>
        CallAsync(HttpMethod.Put, $"/v2/coupon/series/{id}", Json(series, ClientJson.Default.Series), ClientJson.Default.SeriesSaved, ct);

    public Task<Series> GetSeriesAsync(long id, CancellationToken ct = default) =>
        CallAsync(HttpMethod.Get, $"/v2/coupon/series/{id}", null, ClientJson.Default.Series, ct);

    public Task<SeriesPage> ListSeriesAsync(int offset = 0, int limit = 50, CancellationToken ct = default) =>
        CallAsync(HttpMethod.Get, $"/v2/coupon/series?offset={offset}&limit={limit}", null, ClientJson.Default.SeriesPage, ct);

    /// <summary>Uploads codes to an UPLOADED series (up to 100,000 a call).</summary>
    public Task<UploadResult> UploadCodesAsync(long seriesId, IReadOnlyList<string> codes, CancellationToken ct = default) =>
        CallAsync(HttpMethod.Post, $"/v2/coupon/series/{seriesId}/codes", Json([.. codes], ClientJson.Default.StringArray), ClientJson.Default.UploadResult, ct);

    public Task<Organisation> GetOrganisationAsync(CancellationToken ct = default) =>
        CallAsync(HttpMethod.Get, "/v2/organisation", null, ClientJson.Default.Organisation, ct);

    public Task<Organisation> UpdateOrganisationAsync(OrganisationSettings settings, CancellationToken ct = default) =>
        CallAsync(HttpMethod.Put, "/v2/organisation", Json(settings, ClientJson.Default.OrganisationSettings), ClientJson.Default.Organisation, ct);

    /// <summary>Revokes an issued coupon: it then answers 660 at redeem.</summary>
    public async Task RevokeCouponAsync(long couponId, CancellationToken ct = default) =>
        await CallAsync(HttpMethod.Post, $"/v2/coupons/{couponId}/revoke", null, ClientJson.Default.JsonObject, ct);

    // ---- v1.1 (JSON) ---------------------------------------------------------------------

    /// <summary>Issues one coupon of a series (POST /v1.1/coupon/issue). A refusal of the item is its outcome, not an exception.</summary>
    public async Task<V11Outcome> V11IssueAsync(long seriesId, CustomerRef customer, CancellationToken ct = default)
    {
        var coupon = new JsonObject { ["series_id"] = seriesId.ToString(CultureInfo.InvariantCulture), ["customer"] = V11Customer(customer) };
        return V11Item(await V11CallAsync(HttpMethod.Post, "/v1.1/coupon/issue?format=json", new JsonObject { ["root"] = new JsonObject { ["coupon"] = coupon } }, ct),
            "coupon");
    }

    /// <summary>Redeems one coupon (POST /v1.1/coupon/redeem): Success with the redemption id, or the item's refusal code.</summary>
    public async Task<V11Outcome> V11RedeemAsync(string code, CustomerRef customer, string? transactionNumber = null, decimal? billAmount = null, CancellationToken ct = default)
    {
        var coupon = new JsonObject { ["code"] = code, ["customer"] = V11Customer(customer) };
        if (transactionNumber is not null || billAmount is not null)
            coupon["transaction"] = new JsonObject { ["number"] = transactionNumber, ["amount"] = billAmount?.ToString(CultureInfo.InvariantCulture) };
        return V11Item(await V11CallAsync(HttpMethod.Post, "/v1.1/coupon/redeem?format=json", new JsonObject { ["root"] = new JsonObject { ["coupon"] = coupon } }, ct),
            "coupons", "coupon");
    }

    /// <summary>Whether a coupon could be redeemed now by a customer (GET /v1.1/coupon/isredeemable).</summary>
    public async Task<V11Outcome> V11IsRedeemableAsync(string code, CustomerRef customer, CancellationToken ct = default)
    {
        var query = new StringBuilder("/v1.1/coupon/isredeemable?format=json&code=").Append(Q(code));
        if (customer.Mobile is { } m) query.Append("&mobile=").Append(Q(m));
        if (customer.Email is { } e) query.Append("&email=").Append(Q(e));
        if (customer.ExternalId is { } x) query.Append("&external_id=").Append(Q(x));
        if (customer.Id is { } id) query.Append("&user_id=").Append(id.ToString(CultureInfo.InvariantCulture));
        var answer = await V11CallAsync(HttpMethod.Get, query.ToString(), null, ct);
        var item = answer["response"]!["coupons"]!["redeemable"]!;
        var status = item["item_status"]!;
        return new V11Outcome(item["is_redeemable"]?.GetValue<string>() == "true", int.Parse(status["code"]!.GetValue<string>(), CultureInfo.InvariantCulture),
            status["message"]?.GetValue<string>() ?? "", item["code"]?.GetValue<string>(), null);
    }

    static JsonObject V11Customer(CustomerRef c) => new()
    {
        ["mobile"] = c.Mobile,
        ["email"] = c.Email,
        ["external_id"] = c.ExternalId,
        ["user_id"] = c.Id?.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>A v1.1 call: 200, 201 (some items failed) and 500 (every item failed) all carry items; other statuses are refusals.</summary>
    async Task<JsonNode> V11CallAsync(HttpMethod method, string path, JsonObject? body, CancellationToken ct)
    {
        var bytes = body is null ? null : Encoding.UTF8.GetBytes(body.ToJsonString());
        using var response = await SendAsync(method, path, bytes, "application/json", ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        var itemsAnswer = response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.InternalServerError;
        var node = itemsAnswer ? TryParse(text) : null;
        if (node?["response"]?["status"] is null || (!itemsAnswer)) throw Refusal(response.StatusCode, text);
        return node;
    }

    static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The first item under response → path (one object, or the first of an array).</summary>
    static V11Outcome V11Item(JsonNode answer, params string[] path)
    {
        var node = path.Aggregate(answer["response"]!, (n, p) => n[p]!);
        if (node is JsonArray many) node = many[0]!;
        var status = node["item_status"]!;
        var id = node["redemption_id"]?.GetValue<string>();
        return new V11Outcome(status["success"]?.GetValue<string>() == "true", int.Parse(status["code"]!.GetValue<string>(), CultureInfo.InvariantCulture),
            status["message"]?.GetValue<string>() ?? "", node["code"]?.GetValue<string>() is { Length: > 0 } code ? code : null,
            id is { Length: > 0 } ? long.Parse(id, CultureInfo.InvariantCulture) : null);
    }
}
