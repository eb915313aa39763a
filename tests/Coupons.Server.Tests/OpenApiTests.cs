using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Coupons.Server.Tests;

public sealed class OpenApiTests_Sqlite(SqliteApp app) : OpenApiTests<SqliteApp>(app);
public sealed class OpenApiTests_Postgres(PostgresApp app) : OpenApiTests<PostgresApp>(app);

/// <summary>
/// The served document says what the server does: each answer of the core flow, success and refusal, v2, admin and
/// v1.1, is checked against the schema the document gives for its operation and status.
/// </summary>
public abstract class OpenApiTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    [Fact]
    public async Task Answers_of_the_core_flow_match_their_documented_schemas()
    {
        var doc = await OpenApiDocument.LoadAsync(app);
        var org = await TestOrg.CreateAsync(app);
        var admin = org.Admin;
        var till = await org.TillAsync();
        var mobile = "4477" + Random.Shared.Next(10_000_000, 99_999_999);

        await doc.CheckAsync(await admin.PostAsJsonAsync("/v2/stores", new { code = "north", name = "North" }), "/v2/stores", "post");
        await doc.CheckAsync(await admin.PostAsJsonAsync("/v2/stores", new { code = "north", name = "North" }), "/v2/stores", "post");
        await doc.CheckAsync(await admin.GetAsync("/v2/stores"), "/v2/stores", "get");
        await doc.CheckAsync(await admin.GetAsync("/v2/tills"), "/v2/tills", "get");
        var created = await doc.CheckAsync(await admin.PostAsJsonAsync("/v2/customers",
            new { profiles = new[] { new { firstName = "Ada", lastName = "Lovelace", identifiers = new[] { new { type = "mobile", value = mobile } } } } }),
            "/v2/customers", "post");
        var customerId = created["createdId"]!.GetValue<long>();
        await doc.CheckAsync(await admin.GetAsync($"/v2/customers/{customerId}"), "/v2/customers/{id}", "get");
        await doc.CheckAsync(await admin.GetAsync("/v2/customers/999999999"), "/v2/customers/{id}", "get");
        await doc.CheckAsync(await admin.GetAsync($"/v2/customers/lookup?identifierName=mobile&identifierValue={mobile}"), "/v2/customers/lookup", "get");
        await doc.CheckAsync(await admin.PutAsJsonAsync($"/v2/customers/{customerId}/status", new { fraudStatus = "NONE" }), "/v2/customers/{id}/status", "put");

        var series = await doc.CheckAsync(await admin.PostAsJsonAsync("/v2/coupon/series",
            new { seriesCode = "WELCOME-" + Guid.NewGuid().ToString("N")[..6], description = "Ten off", discountValue = 10, isMultipleVouchersPerUserAllowed = true }),
            "/v2/coupon/series", "post");
        var seriesId = series["id"]!.GetValue<long>();
        await doc.CheckAsync(await admin.GetAsync($"/v2/coupon/series/{seriesId}"), "/v2/coupon/series/{id}", "get");
        await doc.CheckAsync(await admin.GetAsync("/v2/coupon/series?limit=5"), "/v2/coupon/series", "get");
        await doc.CheckAsync(await admin.PutAsJsonAsync($"/v2/coupon/series/{seriesId}", new { seriesCode = series["seriesCode"], description = "Eleven off", discountValue = 11, isMultipleVouchersPerUserAllowed = true }),
            "/v2/coupon/series/{id}", "put");
        await doc.CheckAsync(await admin.GetAsync("/v2/organisation"), "/v2/organisation", "get");

        var issued = await doc.CheckAsync(await till.PostAsJsonAsync("/v2/coupon/issue/multiple", new { seriesId, count = 3, customer = new { mobile } }),
            "/v2/coupon/issue/multiple", "post");
        var codes = issued["coupons"]!.AsArray().Select(c => c!["code"]!.GetValue<string>()).ToList();
        Assert.Equal(3, codes.Count);
        await doc.CheckAsync(await till.PostAsJsonAsync("/v2/coupon/issue/multiple", new { seriesId, count = 0, customer = new { mobile } }),
            "/v2/coupon/issue/multiple", "post");
        await doc.CheckAsync(await till.GetAsync($"/v2/customers/{customerId}/coupons"), "/v2/customers/{customerId}/coupons", "get");

        var redeemed = await doc.CheckAsync(await till.PostAsJsonAsync("/v2/coupon/bulk/redeem", new
        {
            redemptionRequestList = codes.Take(2).Select(code => new { code }).ToArray(),
            transactionNumber = "T-1",
            billAmount = 100,
            user = new { mobile },
        }), "/v2/coupon/bulk/redeem", "post");
        var redemptionIds = redeemed["redemptionResponseList"]!.AsArray().Select(r => r!["redemptionId"]!.GetValue<long>()).ToList();
        await doc.CheckAsync(await till.PostAsJsonAsync("/v2/coupon/bulk/redeem",
            new { redemptionRequestList = new[] { new { code = codes[0] } }, user = new { mobile } }), "/v2/coupon/bulk/redeem", "post");
        await doc.CheckAsync(await till.GetAsync($"/v2/coupon/is_redeemable?mobile={mobile}&code={codes[2]},NOSUCHCODE&details=true"), "/v2/coupon/is_redeemable", "get");
        await doc.CheckAsync(await till.GetAsync($"/v2/coupon/is_redeemable?mobile={mobile}&code={codes[2]}"), "/v2/coupon/is_redeemable", "get");
        await doc.CheckAsync(await till.PutAsJsonAsync("/v2/coupon/redeem", new { redemptionId = redemptionIds[0], billAmount = 120, customFields = new { lane = "4" } }),
            "/v2/coupon/redeem", "put");
        await doc.CheckAsync(await till.PostAsJsonAsync("/v2/coupon/redemption/reverse", new { redemptionIds = new[] { redemptionIds[1] } }),
            "/v2/coupon/redemption/reverse", "post");
        await doc.CheckAsync(await till.GetAsync($"/v2/customers/{customerId}/coupons?coupon_code_case=LOWER"), "/v2/customers/{customerId}/coupons", "get");

        // Refusals of the pipeline: credentials, role, body.
        using var stranger = app.Client(org.AdminTill, "wrong-password");
        await doc.CheckAsync(await stranger.GetAsync("/v2/stores"), "/v2/stores", "get");
        await doc.CheckAsync(await till.GetAsync("/v2/stores"), "/v2/stores", "get");
        await doc.CheckAsync(await till.PostAsync("/v2/coupon/bulk/redeem", new StringContent("{not json", Encoding.UTF8, "application/json")),
            "/v2/coupon/bulk/redeem", "post");

        // OAuth.
        var token = await doc.CheckAsync(await app.CreateClient().PostAsJsonAsync("/v2/oauth/token", new { key = org.AdminTill, secret = org.Password }),
            "/v2/oauth/token", "post");
        Assert.Equal("Bearer", token["token_type"]!.GetValue<string>());
        await doc.CheckAsync(await app.CreateClient().PostAsJsonAsync("/v2/oauth/token", new { key = org.AdminTill, secret = "nope" }), "/v2/oauth/token", "post");

        // v1.1, JSON.
        var v11Issue = await doc.CheckAsync(await till.PostAsJsonAsync("/v1.1/coupon/issue?format=json&user_id=true",
            new { root = new { coupon = new { series_id = seriesId.ToString(), customer = new { mobile } } } }), "/v1.1/coupon/issue", "post");
        var v11Code = v11Issue["response"]!["coupon"]!["code"]!.GetValue<string>();
        await doc.CheckAsync(await till.PostAsJsonAsync("/v1.1/coupon/issue?format=json",
            new { root = new { coupon = new object[] { new { series_id = seriesId.ToString(), customer = new { mobile } }, new { series_id = "0", customer = new { mobile } } } } }),
            "/v1.1/coupon/issue", "post");
        await doc.CheckAsync(await till.GetAsync($"/v1.1/coupon/isredeemable?format=json&mobile={mobile}&code={v11Code}&details=extended&bill_amount=50"), "/v1.1/coupon/isredeemable", "get");
        await doc.CheckAsync(await till.PostAsJsonAsync("/v1.1/coupon/redeem?format=json", new
        {
            root = new
            {
                coupon = new
                {
                    code = v11Code,
                    customer = new { mobile },
                    transaction = new { number = "T-2", amount = "100" },
                    custom_fields = new { field = new[] { new { name = "lane", value = "4" } } },
                },
            },
        }), "/v1.1/coupon/redeem", "post");
        await doc.CheckAsync(await till.GetAsync($"/v1.1/coupon/get?format=json&code={v11Code},NOSUCHCODE&user_id=true"), "/v1.1/coupon/get", "get");
        await doc.CheckAsync(await till.GetAsync($"/v1.1/coupon/get?format=json&code={v11Code}"), "/v1.1/coupon/get", "get");
        await doc.CheckAsync(await till.GetAsync($"/v1.1/coupon/resend?format=json&code={v11Code}&mobile={mobile}"), "/v1.1/coupon/resend", "get");
        await doc.CheckAsync(await till.GetAsync($"/v1.1/coupon/series?format=json&id={seriesId}"), "/v1.1/coupon/series", "get");
        await doc.CheckAsync(await till.GetAsync("/v1.1/coupon/get?format=json"), "/v1.1/coupon/get", "get");
        await doc.CheckAsync(await stranger.GetAsync("/v1.1/coupon/series?format=json"), "/v1.1/coupon/series", "get");
    }

    [Fact]
    public async Task Admin_answers_match_their_documented_schemas()
    {
        var doc = await OpenApiDocument.LoadAsync(app);
        var org = await TestOrg.CreateAsync(app);
        var admin = org.Admin;
        var hook = await doc.CheckAsync(await admin.PostAsJsonAsync("/v2/webhooks", new { url = "https://example.org/hook", events = new[] { "coupon.issued" } }),
            "/v2/webhooks", "post");
        await doc.CheckAsync(await admin.GetAsync("/v2/webhooks"), "/v2/webhooks", "get");
        await doc.CheckAsync(await admin.GetAsync("/v2/outbox/messages"), "/v2/outbox/messages", "get");
        await doc.CheckAsync(await admin.GetAsync("/v2/outbox/messages/999999999"), "/v2/outbox/messages/{id}", "get");
        await doc.CheckAsync(await admin.DeleteAsync($"/v2/webhooks/{hook["id"]}"), "/v2/webhooks/{id}", "delete");
        await doc.CheckAsync(await admin.PostAsJsonAsync("/v2/tills", new { code = "t-" + Guid.NewGuid().ToString("N")[..8], password = "till-secret", storeCode = "nowhere" }),
            "/v2/tills", "post");
        await doc.CheckAsync(await admin.PostAsJsonAsync("/v2/tills", new { code = "t-" + Guid.NewGuid().ToString("N")[..8], password = "till-secret", storeCode = "main" }),
            "/v2/tills", "post");
        await doc.CheckAsync(await admin.PutAsJsonAsync("/v2/organisation", new { rateLimitPerMinute = -1 }), "/v2/organisation", "put");
        var uploaded = await org.SeriesAsync(new { seriesType = "UPLOADED" });
        await doc.CheckAsync(await admin.PostAsJsonAsync($"/v2/coupon/series/{uploaded["id"]}/codes", new[] { "AB12CD", "AB12CD" }),
            "/v2/coupon/series/{id}/codes", "post");
        await doc.CheckAsync(await admin.PostAsync("/v2/coupons/999999999/revoke", null), "/v2/coupons/{id}/revoke", "post");
    }
}

/// <summary>The document itself: what every operation must carry, and two linters' verdicts. One backend: the document does not depend on it.</summary>
public sealed class OpenApiLintTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Every_operation_has_an_id_a_summary_its_security_and_its_refusals()
    {
        var doc = await OpenApiDocument.LoadAsync(app);
        var problems = new List<string>();
        var ids = new HashSet<string>();
        foreach (var (path, method, op) in doc.Operations())
        {
            var name = $"{method.ToUpperInvariant()} {path}";
            if (op["operationId"]?.GetValue<string>() is not { } id || !ids.Add(id)) problems.Add($"{name}: no operationId, or a repeated one");
            if (string.IsNullOrWhiteSpace(op["summary"]?.GetValue<string>())) problems.Add($"{name}: no summary");
            if (op["security"] is not JsonArray { Count: > 0 }) problems.Add($"{name}: no security");
            var responses = op["responses"]!.AsObject();
            if (path != "/v2/oauth/token")
            {
                if (!responses.ContainsKey("401") || responses["401"]!["headers"]?["WWW-Authenticate"] is null) problems.Add($"{name}: no 401 with WWW-Authenticate");
                if (responses["429"]?["headers"]?["Retry-After"] is null) problems.Add($"{name}: no 429 with Retry-After");
            }
            if (method == "post" && path != "/v2/oauth/token" &&
                !(op["parameters"] as JsonArray ?? []).Any(p => p!["name"]!.GetValue<string>() == "Idempotency-Key" && p["in"]!.GetValue<string>() == "header"))
                problems.Add($"{name}: no Idempotency-Key header");
            foreach (var (status, response) in responses)
                if (status != "204" && response!["content"] is null) problems.Add($"{name} {status}: no body schema");
        }
        var text = doc.Root.ToJsonString();
        if (text.Contains("\"pattern\":\"^-?(?:0|[1-9]\\\\d*)$\"", StringComparison.Ordinal)) problems.Add("a number is still documented as integer-or-string");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Contains("basic", doc.Root["components"]!["securitySchemes"]!.AsObject().Select(s => s.Key));
        Assert.Contains("bearer", doc.Root["components"]!["securitySchemes"]!.AsObject().Select(s => s.Key));
    }

    [Fact]
    public async Task A_series_documents_its_nullable_dates_defaults_and_the_fields_only_the_service_sets()
    {
        var doc = await OpenApiDocument.LoadAsync(app);
        var series = doc.Root["components"]!["schemas"]!["Series"]!["properties"]!;
        Assert.Equal("""["null","string"]""", series["lastUsed"]!["type"]!.ToJsonString());
        Assert.Equal("date-time", series["lastUsed"]!["format"]!.GetValue<string>());
        Assert.Equal(-1, series["maxCreate"]!["default"]!.GetValue<int>());
        Assert.Equal("integer", series["maxCreate"]!["type"]!.GetValue<string>());
        Assert.True(series["numIssued"]!["readOnly"]!.GetValue<bool>());
        var issue = doc.Root["components"]!["schemas"]!["IssueMultipleRequest"]!["properties"]!;
        Assert.Equal(500, issue["count"]!["maximum"]!.GetValue<int>());
    }

    [Fact]
    public async Task Redocly_and_Spectral_find_no_error_in_the_served_document()
    {
        var doc = await OpenApiDocument.LoadAsync(app);
        var dir = Directory.CreateTempSubdirectory("coupons-openapi-");
        try
        {
            var file = Path.Combine(dir.FullName, "openapi.json");
            await File.WriteAllTextAsync(file, doc.Root.ToJsonString());
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, ".spectral.yaml"), "extends: [\"spectral:oas\"]\n");
            var (redocly, redoclyOut) = await NodeTools.RunAsync(dir.FullName, "npx", "--yes", "@redocly/cli@" + NodeTools.RedoclyVersion, "lint", "--format", "stylish", file);
            Assert.True(redocly == 0, "Redocly:\n" + redoclyOut);
            var (spectral, spectralOut) = await NodeTools.RunAsync(dir.FullName, "npx", "--yes", "@stoplight/spectral-cli@" + NodeTools.SpectralVersion, "lint",
                "--ruleset", Path.Combine(dir.FullName, ".spectral.yaml"), "--fail-severity", "error", file);
            Assert.True(spectral == 0, "Spectral:\n" + spectralOut);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}

/// <summary>Node tools run through npx (scripts/test installs node and npm when they are missing).</summary>
public static class NodeTools
{
    public const string RedoclyVersion = "2.77.0";
    public const string SpectralVersion = "6.16.3";

    public static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, string file, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["NO_COLOR"] = "1";
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
