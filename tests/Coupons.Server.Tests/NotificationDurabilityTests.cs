using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Coupons.Core;
using Coupons.Server.Auth;
using Coupons.Storage;

namespace Coupons.Server.Tests;

/// <summary>
/// What the outbox promises beyond one process: a message committed before the server is killed is sent after a
/// restart; on PostgreSQL, nodes sharing the database take each message once, and a lease that ran out hands the
/// message to another node whose result wins.
/// </summary>
public sealed class NotificationDurabilityTests
{
    static Process Start(int port, string provider, string connectionString, LoopbackHttp gateway, LoopbackSmtp smtp, bool dispatch) =>
        ServerProcesses.Start(port, provider, connectionString, settings: NotifyingApp.Settings(gateway, smtp)
            .Append(("Coupons:Notifications:Enabled", dispatch ? "true" : "false")));

    static async Task HealthyAsync(int port) =>
        Assert.Equal(HttpStatusCode.OK, await ServerProcesses.HealthWithinAsync(port, TimeSpan.FromSeconds(60)));

    [Fact]
    public Task On_SQLite_a_message_committed_before_the_server_is_killed_is_sent_after_restart() =>
        KilledBetweenCommitAndDeliveryAsync("sqlite", $"Data Source={Path.Combine(Path.GetTempPath(), $"coupons-kill-{Guid.NewGuid():N}.db")}");

    [Fact]
    public Task On_PostgreSQL_a_message_committed_before_the_server_is_killed_is_sent_after_restart() =>
        KilledBetweenCommitAndDeliveryAsync("postgres", TestPostgres.NewDatabase());

    static async Task KilledBetweenCommitAndDeliveryAsync(string provider, string cs)
    {
        await using var gateway = await LoopbackHttp.StartAsync();
        using var smtp = new LoopbackSmtp();
        var mobile = "4477" + Random.Shared.Next(10_000_000, 99_999_999);
        string code;

        // First life: the issue commits (coupon and outbox row), and the process dies before anything is sent.
        var port = ServerProcesses.FreePort();
        using (var first = Start(port, provider, cs, gateway, smtp, dispatch: false))
        {
            try
            {
                await HealthyAsync(port);
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ServerProcesses.BootstrapTill}:{ServerProcesses.BootstrapPassword}")));
                (await http.PostAsJsonAsync("/v2/customers", new { profiles = new[] { new { firstName = "Kim", lastName = "Lee", identifiers = new[] { new { type = "mobile", value = mobile } } } } })).EnsureSuccessStatusCode();
                var series = await (await http.PostAsJsonAsync("/v2/coupon/series", new { seriesCode = "KILL", smsTemplate = "Hi {{first_name}}: {{voucher_code}}" })).Json();
                var issued = await (await http.PostAsJsonAsync("/v2/coupon/issue/multiple", new { seriesId = series["id"]!.GetValue<long>(), count = 1, customer = new { mobile } })).Json();
                code = issued["coupons"]![0]!["code"]!.GetValue<string>();
            }
            finally
            {
                first.Kill(entireProcessTree: true);
                await first.WaitForExitAsync();
            }
        }
        Assert.Empty(gateway.SmsTo(mobile));

        // Second life: the dispatcher finds the committed message and sends it, once.
        port = ServerProcesses.FreePort();
        using var second = Start(port, provider, cs, gateway, smtp, dispatch: true);
        try
        {
            await NotificationTests<NotifyingSqliteApp>.Eventually(() => Task.FromResult(gateway.SmsTo(mobile).Count >= 1), "the message is sent after the restart", 60);
            await Task.Delay(500);
            var sms = Assert.Single(gateway.SmsTo(mobile));
            Assert.Equal($"Hi Kim: {code}", sms.Json["text"]!.GetValue<string>());
        }
        finally
        {
            second.Kill(entireProcessTree: true);
        }
    }

    /// <summary>An organisation with one SMS series, one customer, a webhook endpoint and <paramref name="coupons"/> issued coupons, through the store.</summary>
    static async Task<long> IssueThroughStoreAsync(ICouponStore store, int coupons)
    {
        await store.MigrateAsync();
        var till = $"t-{Guid.NewGuid():N}"[..12];
        var orgId = (await store.CreateOrganisationAsync("Nodes", "main", "Main", till, PasswordHasher.Hash("password-1"))).Value;
        var caller = (await store.FindLoginAsync(till))!.Caller;
        await store.CreateCustomerAsync(orgId, new Customer { FirstName = "N", Mobile = "447700900123" });
        var series = (await store.CreateSeriesAsync(orgId, caller.Till.Id, new Series { SeriesCode = "NODES", SmsTemplate = "{{voucher}}", IsMultipleVouchersPerUserAllowed = true })).Value!;
        await store.CreateWebhookAsync(orgId, "http://127.0.0.1:9/hook", CouponEvents.All, "secret");
        var issued = await store.IssueAsync(caller, series.Id, new CustomerRef(Mobile: "447700900123"), coupons);
        Assert.Equal(coupons, issued.Coupons.Count);
        return orgId;
    }

    [Fact]
    public async Task On_PostgreSQL_two_nodes_expand_and_claim_each_message_once()
    {
        var cs = TestPostgres.NewDatabase();
        var nodes = new[] { StoreFactory.Create("postgres", cs, TimeProvider.System), StoreFactory.Create("postgres", cs, TimeProvider.System) };
        try
        {
            var orgId = await IssueThroughStoreAsync(nodes[0], 40);
            var claims = await Task.WhenAll(nodes.Select(async node =>
            {
                var mine = new List<long>();
                for (var idle = 0; idle < 3;)
                {
                    var expanded = await node.ExpandOutboxAsync(3);
                    var claimed = await node.ClaimDeliveriesAsync(4, TimeSpan.FromMinutes(5));
                    mine.AddRange(claimed.Select(c => c.Delivery.Id));
                    idle = expanded == 0 && claimed.Count == 0 ? idle + 1 : 0;
                }
                return mine;
            }));
            // 40 events, each one SMS and one webhook delivery; every delivery claimed by exactly one node.
            Assert.Equal(80, claims[0].Count + claims[1].Count);
            Assert.Empty(claims[0].Intersect(claims[1]));
            Assert.Equal(80, (await nodes[0].ListDeliveriesAsync(orgId, "sending", 0, 500)).Count);
        }
        finally
        {
            foreach (var node in nodes) await ((IAsyncDisposable)node).DisposeAsync();
        }
    }

    [Fact]
    public async Task On_PostgreSQL_a_delivery_whose_lease_ran_out_goes_to_another_node_and_the_first_cannot_settle_it()
    {
        var cs = TestPostgres.NewDatabase();
        var nodes = new[] { StoreFactory.Create("postgres", cs, TimeProvider.System), StoreFactory.Create("postgres", cs, TimeProvider.System) };
        try
        {
            var orgId = await IssueThroughStoreAsync(nodes[0], 1);
            await nodes[0].ExpandOutboxAsync(10);
            var stalled = await nodes[0].ClaimDeliveriesAsync(10, TimeSpan.FromMilliseconds(1));
            Assert.Equal(2, stalled.Count);
            await Task.Delay(50);
            var takenOver = await nodes[1].ClaimDeliveriesAsync(10, TimeSpan.FromMinutes(5));
            Assert.Equal(stalled.Select(c => c.Delivery.Id).Order(), takenOver.Select(c => c.Delivery.Id).Order());
            Assert.All(takenOver, c => Assert.Equal(2, c.Delivery.Attempts));
            Assert.Equal("secret", takenOver.Single(c => c.Delivery.Channel == "webhook").Secret);

            var now = DateTimeOffset.UtcNow;
            foreach (var c in takenOver)
                Assert.True(await nodes[1].SettleDeliveryAsync(c.Delivery, new AttemptOutcome(true, null, now, 5), 3));
            foreach (var c in stalled)
                Assert.False(await nodes[0].SettleDeliveryAsync(c.Delivery, new AttemptOutcome(false, "late", now, 5, TimeSpan.Zero), 3));
            var sent = await nodes[0].ListDeliveriesAsync(orgId, "sent", 0, 10);
            Assert.Equal(2, sent.Count);
            var (_, attempts) = (await nodes[0].GetDeliveryAsync(orgId, sent[0].Id))!.Value;
            Assert.Equal(2, attempts.Count);
        }
        finally
        {
            foreach (var node in nodes) await ((IAsyncDisposable)node).DisposeAsync();
        }
    }
}
