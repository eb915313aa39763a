using System.Text.Json.Nodes;

namespace Coupons.Guarantees;

/// <summary>An organisation set up through the admin API: its admin till, customers, series, coupons.</summary>
public sealed class Org(Api api, Credentials admin)
{
    public Api Api { get; } = api;
    public Credentials Admin { get; } = admin;

    /// <summary>Lifts the per-till rate limit, so the load is limited by the service and not by its throttle.</summary>
    public async Task NoRateLimitAsync() =>
        Api.Ok(await Api.PutJsonAsync(Admin, "/v2/organisation", new { rateLimitPerMinute = 0 }), "PUT /v2/organisation");

    /// <summary>
    /// Subscribes a webhook endpoint to every event, so that every change must leave its outbox row (an organisation
    /// that nobody listens to gets none: see the invariants). The address refuses connections; its deliveries only retry.
    /// </summary>
    public async Task WatchEveryEventAsync() =>
        Api.Ok(await Api.PostJsonAsync(Admin, "/v2/webhooks", new
        {
            url = "http://127.0.0.1:9/guarantees",
            events = new[] { "coupon.issued", "coupon.redeemed", "coupon.redemption_reversed", "coupon.resent" },
        }), "POST /v2/webhooks");

    public async Task<Credentials> TillAsync(string code, string role, string storeCode = "main")
    {
        var password = $"pw-{code}-secret";
        Api.Ok(await Api.PostJsonAsync(Admin, "/v2/tills", new { code, password, storeCode, role }), "POST /v2/tills");
        return new Credentials(code, password);
    }

    public async Task<long> CustomerAsync(string mobile, string firstName = "Guarantee", string lastName = "Customer", string? email = null)
    {
        var identifiers = new List<object> { new { type = "mobile", value = mobile } };
        if (email is not null) identifiers.Add(new { type = "email", value = email });
        var body = Api.Ok(await Api.PostJsonAsync(Admin, "/v2/customers",
            new { profiles = new[] { new { firstName, lastName, identifiers } } }), "POST /v2/customers");
        return body["createdId"]!.GetValue<long>();
    }

    /// <summary>Creates customers with mobiles prefix0000…, several at a time.</summary>
    public async Task<List<Customer>> CustomersAsync(int count, string prefix)
    {
        var result = new Customer[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var mobile = $"{prefix}{i:D5}";
            result[i] = new Customer(await CustomerAsync(mobile), mobile);
        });
        return result.ToList();
    }

    /// <summary>A series from the given fields over a valid default (10 digit codes, valid till 2099).</summary>
    public async Task<JsonObject> SeriesAsync(Dictionary<string, object?> fields)
    {
        var body = new Dictionary<string, object?>
        {
            ["seriesCode"] = $"G{Guid.NewGuid():N}"[..14].ToUpperInvariant(),
            ["description"] = "guarantees",
            ["discountValue"] = 5,
            ["discountType"] = "ABS",
            ["validTillDate"] = "2099-12-31T00:00:00Z",
            ["randomCodeLength"] = 12,
        };
        foreach (var (k, v) in fields) body[k] = v;
        return Api.Ok(await Api.PostJsonAsync(Admin, "/v2/coupon/series", body), "POST /v2/coupon/series").AsObject();
    }

    /// <summary>Issues <paramref name="count"/> coupons of a series to a customer through v2 issue/multiple (≤ 500 a call).</summary>
    public async Task<List<Coupon>> IssueAsync(Credentials till, long seriesId, Customer customer, int count)
    {
        var coupons = new List<Coupon>();
        while (coupons.Count < count)
        {
            var n = Math.Min(500, count - coupons.Count);
            var body = Api.Ok(await Api.PostJsonAsync(till, "/v2/coupon/issue/multiple",
                new { seriesId, count = n, customer = new { mobile = customer.Mobile } }), "issue/multiple");
            foreach (var c in body["coupons"]!.AsArray())
                coupons.Add(new Coupon(c!["couponId"]!.GetValue<long>(), c["code"]!.GetValue<string>(), customer));
        }
        return coupons;
    }

    /// <summary>Redeems one coupon through v2 bulk redeem; returns the redemption id.</summary>
    public async Task<long> RedeemAsync(Credentials till, Coupon coupon, string transactionNumber)
    {
        var body = Api.Ok(await Api.PostJsonAsync(till, "/v2/coupon/bulk/redeem", new
        {
            redemptionRequestList = new[] { new { code = coupon.Code } },
            transactionNumber,
            user = new { mobile = coupon.Holder.Mobile },
        }), "bulk/redeem");
        return body["redemptionResponseList"]![0]!["redemptionId"]!.GetValue<long>();
    }
}

public sealed record Customer(long Id, string Mobile);

public sealed record Coupon(long Id, string Code, Customer Holder);
