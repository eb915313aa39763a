using Coupons.Guarantees;
using Dapper;
using Xunit.Abstractions;

namespace Coupons.Server.Tests;

[CollectionDefinition("guarantees", DisableParallelization = true)]
public sealed class GuaranteesCollection;

[Collection("guarantees")]
public sealed class GuaranteesTests_Sqlite(ITestOutputHelper output) : GuaranteesTests(output, "sqlite");
[Collection("guarantees")]
public sealed class GuaranteesTests_Postgres(ITestOutputHelper output) : GuaranteesTests(output, "postgres");

/// <summary>
/// The short run of each check of the guarantees harness (tools/Coupons.Guarantees), through the same code as
/// <c>scripts/guarantees</c>: real server processes, real databases, SQL checks afterwards. Zero violations, always.
/// </summary>
public abstract class GuaranteesTests(ITestOutputHelper output, string provider)
{
    async Task RunAsync(string check)
    {
        var log = new StringWriter();
        var report = await Guarantees.Guarantees.RunAsync(check, provider, Scale.Short, log);
        output.WriteLine(log.ToString());
        output.WriteLine(report.Summary());
        Assert.True(report.Attempts > 0, report.Summary());
        Assert.True(report.Violations.Count == 0, report.Summary());
    }

    [Fact]
    public Task Concurrency_short_run_keeps_every_limit() => RunAsync("concurrency");

    [Fact]
    public Task Crash_safety_short_run_loses_nothing_answered() => RunAsync("crash");

    [Fact]
    public Task Hostile_input_short_run_gets_no_5xx_and_always_the_envelope() => RunAsync("hostile");

    [Fact]
    public Task Isolation_short_run_refuses_and_leaks_nothing() => RunAsync("isolation");

    /// <summary>The harness can fail: a counter one off its rows, and a redemption without its outbox message, are both found.</summary>
    [Fact]
    public async Task The_invariants_find_a_counter_off_its_rows_and_a_lost_outbox_message()
    {
        var db = await Database.CreateAsync(provider);
        try
        {
            await using (var server = await ServerProcess.StartAsync(db))
            {
                using var api = new Api([server.BaseAddress]);
                var org = new Coupons.Guarantees.Org(api, new Credentials(ServerProcess.BootstrapTill, ServerProcess.BootstrapPassword));
                await org.WatchEveryEventAsync();
                var series = (await org.SeriesAsync(new() { ["isMultipleVouchersPerUserAllowed"] = true }))["id"]!.GetValue<long>();
                var customer = new Customer(await org.CustomerAsync("447000000001"), "447000000001");
                var coupons = await org.IssueAsync(org.Admin, series, customer, 2);
                await org.RedeemAsync(org.Admin, coupons[0], "T1");
            }
            var clean = new Report("invariants", provider);
            await Invariants.CheckAsync(db, clean);
            Assert.Empty(clean.Violations);

            await using (var c = await db.OpenAsync())
            {
                await c.ExecuteAsync("UPDATE series SET num_issued = num_issued + 1");
                await c.ExecuteAsync("DELETE FROM outbox WHERE kind = 'coupon.redeemed'");
            }
            var broken = new Report("invariants", provider);
            await Invariants.CheckAsync(db, broken);
            Assert.Contains(broken.Violations, v => v.Contains("num_issued 3 but 2 issued coupons"));
            Assert.Contains(broken.Violations, v => v.Contains("without a coupon.redeemed message"));
        }
        finally
        {
            await db.DropAsync();
        }
    }

    /// <summary>Request bodies are limited by Kestrel, which the in-process test server does not run: these go to the real executable.</summary>
    [Fact]
    public async Task Bodies_over_1_MB_get_413_in_the_envelope_and_code_uploads_take_up_to_8_MB()
    {
        var db = await Database.CreateAsync(provider);
        try
        {
            await using var server = await ServerProcess.StartAsync(db);
            using var api = new Api([server.BaseAddress]);
            var admin = new Credentials(ServerProcess.BootstrapTill, ServerProcess.BootstrapPassword);
            var org = new Coupons.Guarantees.Org(api, admin);
            var big = new byte[2 * 1024 * 1024];
            Array.Fill(big, (byte)' ');
            big[0] = (byte)'{';
            big[^1] = (byte)'}';

            var v2 = await api.SendAsync(HttpMethod.Post, "/v2/coupon/bulk/redeem", admin, big, "application/json");
            Assert.Equal(413, v2.Status);
            Assert.Equal(629, Answers.V2ErrorCode(v2));

            var v11 = await api.SendAsync(HttpMethod.Post, "/v1.1/coupon/redeem", admin, big, "application/json");
            Assert.Equal(413, v11.Status);
            Assert.Equal("629", Answers.Str(v11.Json()?["response"]?["status"]?["code"]));

            var uploaded = (await org.SeriesAsync(new() { ["seriesType"] = "UPLOADED" }))["id"]!.GetValue<long>();
            // A CSV's first column is the code; the rest of each line (a long note here) only makes the body large.
            var codes = "code,note\n" + string.Join("\n", Enumerable.Range(0, 1_000).Select(i => $"UPLOADED-{i:D6},{new string('n', 2_200)}"));
            var upload = await api.SendAsync(HttpMethod.Post, $"/v2/coupon/series/{uploaded}/codes", admin, System.Text.Encoding.UTF8.GetBytes(codes), "text/csv");
            Assert.True(codes.Length > 2 * 1024 * 1024);
            Assert.Equal(200, upload.Status);
            Assert.Equal(1_000, upload.Json()!["stored"]!.GetValue<int>());
        }
        finally
        {
            await db.DropAsync();
        }
    }
}
