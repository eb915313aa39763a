using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Coupons.Server.Tests;

/// <summary>
/// The service with its dispatcher pointed at real listeners on loopback: an HTTP SMS gateway (which also receives
/// webhooks) and an SMTP server. Short poll and backoff so retries happen within a test.
/// </summary>
public abstract class NotifyingApp(string connectionString) : CouponsApp(connectionString)
{
    public const int MaxAttempts = 3;
    public LoopbackHttp Gateway { get; } = LoopbackHttp.StartAsync().GetAwaiter().GetResult();
    public LoopbackSmtp Smtp { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        foreach (var (key, value) in Settings(Gateway, Smtp))
            builder.UseSetting(key, value);
    }

    public static IEnumerable<(string Key, string Value)> Settings(LoopbackHttp gateway, LoopbackSmtp smtp) =>
    [
        ("Coupons:Notifications:PollIntervalMs", "50"),
        ("Coupons:Notifications:BackoffBaseMs", "50"),
        ("Coupons:Notifications:MaxAttempts", MaxAttempts.ToString()),
        ("Coupons:Notifications:SendTimeoutMs", "5000"),
        ("Coupons:Notifications:Sms:Transport", "http"),
        ("Coupons:Notifications:Sms:Url", gateway.BaseUrl + "/sms"),
        ("Coupons:Notifications:Sms:AuthHeader", "X-Api-Key"),
        ("Coupons:Notifications:Sms:AuthValue", "gateway-key"),
        ("Coupons:Notifications:Email:Transport", "smtp"),
        ("Coupons:Notifications:Email:From", "coupons@shop.example"),
        ("Coupons:Notifications:Smtp:Host", "127.0.0.1"),
        ("Coupons:Notifications:Smtp:Port", smtp.Port.ToString()),
        ("Coupons:Notifications:Smtp:Security", "None"),
    ];

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        Gateway.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Smtp.Dispose();
    }
}

public sealed class NotifyingSqliteApp() : NotifyingApp($"Data Source={Path.Combine(Path.GetTempPath(), $"coupons-test-{Guid.NewGuid():N}.db")}")
{
    public override string Provider => "sqlite";
}

public sealed class NotifyingPostgresApp() : NotifyingApp(TestPostgres.NewDatabase())
{
    public override string Provider => "postgres";
}

public sealed class NotificationTests_Sqlite(NotifyingSqliteApp app) : NotificationTests<NotifyingSqliteApp>(app);
public sealed class NotificationTests_Postgres(NotifyingPostgresApp app) : NotificationTests<NotifyingPostgresApp>(app);

public abstract class NotificationTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : NotifyingApp
{
    const string SmsTemplate = "Hello {{cust_name}}, your voucher code is {{voucher_code}}, valid till {{valid_till}}";

    static string NewMobile() => "44" + Random.Shared.NextInt64(1_000_000_000, 9_999_999_999);
    static string NewEmail() => $"c-{Guid.NewGuid():N}@example.com";

    public static async Task Eventually(Func<Task<bool>> condition, string what, int seconds = 20)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > until) Assert.Fail($"within {seconds} s: {what}");
            await Task.Delay(50);
        }
    }

    static Task Eventually(Func<bool> condition, string what, int seconds = 20) => Eventually(() => Task.FromResult(condition()), what, seconds);

    static async Task<JsonNode> IssueAsync(HttpClient till, long seriesId, object customer, HttpStatusCode expected = HttpStatusCode.OK, object? metadata = null, int count = 1)
    {
        var response = await till.PostAsJsonAsync("/v2/coupon/issue/multiple", new { seriesId, count, customer, metadata });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    static string Code(JsonNode issued) => issued["coupons"]![0]!["code"]!.GetValue<string>();

    static long Id(JsonObject series) => series["id"]!.GetValue<long>();

    // ---- Messages to customers ---------------------------------------------------------------

    [Fact]
    public async Task Issuing_sends_one_sms_with_the_template_filled_in_and_resend_sends_it_again()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync(new { smsTemplate = SmsTemplate, validTillDate = "2031-05-17T00:00:00Z" });
        var mobile = NewMobile();
        await org.CustomerAsync(mobile: mobile, firstName: "Grace", lastName: "Hopper");

        var code = Code(await IssueAsync(till, Id(series), new { mobile }));
        var expected = $"Hello Grace Hopper, your voucher code is {code}, valid till 2031-05-17";
        await Eventually(() => app.Gateway.SmsTo(mobile).Count >= 1, "the SMS reaches the gateway");
        await Task.Delay(500);
        var sms = Assert.Single(app.Gateway.SmsTo(mobile));
        Assert.Equal(expected, sms.Json["text"]!.GetValue<string>());
        Assert.Equal("gateway-key", sms.Headers["X-Api-Key"]);

        var resent = await V11.GetAsync(till, $"/v1.1/coupon/resend?format=json&code={code}&mobile={mobile}");
        Assert.Equal(700, resent.ItemCode);
        await Eventually(() => app.Gateway.SmsTo(mobile).Count >= 2, "the resent SMS reaches the gateway");
        await Task.Delay(300);
        Assert.Equal([expected, expected], app.Gateway.SmsTo(mobile).Select(r => r.Json["text"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_email_series_sends_its_subject_and_body_over_smtp()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync(new
        {
            description = "Spring sale",
            emailSubject = "{{offer_name}}: your coupon",
            emailBody = "Dear {{first_name}}, use {{voucher}} at the till.",
        });
        var email = NewEmail();
        await org.CustomerAsync(email: email, firstName: "Ada");

        var code = Code(await IssueAsync(till, Id(series), new { email }));
        await Eventually(() => app.Smtp.To(email).Count >= 1, "the email reaches the SMTP server");
        await Task.Delay(300);
        var message = Assert.Single(app.Smtp.To(email));
        Assert.Equal("Spring sale: your coupon", message.Subject);
        Assert.Equal($"Dear Ada, use {code} at the till.", message.TextBody?.Trim());
        Assert.Equal("coupons@shop.example", message.From.Mailboxes.Single().Address);
        Assert.DoesNotContain(app.Gateway.Received, r => r.Body.Contains(code));
    }

    [Fact]
    public async Task A_rolled_back_issue_sends_nothing()
    {
        // The second coupon of this issue fails inside the database, after the first coupon and its outbox row
        // were written in the same transaction: all of it rolls back, so no message may leave.
        var org = await TestOrg.CreateAsync(app); // starts the app, which creates the tables the trigger needs
        await InstallFailingTriggerAsync();
        var till = await org.TillAsync();
        var series = await org.SeriesAsync(new { smsTemplate = SmsTemplate, isMultipleVouchersPerUserAllowed = true });
        string doomed = NewMobile(), control = NewMobile();
        var doomedId = await org.CustomerAsync(mobile: doomed);
        await org.CustomerAsync(mobile: control);

        await IssueAsync(till, Id(series), new { mobile = doomed }, HttpStatusCode.InternalServerError, new { notes = "rollback-test" }, count: 2);
        await IssueAsync(till, Id(series), new { mobile = control });

        await Eventually(() => app.Gateway.SmsTo(control).Count == 1, "the control message is delivered");
        await Task.Delay(300);
        Assert.Empty(app.Gateway.SmsTo(doomed));
        Assert.Equal(HttpStatusCode.NotFound, (await org.Admin.GetAsync($"/v2/customers/{doomedId}/coupons")).StatusCode);
    }

    async Task InstallFailingTriggerAsync()
    {
        if (app.Provider == "sqlite")
        {
            await using var c = new SqliteConnection(app.ConnectionString);
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = """
                CREATE TRIGGER IF NOT EXISTS rollback_test BEFORE INSERT ON coupons
                WHEN NEW.metadata LIKE '%rollback-test%'
                 AND EXISTS (SELECT 1 FROM coupons WHERE customer_id = NEW.customer_id AND metadata LIKE '%rollback-test%')
                BEGIN SELECT RAISE(ABORT, 'rollback test'); END;
                """;
            await cmd.ExecuteNonQueryAsync();
        }
        else
        {
            await using var c = new NpgsqlConnection(app.ConnectionString);
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand("""
                CREATE OR REPLACE FUNCTION rollback_test() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF NEW.metadata LIKE '%rollback-test%'
                     AND EXISTS (SELECT 1 FROM coupons WHERE customer_id = NEW.customer_id AND metadata LIKE '%rollback-test%') THEN
                    RAISE EXCEPTION 'rollback test';
                  END IF;
                  RETURN NEW;
                END $$;
                CREATE OR REPLACE TRIGGER rollback_test BEFORE INSERT ON coupons FOR EACH ROW EXECUTE FUNCTION rollback_test();
                """, c);
            await cmd.ExecuteNonQueryAsync();
        }
    }

    // ---- Retries and dead letters -----------------------------------------------------------

    [Fact]
    public async Task A_gateway_answering_500_is_retried_until_it_accepts()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync(new { smsTemplate = "{{voucher}}" });
        var mobile = NewMobile();
        await org.CustomerAsync(mobile: mobile);
        app.Gateway.FailFor[mobile] = NotifyingApp.MaxAttempts - 1;

        var code = Code(await IssueAsync(till, Id(series), new { mobile }));
        await Eventually(() => app.Gateway.SmsTo(mobile).Count >= NotifyingApp.MaxAttempts, "the gateway is tried again after each 500");
        var id = await MessageIdAsync(org, mobile);
        await Eventually(async () => (await MessageAsync(org, id))["message"]!["status"]!.GetValue<string>() == "sent", "the message is marked sent");

        var detail = await MessageAsync(org, id);
        Assert.Equal(code, detail["message"]!["body"]!.GetValue<string>());
        var attempts = detail["attempts"]!.AsArray();
        Assert.Equal([false, false, true], attempts.Select(a => a!["ok"]!.GetValue<bool>()));
        Assert.Contains("500", attempts[0]!["error"]!.GetValue<string>());
        Assert.Equal(NotifyingApp.MaxAttempts, app.Gateway.SmsTo(mobile).Count);
    }

    [Fact]
    public async Task A_message_that_keeps_failing_is_parked_dead_and_an_admin_retry_sends_it()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync(new { smsTemplate = "{{voucher}}" });
        var mobile = NewMobile();
        await org.CustomerAsync(mobile: mobile);
        app.Gateway.FailFor[mobile] = int.MaxValue;

        await IssueAsync(till, Id(series), new { mobile });
        await Eventually(async () => (await DeadAsync(org)).Any(m => m!["recipient"]!.GetValue<string>() == mobile), "the message is listed as dead");
        var id = await MessageIdAsync(org, mobile);
        await Task.Delay(300);
        Assert.Equal(NotifyingApp.MaxAttempts, app.Gateway.SmsTo(mobile).Count);
        var detail = await MessageAsync(org, id);
        Assert.Equal(NotifyingApp.MaxAttempts, detail["attempts"]!.AsArray().Count);
        Assert.Contains("HTTP 500", detail["message"]!["lastError"]!.GetValue<string>());

        // Another organisation sees none of it, and a plain till may not look.
        var other = await TestOrg.CreateAsync(app);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.GetAsync($"/v2/outbox/messages/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.PostAsync($"/v2/outbox/messages/{id}/retry", null)).StatusCode);
        Assert.DoesNotContain((await DeadAsync(other)), m => m!["id"]!.GetValue<long>() == id);
        Assert.Equal(HttpStatusCode.Forbidden, (await till.GetAsync("/v2/outbox/messages")).StatusCode);

        app.Gateway.FailFor.TryRemove(mobile, out _);
        Assert.Equal(HttpStatusCode.OK, (await org.Admin.PostAsync($"/v2/outbox/messages/{id}/retry", null)).StatusCode);
        await Eventually(async () => (await MessageAsync(org, id))["message"]!["status"]!.GetValue<string>() == "sent", "the retried message is sent");
        Assert.Equal(NotifyingApp.MaxAttempts + 1, app.Gateway.SmsTo(mobile).Count);
        Assert.Equal(HttpStatusCode.Conflict, (await org.Admin.PostAsync($"/v2/outbox/messages/{id}/retry", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await org.Admin.GetAsync("/v2/outbox/messages?status=lost")).StatusCode);
    }

    [Fact]
    public async Task The_console_lists_a_dead_message_with_its_attempts_and_retries_it()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync(new { smsTemplate = "Code {{voucher}}" });
        var mobile = NewMobile();
        await org.CustomerAsync(mobile: mobile);
        app.Gateway.FailFor[mobile] = int.MaxValue;
        await IssueAsync(till, Id(series), new { mobile });
        await Eventually(async () => (await DeadAsync(org)).Any(m => m!["recipient"]!.GetValue<string>() == mobile), "the message is listed as dead");
        var id = await MessageIdAsync(org, mobile);

        var browser = await ConsoleBrowser.SignedInAsync(app, org.AdminTill, org.Password);
        var dead = await browser.GetHtmlAsync("/console/outbox?status=dead");
        Assert.Contains(mobile, dead);
        Assert.Contains("HTTP 500", dead);
        var detail = await browser.GetHtmlAsync($"/console/outbox?status=dead&id={id}");
        Assert.Contains("id=\"attempts\"", detail);
        Assert.Contains("Code ", detail);
        var other = await TestOrg.CreateAsync(app);
        Assert.DoesNotContain(mobile, await (await ConsoleBrowser.SignedInAsync(app, other.AdminTill, other.Password)).GetHtmlAsync("/console/outbox?status=dead"));

        app.Gateway.FailFor.TryRemove(mobile, out _);
        var retried = await browser.PostFormAsync("/console/outbox?status=dead", "/console/outbox?handler=Retry", new() { ["id"] = id.ToString(), ["status"] = "dead" });
        Assert.Equal(HttpStatusCode.Redirect, retried.Status);
        await Eventually(async () => (await MessageAsync(org, id))["message"]!["status"]!.GetValue<string>() == "sent", "the retried message is sent");
        Assert.DoesNotContain(mobile, await browser.GetHtmlAsync("/console/outbox?status=dead"));
        Assert.Contains(mobile, await browser.GetHtmlAsync("/console/outbox?status=sent"));
    }

    static async Task<JsonArray> DeadAsync(TestOrg org) => (await (await org.Admin.GetAsync("/v2/outbox/messages?status=dead")).Json())["messages"]!.AsArray();

    static async Task<long> MessageIdAsync(TestOrg org, string recipient)
    {
        var all = (await (await org.Admin.GetAsync("/v2/outbox/messages")).Json())["messages"]!.AsArray();
        return all.Single(m => m!["recipient"]!.GetValue<string>() == recipient)!["id"]!.GetValue<long>();
    }

    static async Task<JsonNode> MessageAsync(TestOrg org, long id)
    {
        var response = await org.Admin.GetAsync($"/v2/outbox/messages/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Json();
    }

    // ---- Webhooks ---------------------------------------------------------------------------

    /// <summary>The README's recipe, written out independently of the server's code.</summary>
    static bool Verifies(string secret, string header, string body)
    {
        var parts = header.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{parts["t"]}.{body}"));
        var fresh = Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(parts["t"])) < 300;
        return fresh && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(mac)), Encoding.ASCII.GetBytes(parts["v1"]));
    }

    [Fact]
    public async Task Events_nobody_receives_leave_no_outbox_row_and_a_webhook_or_a_message_brings_them_back()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var silent = await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true });
        var mobile = NewMobile();
        await org.CustomerAsync(mobile: mobile);

        // No template, no webhook: the issue and the redemption happen, and nothing is written for the dispatcher.
        var first = Code(await IssueAsync(till, Id(silent), new { mobile }));
        Assert.Equal(HttpStatusCode.OK, (await V11.RedeemAsync(till, first, mobile)).Http);
        Assert.Equal(0, await OutboxRowsAsync(org, "coupon.issued"));
        Assert.Equal(0, await OutboxRowsAsync(org, "coupon.redeemed"));

        // A webhook for redemptions only: the next redemption is written (and delivered), the next issue still not.
        var path = $"/hooks/{Guid.NewGuid():N}";
        Assert.True((await org.Admin.PostAsJsonAsync("/v2/webhooks", new { url = app.Gateway.BaseUrl + path, events = new[] { "coupon.redeemed" } })).IsSuccessStatusCode);
        var second = Code(await IssueAsync(till, Id(silent), new { mobile }));
        Assert.Equal(HttpStatusCode.OK, (await V11.RedeemAsync(till, second, mobile)).Http);
        Assert.Equal(0, await OutboxRowsAsync(org, "coupon.issued"));
        Assert.Equal(1, await OutboxRowsAsync(org, "coupon.redeemed"));
        await Eventually(() => app.Gateway.At(path).Count >= 1, "the coupon.redeemed webhook arrives");
        Assert.Equal(second, Assert.Single(app.Gateway.At(path)).Json["data"]!["code"]!.GetValue<string>());

        // A series with an SMS text: its issue is written for the customer's message, webhook or not.
        var texting = await org.SeriesAsync(new { smsTemplate = SmsTemplate });
        await IssueAsync(till, Id(texting), new { mobile });
        Assert.Equal(1, await OutboxRowsAsync(org, "coupon.issued"));
        await Eventually(() => app.Gateway.SmsTo(mobile).Count >= 1, "the SMS reaches the gateway");
    }

    async Task<long> OutboxRowsAsync(TestOrg org, string kind)
    {
        await using var c = await app.OpenDatabaseAsync();
        return await Dapper.SqlMapper.ExecuteScalarAsync<long>(c, "SELECT COUNT(*) FROM outbox WHERE org_id = @orgId AND kind = @kind", new { orgId = org.OrgId, kind });
    }

    [Fact]
    public async Task Webhooks_are_signed_so_the_documented_recipe_verifies_them()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync();
        var mobile = NewMobile();
        await org.CustomerAsync(mobile: mobile);
        var path = $"/hooks/{Guid.NewGuid():N}";
        var registered = await (await org.Admin.PostAsJsonAsync("/v2/webhooks", new { url = app.Gateway.BaseUrl + path, events = new[] { "coupon.issued", "coupon.redeemed" } })).Json();
        var secret = registered["secret"]!.GetValue<string>();
        Assert.StartsWith("whsec_", secret);

        var code = Code(await IssueAsync(till, Id(series), new { mobile }));
        await Eventually(() => app.Gateway.At(path).Count >= 1, "the coupon.issued webhook arrives");
        var issued = Assert.Single(app.Gateway.At(path));
        Assert.Equal("coupon.issued", issued.Headers["X-Coupons-Event"]);
        Assert.True(Verifies(secret, issued.Headers["X-Coupons-Signature"], issued.Body), issued.Headers["X-Coupons-Signature"]);
        Assert.False(Verifies(secret, issued.Headers["X-Coupons-Signature"], issued.Body.Replace(code, "TAMPERED")));
        Assert.False(Verifies(secret + "x", issued.Headers["X-Coupons-Signature"], issued.Body));
        Assert.Equal("coupon.issued", issued.Json["type"]!.GetValue<string>());
        Assert.Equal(code, issued.Json["data"]!["code"]!.GetValue<string>());

        // A bulk redemption that fails as a whole rolls back its coupon.redeemed event with it.
        var refused = await till.PostAsJsonAsync("/v2/coupon/bulk/redeem", new
        {
            redemptionRequestList = new[] { new { code }, new { code = "NO-SUCH-CODE" } },
            transactionNumber = "T-1",
            billAmount = 100,
            user = new { mobile },
        });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var redeemed = await till.PostAsJsonAsync("/v2/coupon/bulk/redeem", new
        {
            redemptionRequestList = new[] { new { code } },
            transactionNumber = "T-2",
            billAmount = 100,
            user = new { mobile },
        });
        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        await Eventually(() => app.Gateway.At(path).Count >= 2, "the coupon.redeemed webhook arrives");
        await Task.Delay(300);
        var second = app.Gateway.At(path)[1];
        Assert.Equal(2, app.Gateway.At(path).Count);
        Assert.Equal("coupon.redeemed", second.Json["type"]!.GetValue<string>());
        Assert.True(Verifies(secret, second.Headers["X-Coupons-Signature"], second.Body));

        var listed = await (await org.Admin.GetAsync("/v2/webhooks")).Json();
        var endpoint = Assert.Single(listed["webhooks"]!.AsArray());
        Assert.Null(endpoint!["secret"]);
        Assert.DoesNotContain(secret, listed.ToJsonString());
        var other = await TestOrg.CreateAsync(app);
        Assert.Empty((await (await other.Admin.GetAsync("/v2/webhooks")).Json())["webhooks"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.DeleteAsync($"/v2/webhooks/{endpoint["id"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await org.Admin.DeleteAsync($"/v2/webhooks/{endpoint["id"]}")).StatusCode);
    }

    [Fact]
    public async Task Registering_a_webhook_needs_a_url_and_known_events()
    {
        var org = await TestOrg.CreateAsync(app);
        foreach (var body in new object[]
                 {
                     new { url = "not a url", events = new[] { "coupon.issued" } },
                     new { url = "ftp://example.com/x", events = new[] { "coupon.issued" } },
                     new { url = "https://example.com/x", events = Array.Empty<string>() },
                     new { url = "https://example.com/x", events = new[] { "coupon.exploded" } },
                 })
        {
            var response = await org.Admin.PostAsJsonAsync("/v2/webhooks", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(400, (await response.Json()).ErrorCode());
        }
    }

    // ---- Validation: templates at save, contacts at issue -----------------------------------

    [Fact]
    public async Task A_series_with_an_unknown_placeholder_is_refused_with_744_naming_it()
    {
        var org = await TestOrg.CreateAsync(app);
        var created = await org.Admin.PostAsJsonAsync("/v2/coupon/series", new { seriesCode = "BAD-TPL", smsTemplate = "Hi {{nick_name}}, {{voucher}}" });
        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        var body = await created.Json();
        Assert.Equal(744, body.ErrorCode());
        Assert.Contains("{{nick_name}}", body["errors"]![0]!["message"]!.GetValue<string>());

        var series = await org.SeriesAsync();
        var updated = await org.Admin.PutAsJsonAsync($"/v2/coupon/series/{Id(series)}", new { seriesCode = "OK-TPL", emailBody = "{{coupon}}" });
        Assert.Equal(HttpStatusCode.BadRequest, updated.StatusCode);
        var message = (await updated.Json())["errors"]![0]!["message"]!.GetValue<string>();
        Assert.Contains("emailBody", message);
        Assert.Contains("{{coupon}}", message);
    }

    [Fact]
    public async Task An_sms_series_refuses_a_customer_without_mobile_704_and_an_email_series_one_without_email_724()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var smsSeries = await org.SeriesAsync(new { smsTemplate = "{{voucher}}" });
        var emailSeries = await org.SeriesAsync(new { emailBody = "{{voucher}}" });
        var email = NewEmail();
        var mobile = NewMobile();
        await org.CustomerAsync(email: email);
        await org.CustomerAsync(mobile: mobile);

        var v11 = await V11.PostAsync(till, "/v1.1/coupon/issue?format=json",
            V11.Root(new JsonObject { ["series_id"] = Id(smsSeries).ToString(), ["customer"] = V11.Customer(email: email) }));
        Assert.Equal(704, v11.ItemCode);
        Assert.Equal(704, (await IssueAsync(till, Id(smsSeries), new { email }, HttpStatusCode.BadRequest)).ErrorCode());
        Assert.Equal(724, (await IssueAsync(till, Id(emailSeries), new { mobile }, HttpStatusCode.BadRequest)).ErrorCode());
        await IssueAsync(till, Id(smsSeries), new { mobile });
        await IssueAsync(till, Id(emailSeries), new { email });
    }
}
