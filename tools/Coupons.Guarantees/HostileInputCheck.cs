using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Xml;

namespace Coupons.Guarantees;

/// <summary>
/// Thousands of generated hostile requests over every endpoint (see <see cref="HostileRequests"/>): no 5xx, no hang, no
/// crash, each answered in its endpoint's own error envelope, bodies over the limit refused with 413, DTDs refused.
/// </summary>
public sealed class HostileInputCheck(string provider, Scale scale, TextWriter log)
{
    const int Clients = 8;
    static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(10);
    readonly Report report = new("hostile input", provider == "postgres" ? "PostgreSQL" : "SQLite");
    readonly ConcurrentDictionary<string, int> byStatus = new();
    readonly ConcurrentDictionary<string, int> byCategory = new();
    int kestrelRefusals;
    long slowestMs;

    public static Task<Report> RunAsync(string provider, Scale scale, TextWriter log) => new HostileInputCheck(provider, scale, log).RunAsync();

    async Task<Report> RunAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var db = await Database.CreateAsync(provider);
        var server = await ServerProcess.StartAsync(db);
        try
        {
            using var api = new Api([server.BaseAddress], ClientTimeout);
            var admin = new Credentials(ServerProcess.BootstrapTill, ServerProcess.BootstrapPassword);
            var endpoints = await SetUpAsync(new Org(api, admin));
            log.WriteLine($"   hostile input on {report.Backend}: {scale.HostileRequests:N0} requests over {endpoints.Count} endpoints, {scale.HugeBodies} of 10 MB");
            var requests = new HostileRequests(endpoints, seed: 20240605).Generate(scale.HostileRequests, scale.HugeBodies);
            await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = Clients }, async (r, _) =>
            {
                var a = await api.SendAsync(r.Method, r.Path, r.Anonymous ? null : admin, r.Body, r.ContentType, r.Headers);
                Judge(r, a);
            });
            report.Expect(server.IsAlive, $"the server died: {server.Tail}");
            if (server.IsAlive)
            {
                var health = await api.GetAsync(null, "/health");
                report.Expect(health.Status == 200, $"after the run /health answers {health.Status} {health.Failure}");
            }
            report.Expect(server.LoggedFailures == 0, $"the server logged {server.LoggedFailures} errors: {server.Tail}");
            await Invariants.CheckAsync(db, report);
            report.Figure($"{report.Attempts:N0} requests over {endpoints.Count} endpoints: {string.Join(", ", endpoints.Select(e => e.Name))}");
            report.Figure("by category: " + string.Join(", ", byCategory.OrderBy(x => x.Key).Select(x => $"{x.Key} {x.Value:N0}")));
            report.Figure("by HTTP status: " + string.Join(", ", byStatus.OrderBy(x => x.Key).Select(x => $"{x.Key}: {x.Value:N0}")));
            report.Figure($"refused by Kestrel before the application (request line or headers too long, malformed target; no body): {kestrelRefusals:N0}");
            report.Figure($"slowest answer {slowestMs:N0} ms (client timeout {ClientTimeout.TotalSeconds:F0} s); server alive at the end: {server.IsAlive}");
        }
        finally
        {
            await server.DisposeAsync();
            await db.DropAsync();
        }
        report.Elapsed = clock.Elapsed;
        return report;
    }

    void Judge(HostileRequest r, Answer a)
    {
        byCategory.AddOrUpdate(r.Category, 1, (_, n) => n + 1);
        byStatus.AddOrUpdate(a.Failed ? a.Failure! : a.Status.ToString(), 1, (_, n) => n + 1);
        InterlockedMax(ref slowestMs, (long)a.Took.TotalMilliseconds);
        var problem = Problem(r, a);
        report.Attempt(problem is null);
        if (problem is not null) report.Violation($"{r.Method} {Api.Shorten(r.Path, 120)} [{r.Category}, {r.Body?.Length ?? 0} bytes, {r.ContentType}]: {problem}");
    }

    string? Problem(HostileRequest r, Answer a)
    {
        if (a.TimedOut) return $"no answer within {ClientTimeout.TotalSeconds:F0} s";
        if (a.Failed) return $"no answer: {a.Failure}";
        if (a.Status is 400 or 414 or 431 && a.Body.Length == 0 && a.ContentType is null)
        {
            Interlocked.Increment(ref kestrelRefusals);
            return null;
        }
        if (r.ExpectStatus is { } expected && a.Status != expected) return $"answered {a.Status}, expected {expected}: {Api.Shorten(a.Body, 200)}";
        if (a.Body.Contains("   at ", StringComparison.Ordinal) || a.Body.Contains("Exception", StringComparison.Ordinal)
            || a.Body.Contains("root:x:0:0", StringComparison.Ordinal) || a.Body.Contains("lollollol", StringComparison.Ordinal))
            return $"the answer shows the server's insides: {Api.Shorten(a.Body, 300)}";
        if (r.Path.StartsWith("/v1.1", StringComparison.Ordinal) || r.Path.StartsWith("/v1.1", StringComparison.OrdinalIgnoreCase))
        {
            var code = V11StatusCode(a);
            if (code is null) return $"HTTP {a.Status} not in the v1.1 envelope ({a.ContentType}): {Api.Shorten(a.Body, 200)}";
            // v1.1 answers 500 exactly when every item of the request failed; any other 5xx is a failure of the server.
            if (a.Status >= 500 && !(a.Status == 500 && code == 500)) return $"HTTP {a.Status} (code {code}): {Api.Shorten(a.Body, 200)}";
            if (r.Category == "xml-dtd" && r.Method == HttpMethod.Post && !r.Anonymous && a.Status != 400) return $"a DTD was not refused: HTTP {a.Status}";
            return null;
        }
        if (a.Status >= 500) return $"HTTP {a.Status}: {Api.Shorten(a.Body, 200)}";
        var json = a.Json();
        if (a.Status >= 400)
            return json?["errors"] is JsonArray { Count: > 0 } errors && errors[0]?["code"] is JsonValue ? null
                : $"HTTP {a.Status} not in the errors envelope ({a.ContentType}): {Api.Shorten(a.Body, 200)}";
        return json is null && a.Body.Length > 0 ? $"HTTP {a.Status} with a body that is not JSON: {Api.Shorten(a.Body, 200)}" : null;
    }

    /// <summary>response → status → code of a v1.1 answer, JSON or XML by its content type; null when it is not that envelope.</summary>
    static int? V11StatusCode(Answer a)
    {
        if (a.ContentType?.Contains("xml", StringComparison.OrdinalIgnoreCase) == true)
        {
            try
            {
                var doc = new XmlDocument { XmlResolver = null };
                using var reader = XmlReader.Create(new StringReader(a.Body), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
                doc.Load(reader);
                var code = doc.SelectSingleNode("/response/status/code")?.InnerText;
                return int.TryParse(code, out var c) ? c : null;
            }
            catch (XmlException)
            {
                return null;
            }
        }
        var status = a.Json()?["response"]?["status"];
        return status is null ? null : int.TryParse(Answers.Str(status["code"]), out var n) ? n : null;
    }

    static void InterlockedMax(ref long target, long value)
    {
        for (var seen = Interlocked.Read(ref target); value > seen; seen = Interlocked.Read(ref target))
            if (Interlocked.CompareExchange(ref target, value, seen) == seen) return;
    }

    /// <summary>An organisation with something behind every id the requests name; returns the endpoint catalogue over it.</summary>
    static async Task<List<Endpoint>> SetUpAsync(Org org)
    {
        await org.NoRateLimitAsync();
        await org.WatchEveryEventAsync();
        var till = await org.TillAsync($"gh-{Guid.NewGuid():N}"[..12], "till");
        var series = (await org.SeriesAsync(new() { ["isMultipleVouchersPerUserAllowed"] = true, ["isMultipleUseAllowed"] = true, ["sameUserMultipleRedeem"] = true }))["id"]!.GetValue<long>();
        var upload = (await org.SeriesAsync(new() { ["seriesType"] = "UPLOADED" }))["id"]!.GetValue<long>();
        var customer = new Customer(await org.CustomerAsync("447911000001"), "447911000001");
        var other = await org.CustomerAsync("447911000002");
        var coupons = await org.IssueAsync(till, series, customer, 5);
        var redemption = await org.RedeemAsync(till, coupons[0], "T-hostile");
        var n = 0;
        string Unique() => $"{Interlocked.Increment(ref n)}{Guid.NewGuid():N}"[..10];
        var get = HttpMethod.Get;
        var post = HttpMethod.Post;
        var put = HttpMethod.Put;
        return
        [
            new("oauth token", post, "/v2/oauth/token", () => new JsonObject { ["key"] = till.Till, ["secret"] = till.Password, ["grant_type"] = "client_credentials" }),
            new("GET organisation", get, "/v2/organisation"),
            new("PUT organisation", put, "/v2/organisation", () => new JsonObject { ["name"] = "Hostile org", ["timeZone"] = "Europe/London", ["transactionNumberRequired"] = false }),
            new("POST stores", post, "/v2/stores", () => new JsonObject { ["code"] = "st" + Unique(), ["name"] = "A store" }),
            new("GET stores", get, "/v2/stores"),
            new("POST tills", post, "/v2/tills", () => new JsonObject { ["code"] = "t" + Unique(), ["password"] = "password-1", ["storeCode"] = "main", ["role"] = "till" }),
            new("GET tills", get, "/v2/tills"),
            new("POST customers", post, "/v2/customers", () => new JsonObject
            {
                ["profiles"] = new JsonArray(new JsonObject
                {
                    ["firstName"] = "Ada", ["lastName"] = "Lovelace",
                    ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "mobile", ["value"] = "44" + Unique() }),
                }),
            }),
            new("GET customer", get, $"/v2/customers/{customer.Id}"),
            new("lookup customer", get, "/v2/customers/lookup", Query: new() { ["identifierName"] = "mobile", ["identifierValue"] = customer.Mobile }),
            new("PUT customer status", put, $"/v2/customers/{other}/status", () => new JsonObject { ["fraudStatus"] = "NONE", ["couponsBlocked"] = false }),
            new("POST series", post, "/v2/coupon/series", () => new JsonObject
            {
                ["seriesCode"] = "S" + Unique(), ["description"] = "d", ["discountValue"] = 10, ["discountType"] = "PERC", ["maxCreate"] = 100,
                ["validTillDate"] = "2099-01-01T00:00:00Z", ["redemptionRange"] = "{\"dom\":[-1],\"dow\":[1,2],\"hours\":[-1]}",
                ["storeIdsJson"] = "[-1]", ["mutualExclusiveSeriesIds"] = "[-1]", ["randomCodeLength"] = 12,
            }),
            new("PUT series", put, $"/v2/coupon/series/{series}", () => new JsonObject
            {
                ["seriesCode"] = "S" + Unique(), ["description"] = "d", ["discountValue"] = 10, ["isMultipleVouchersPerUserAllowed"] = true,
                ["isMultipleUseAllowed"] = true, ["sameUserMultipleRedeem"] = true, ["validTillDate"] = "2099-01-01T00:00:00Z", ["randomCodeLength"] = 12,
            }),
            new("GET series", get, $"/v2/coupon/series/{series}"),
            new("list series", get, "/v2/coupon/series", Query: new() { ["offset"] = "0", ["limit"] = "10" }),
            new("upload codes", post, $"/v2/coupon/series/{upload}/codes", Csv: true),
            new("revoke coupon", post, $"/v2/coupons/{coupons[4].Id}/revoke"),
            new("v1.1 issue", post, "/v1.1/coupon/issue", () => new JsonObject
            {
                ["root"] = new JsonObject { ["coupon"] = new JsonObject { ["series_id"] = series.ToString(), ["customer"] = new JsonObject { ["mobile"] = customer.Mobile } } },
            }, V11: true),
            new("v1.1 resend", get, "/v1.1/coupon/resend", Query: new() { ["code"] = coupons[1].Code, ["mobile"] = customer.Mobile }, V11: true),
            new("v1.1 redeem", post, "/v1.1/coupon/redeem", () => new JsonObject
            {
                ["root"] = new JsonObject
                {
                    ["coupon"] = new JsonObject
                    {
                        ["code"] = coupons[1].Code, ["validation_code"] = "", ["customer"] = new JsonObject { ["mobile"] = customer.Mobile },
                        ["transaction"] = new JsonObject { ["number"] = "T1", ["amount"] = "100.50" }, ["redemption_time"] = "2024-01-01 10:00:00",
                        ["custom_fields"] = new JsonObject { ["field"] = new JsonArray(new JsonObject { ["name"] = "a", ["value"] = "b" }) },
                    },
                },
            }, V11: true),
            new("v1.1 get", get, "/v1.1/coupon/get", Query: new() { ["code"] = coupons[1].Code + "," + coupons[2].Code, ["id"] = coupons[3].Id.ToString() }, V11: true),
            new("v1.1 isredeemable", get, "/v1.1/coupon/isredeemable", Query: new() { ["code"] = coupons[2].Code, ["mobile"] = customer.Mobile, ["details"] = "extended" }, V11: true),
            new("v1.1 series", get, "/v1.1/coupon/series", Query: new() { ["id"] = series.ToString(), ["expired"] = "false" }, V11: true),
            new("v2 issue/multiple", post, "/v2/coupon/issue/multiple", () => new JsonObject
            {
                ["seriesId"] = series, ["count"] = 1, ["customer"] = new JsonObject { ["mobile"] = customer.Mobile },
                ["metadata"] = new JsonObject { ["sourceType"] = "pos", ["notes"] = "n" },
            }),
            new("v2 customer coupons", get, $"/v2/customers/{customer.Id}/coupons", Query: new() { ["coupon_code_case"] = "UPPER" }),
            new("v2 bulk redeem", post, "/v2/coupon/bulk/redeem", () => new JsonObject
            {
                ["redemptionRequestList"] = new JsonArray(new JsonObject { ["code"] = coupons[2].Code }, new JsonObject { ["code"] = coupons[3].Code, ["validationCode"] = "1234" }),
                ["transactionNumber"] = "T2", ["billAmount"] = 10.5, ["redemptionTime"] = "2024-01-01T10:00:00Z", ["user"] = new JsonObject { ["mobile"] = customer.Mobile },
            }),
            new("v2 is_redeemable", get, "/v2/coupon/is_redeemable", Query: new() { ["code"] = coupons[2].Code, ["mobile"] = customer.Mobile, ["details"] = "true" }),
            new("v2 reverse", post, "/v2/coupon/redemption/reverse", () => new JsonObject { ["redemptionIds"] = new JsonArray(redemption) }),
            new("v2 amend redemption", put, "/v2/coupon/redeem", () => new JsonObject
            {
                ["redemptionId"] = redemption, ["transactionNumber"] = "T3", ["billAmount"] = 5, ["customFields"] = new JsonObject { ["a"] = "b" },
            }),
        ];
    }
}
