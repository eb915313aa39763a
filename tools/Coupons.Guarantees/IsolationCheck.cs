using System.Text;
using System.Text.Json;
using Dapper;

namespace Coupons.Guarantees;

/// <summary>
/// Organisation B's tills use organisation A's ids, codes, redemption ids and customer identifiers on every endpoint,
/// and till-role tills call every admin endpoint: each is refused, no answer carries anything of A that the request did
/// not itself send, and A's rows are exactly as they were.
/// </summary>
public sealed class IsolationCheck(string provider, TextWriter log)
{
    readonly Report report = new("isolation", provider == "postgres" ? "PostgreSQL" : "SQLite");
    readonly List<string> covered = [];

    /// <summary>The same probes at every scale: each endpoint once per kind of caller.</summary>
    public static Task<Report> RunAsync(string provider, TextWriter log) => new IsolationCheck(provider, log).RunAsync();

    enum Expect { Refused, Forbidden, NotRedeemable, Listing }

    sealed record Probe(string Name, HttpMethod Method, string Path, object? Body, Credentials Who, Expect Expect, bool V11 = false);

    async Task<Report> RunAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var db = await Database.CreateAsync(provider);
        var server = await ServerProcess.StartAsync(db);
        try
        {
            using var api = new Api([server.BaseAddress]);
            var r = Random.Shared.Next(100_000, 999_999);
            // Organisation A: the bootstrap organisation, with distinctive data to look for in B's answers.
            var a = new Org(api, new Credentials(ServerProcess.BootstrapTill, ServerProcess.BootstrapPassword));
            await a.NoRateLimitAsync();
            await a.WatchEveryEventAsync();
            Api.Ok(await api.PostJsonAsync(a.Admin, "/v2/stores", new { code = $"alphastore{r}", name = $"Alpha Secret Store {r}" }), "store");
            var aTill = await a.TillAsync($"alphatill{r}", "till", $"alphastore{r}");
            var aCustomer = new Customer(await a.CustomerAsync($"4479{r}", $"Zebulon{r}", $"Quixote{r}", $"zebulon{r}@alpha.example"), $"4479{r}");
            var aSeries = (await a.SeriesAsync(new() { ["seriesCode"] = $"ASECRET{r}", ["description"] = $"alpha-secret-{r}", ["isMultipleVouchersPerUserAllowed"] = true }))["id"]!.GetValue<long>();
            var aGeneric = (await a.SeriesAsync(new() { ["seriesCode"] = $"AGENS{r}", ["seriesType"] = "GENERIC", ["generic"] = $"AGEN{r}" }))["id"]!.GetValue<long>();
            var aUploaded = (await a.SeriesAsync(new() { ["seriesCode"] = $"AUPL{r}", ["seriesType"] = "UPLOADED" }))["id"]!.GetValue<long>();
            Api.Ok(await api.SendAsync(HttpMethod.Post, $"/v2/coupon/series/{aUploaded}/codes", a.Admin, Encoding.UTF8.GetBytes($"code\nAUP{r}X1\nAUP{r}X2"), "text/csv"), "upload");
            var aCoupons = await a.IssueAsync(aTill, aSeries, aCustomer, 4);
            await a.IssueAsync(aTill, aGeneric, aCustomer, 1);
            var aRedemption = await a.RedeemAsync(aTill, aCoupons[0], $"ATX{r}");

            // Organisation B, made with the server's own command, with its own series and customer.
            var bAdmin = new Credentials($"betaadmin{r}", "beta-password-1");
            await ServerProcess.CreateOrganisationAsync(db, $"Beta{r}", bAdmin.Till, bAdmin.Password);
            var b = new Org(api, bAdmin);
            await b.NoRateLimitAsync();
            await b.WatchEveryEventAsync();
            var bTill = await b.TillAsync($"betatill{r}", "till");
            var bSeries = (await b.SeriesAsync(new() { ["isMultipleVouchersPerUserAllowed"] = true }))["id"]!.GetValue<long>();
            await b.CustomerAsync($"4478{r}");

            string[] secrets =
            [
                .. aCoupons.Select(c => c.Code), $"AGEN{r}", $"AUP{r}X1", $"AUP{r}X2", $"Zebulon{r}", $"Quixote{r}", $"4479{r}", $"zebulon{r}@alpha.example",
                $"ASECRET{r}", $"AGENS{r}", $"AUPL{r}", $"alpha-secret-{r}", $"alphastore{r}", $"Alpha Secret Store {r}", $"alphatill{r}", $"ATX{r}",
            ];
            var before = await SnapshotAsync(db);
            log.WriteLine($"   isolation on {report.Backend}: organisation B probes organisation A");
            var probes = Probes(a, aTill, aCustomer, aSeries, aUploaded, aCoupons, aRedemption, r, b, bTill, bSeries);
            foreach (var p in probes)
            {
                var answer = await api.SendAsync(p.Method, p.Path, p.Who, p.Body is null ? null : JsonSerializer.SerializeToUtf8Bytes(p.Body), p.Body is null ? null : "application/json");
                var asked = p.Path + (p.Body is null ? "" : JsonSerializer.Serialize(p.Body));
                var problem = Judge(p, answer) ?? Leak(answer, asked, secrets);
                report.Attempt(problem is null);
                if (problem is not null) report.Violation($"{p.Name} ({p.Method} {p.Path}): {problem}");
                if (!covered.Contains(p.Name)) covered.Add(p.Name);
            }
            var after = await SnapshotAsync(db);
            report.Expect(before == after, "organisation A's rows changed while organisation B probed them");
            report.Expect(server.LoggedFailures == 0, $"the server logged {server.LoggedFailures} errors: {server.Tail}");
            report.Figure($"{probes.Count} probes by organisation B with A's ids, codes, redemption ids and customer identifiers, and by till-role tills on admin endpoints");
            report.Figure($"covered: {string.Join("; ", covered)}");
            report.Figure($"organisation A's rows unchanged: {before == after}; {secrets.Length} of A's values searched for in every answer");
        }
        finally
        {
            await server.DisposeAsync();
            await db.DropAsync();
        }
        report.Elapsed = clock.Elapsed;
        return report;
    }

    static List<Probe> Probes(Org a, Credentials aTill, Customer aCustomer, long aSeries, long aUploaded, List<Coupon> aCoupons, long aRedemption, int r,
        Org b, Credentials bTill, long bSeries)
    {
        var code = aCoupons[1].Code;
        var id = aCoupons[1].Id;
        var mobile = aCustomer.Mobile;
        var get = HttpMethod.Get;
        var post = HttpMethod.Post;
        var put = HttpMethod.Put;
        var list = new List<Probe>();
        foreach (var who in new[] { b.Admin, bTill })
        {
            list.AddRange(
            [
                new("v1.1 issue: A's series and customer", post, "/v1.1/coupon/issue", new { root = new { coupon = new { series_id = aSeries.ToString(), customer = new { mobile } } } }, who, Expect.Refused, true),
                new("v1.1 issue: B's series, A's customer id", post, "/v1.1/coupon/issue", new { root = new { coupon = new { series_id = bSeries.ToString(), customer = new { user_id = aCustomer.Id.ToString() } } } }, who, Expect.Refused, true),
                new("v1.1 resend: A's code", get, $"/v1.1/coupon/resend?code={code}", null, who, Expect.Refused, true),
                new("v1.1 resend: A's coupon id", get, $"/v1.1/coupon/resend?id={id}&mobile={mobile}", null, who, Expect.Refused, true),
                new("v1.1 redeem: A's code and customer", post, "/v1.1/coupon/redeem", new { root = new { coupon = new { code, customer = new { mobile } } } }, who, Expect.Refused, true),
                new("v1.1 redeem: A's coupon id", post, "/v1.1/coupon/redeem", new { root = new { coupon = new { id = id.ToString(), customer = new { mobile } } } }, who, Expect.Refused, true),
                new("v1.1 redeem: A's GENERIC code", post, "/v1.1/coupon/redeem", new { root = new { coupon = new { code = $"AGEN{r}", customer = new { mobile } } } }, who, Expect.Refused, true),
                new("v1.1 get: A's coupon ids and codes", get, $"/v1.1/coupon/get?id={aCoupons[0].Id},{id}&code={code},AUP{r}X1", null, who, Expect.Refused, true),
                new("v1.1 isredeemable: A's code", get, $"/v1.1/coupon/isredeemable?code={code}&mobile={mobile}&details=extended", null, who, Expect.NotRedeemable, true),
                new("v1.1 isredeemable: A's coupon id", get, $"/v1.1/coupon/isredeemable?id={id}&details=extended", null, who, Expect.Refused, true),
                new("v1.1 series: A's series id", get, $"/v1.1/coupon/series?id={aSeries},{aUploaded}", null, who, Expect.Refused, true),
                new("v1.1 series: the list", get, "/v1.1/coupon/series", null, who, Expect.Listing, true),
                new("v2 issue/multiple: A's series and customer", post, "/v2/coupon/issue/multiple", new { seriesId = aSeries, count = 1, customer = new { mobile } }, who, Expect.Refused),
                new("v2 issue/multiple: B's series, A's customer id", post, "/v2/coupon/issue/multiple", new { seriesId = bSeries, count = 1, customer = new { id = aCustomer.Id } }, who, Expect.Refused),
                new("v2 customer coupons: A's customer id", get, $"/v2/customers/{aCustomer.Id}/coupons", null, who, Expect.Refused),
                new("v2 bulk redeem: A's codes", post, "/v2/coupon/bulk/redeem", new { redemptionRequestList = new[] { new { code }, new { code = $"AGEN{r}" } }, user = new { mobile } }, who, Expect.Refused),
                new("v2 bulk redeem: A's codes, A's customer id", post, "/v2/coupon/bulk/redeem", new { redemptionRequestList = new[] { new { code } }, user = new { id = aCustomer.Id } }, who, Expect.Refused),
                new("v2 is_redeemable: A's codes and customer", get, $"/v2/coupon/is_redeemable?code={code},AGEN{r},AUP{r}X1&id={aCustomer.Id}&details=true", null, who, Expect.NotRedeemable),
                new("v2 reverse: A's redemption id", post, "/v2/coupon/redemption/reverse", new { redemptionIds = new[] { aRedemption } }, who, Expect.Refused),
                new("v2 PUT coupon/redeem: A's redemption id", put, "/v2/coupon/redeem", new { redemptionId = aRedemption, transactionNumber = "B-was-here", billAmount = 1 }, who, Expect.Refused),
            ]);
        }
        // Admin endpoints, as B's admin with A's ids.
        var admin = b.Admin;
        list.AddRange(
        [
            new("GET customer: A's customer id", get, $"/v2/customers/{aCustomer.Id}", null, admin, Expect.Refused),
            new("customer lookup: A's mobile", get, $"/v2/customers/lookup?identifierName=mobile&identifierValue={mobile}", null, admin, Expect.Refused),
            new("customer lookup: A's email", get, $"/v2/customers/lookup?identifierName=email&identifierValue=zebulon{r}@alpha.example", null, admin, Expect.Refused),
            new("customer lookup: A's customer id", get, $"/v2/customers/lookup?identifierName=id&identifierValue={aCustomer.Id}", null, admin, Expect.Refused),
            new("PUT customer status: A's customer id", put, $"/v2/customers/{aCustomer.Id}/status", new { fraudStatus = "CONFIRMED", couponsBlocked = true }, admin, Expect.Refused),
            new("GET series: A's series id", get, $"/v2/coupon/series/{aSeries}", null, admin, Expect.Refused),
            new("PUT series: A's series id", put, $"/v2/coupon/series/{aSeries}", new { seriesCode = "HIJACK", description = "x", discountValue = 1 }, admin, Expect.Refused),
            new("upload codes: A's uploaded series", post, $"/v2/coupon/series/{aUploaded}/codes", new[] { "HIJACK1" }, admin, Expect.Refused),
            new("revoke: A's coupon id", post, $"/v2/coupons/{id}/revoke", null, admin, Expect.Refused),
            new("POST tills: in A's store", post, "/v2/tills", new { code = $"intruder{r}", password = "password-1", storeCode = $"alphastore{r}", role = "admin" }, admin, Expect.Refused),
            new("series list", get, "/v2/coupon/series?offset=0&limit=500", null, admin, Expect.Listing),
            new("stores list", get, "/v2/stores", null, admin, Expect.Listing),
            new("tills list", get, "/v2/tills", null, admin, Expect.Listing),
            new("GET organisation", get, "/v2/organisation", null, admin, Expect.Listing),
            new("PUT organisation", put, "/v2/organisation", new { name = $"Beta{r} renamed" }, admin, Expect.Listing),
            new("Basic: A's till code with B's password", get, "/v2/stores", null, new Credentials(aTill.Till, b.Admin.Password), Expect.Refused),
            new("Basic: A's till code with B's password on v1.1", get, $"/v1.1/coupon/get?code={code}", null, new Credentials(aTill.Till, b.Admin.Password), Expect.Refused, true),
        ]);
        // Every admin endpoint, as a till-role till (of B, and of A on its own organisation): 403.
        foreach (var till in new[] { bTill, aTill })
        {
            var seriesId = till == aTill ? aSeries : bSeries;
            list.AddRange(
            [
                new("till role: GET organisation", get, "/v2/organisation", null, till, Expect.Forbidden),
                new("till role: PUT organisation", put, "/v2/organisation", new { rateLimitPerMinute = 1 }, till, Expect.Forbidden),
                new("till role: POST stores", post, "/v2/stores", new { code = "x" + r, name = "x" }, till, Expect.Forbidden),
                new("till role: GET stores", get, "/v2/stores", null, till, Expect.Forbidden),
                new("till role: POST tills", post, "/v2/tills", new { code = "x" + r, password = "password-1", storeCode = "main", role = "admin" }, till, Expect.Forbidden),
                new("till role: GET tills", get, "/v2/tills", null, till, Expect.Forbidden),
                new("till role: POST customers", post, "/v2/customers", new { profiles = new[] { new { firstName = "x", identifiers = new[] { new { type = "mobile", value = "1" + r } } } } }, till, Expect.Forbidden),
                new("till role: GET customer", get, $"/v2/customers/{aCustomer.Id}", null, till, Expect.Forbidden),
                new("till role: customer lookup", get, $"/v2/customers/lookup?identifierName=mobile&identifierValue={mobile}", null, till, Expect.Forbidden),
                new("till role: PUT customer status", put, $"/v2/customers/{aCustomer.Id}/status", new { couponsBlocked = true }, till, Expect.Forbidden),
                new("till role: POST series", post, "/v2/coupon/series", new { seriesCode = "X" + r, description = "x", discountValue = 1 }, till, Expect.Forbidden),
                new("till role: PUT series", put, $"/v2/coupon/series/{seriesId}", new { seriesCode = "X" + r, description = "x", discountValue = 1 }, till, Expect.Forbidden),
                new("till role: GET series", get, $"/v2/coupon/series/{seriesId}", null, till, Expect.Forbidden),
                new("till role: series list", get, "/v2/coupon/series", null, till, Expect.Forbidden),
                new("till role: upload codes", post, $"/v2/coupon/series/{aUploaded}/codes", new[] { "TILLCODE1" }, till, Expect.Forbidden),
                new("till role: revoke", post, $"/v2/coupons/{id}/revoke", null, till, Expect.Forbidden),
            ]);
        }
        return list;
    }

    static string? Judge(Probe p, Answer a)
    {
        if (Answers.Broken(a, p.V11) is { } broken) return broken;
        switch (p.Expect)
        {
            case Expect.Forbidden:
                return a.Status == 403 && Answers.V2ErrorCode(a) != 0 ? null : $"a till-role till got HTTP {a.Status}, not 403 in the envelope";
            case Expect.Listing:
                return a.Status == 200 ? null : $"HTTP {a.Status}";
            case Expect.NotRedeemable:
                if (p.V11) return Answers.Str(a.Json()?["response"]?["coupons"]?["redeemable"]?["is_redeemable"]) == "false" ? null : "A's coupon is redeemable for B";
                var items = a.Json()?["coupons"]?.AsArray();
                return a.Status == 200 && items is not null && items.All(i => i?["isRedeemable"]?.GetValue<bool>() == false && i["series"] is null)
                    ? null : $"A's coupons are redeemable for B, or show their series: {Api.Shorten(a.Body)}";
            default:
                if (p.V11)
                {
                    if (a.Status >= 400 && a.Status != 500) return null;
                    var response = a.Json()?["response"];
                    var items11 = response?["coupon"] ?? response?["coupons"]?["coupon"] ?? response?["coupons"]?["redeemable"] ?? response?["series"]?["items"]?["item"];
                    var all = items11 is System.Text.Json.Nodes.JsonArray arr ? arr.ToList() : [items11];
                    // isredeemable answers its check with item_status.status true and the verdict in is_redeemable.
                    return all.All(i => (i?["item_status"] is { } s && Answers.Str(s["success"] ?? s["status"]) == "false") || Answers.Str(i?["is_redeemable"]) == "false")
                        ? null : $"not refused: {Api.Shorten(a.Body)}";
                }
                return a.Status is >= 400 and < 500 ? null : $"not refused: HTTP {a.Status} {Api.Shorten(a.Body)}";
        }
    }

    /// <summary>A's values in an answer that the request did not itself carry.</summary>
    static string? Leak(Answer a, string asked, string[] secrets)
    {
        var leaked = secrets.Where(s => a.Body.Contains(s, StringComparison.OrdinalIgnoreCase) && !asked.Contains(s, StringComparison.OrdinalIgnoreCase)).ToList();
        return leaked.Count == 0 ? null : $"the answer shows organisation A's {string.Join(", ", leaked)}";
    }

    /// <summary>Everything of organisation A (id 1) that B could change, as one string.</summary>
    static async Task<string> SnapshotAsync(Database db)
    {
        await using var c = await db.OpenAsync();
        var s = new StringBuilder();
        foreach (var sql in new[]
                 {
                     "SELECT id, name, time_zone, rate_limit_per_minute FROM organisations WHERE id = 1",
                     "SELECT id, code, name FROM stores WHERE org_id = 1 ORDER BY id",
                     "SELECT id, code, role, store_id FROM tills WHERE org_id = 1 ORDER BY id",
                     "SELECT id, first_name, last_name, mobile, email, fraud_status, coupons_blocked FROM customers WHERE org_id = 1 ORDER BY id",
                     "SELECT id, series_code, config, num_issued, num_redeemed, num_uploaded_total, num_uploaded_non_issued FROM series WHERE org_id = 1 ORDER BY id",
                     "SELECT id, code, customer_id, num_redemptions, revoked FROM coupons WHERE org_id = 1 ORDER BY id",
                     "SELECT id, coupon_id, transaction_number, bill_amount, custom_fields, reversed_at FROM redemptions WHERE org_id = 1 ORDER BY id",
                     "SELECT COUNT(*) FROM coupons WHERE series_id IN (SELECT id FROM series WHERE org_id = 1) AND org_id <> 1",
                     "SELECT COUNT(*) FROM redemptions WHERE coupon_id IN (SELECT id FROM coupons WHERE org_id = 1) AND org_id <> 1",
                 })
            foreach (IDictionary<string, object?> row in await c.QueryAsync(sql))
                s.AppendLine(string.Join("|", row.Values));
        return s.ToString();
    }
}
