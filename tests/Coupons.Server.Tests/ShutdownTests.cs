using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;

namespace Coupons.Server.Tests;

/// <summary>SIGTERM to the real executable under load, as an orchestrator stops a node for a deploy.</summary>
public sealed class ShutdownTests
{
    const int Clients = 16;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task On_SIGTERM_under_load_every_answered_issue_is_stored_none_is_cut_off_and_claimed_deliveries_are_handed_back(string provider)
    {
        var cs = provider == "sqlite" ? $"Data Source={Path.Combine(Path.GetTempPath(), $"coupons-stop-{Guid.NewGuid():N}.db")}" : TestPostgres.NewDatabase();
        // An SMS gateway that takes connections and never answers: the dispatcher's sends hang, their deliveries claimed.
        var gateway = new TcpListener(IPAddress.Loopback, 0);
        gateway.Start();
        var held = new List<TcpClient>();
        _ = Task.Run(async () =>
        {
            while (true) held.Add(await gateway.AcceptTcpClientAsync());
        });
        var port = ServerProcesses.FreePort();
        using var p = ServerProcesses.StartCapturing(port, provider, cs,
        [
            ("Coupons:Shutdown:TimeoutSeconds", "20"),
            ("Coupons:Notifications:PollIntervalMs", "50"),
            ("Coupons:Notifications:SendTimeoutMs", "60000"),
            ("Coupons:Notifications:Sms:Transport", "http"),
            ("Coupons:Notifications:Sms:Url", $"http://127.0.0.1:{((IPEndPoint)gateway.LocalEndpoint).Port}/sms"),
            ("Logging:LogLevel:Coupons.Server.Notifications", "Information"),
        ], out var output);
        try
        {
            Assert.Equal(HttpStatusCode.OK, await ServerProcesses.HealthWithinAsync(port, TimeSpan.FromSeconds(60)));
            var baseUrl = $"http://127.0.0.1:{port}";
            var auth = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ServerProcesses.BootstrapTill}:{ServerProcesses.BootstrapPassword}")));
            using var admin = new HttpClient { BaseAddress = new Uri(baseUrl) };
            admin.DefaultRequestHeaders.Authorization = auth;
            var series = await admin.PostAsJsonAsync("/v2/coupon/series", new
            {
                seriesCode = "STOP",
                description = "stop test",
                discountValue = 1,
                isMultipleVouchersPerUserAllowed = true,
                smsTemplate = "Your code {{voucher_code}}",
            });
            Assert.True(series.IsSuccessStatusCode, await series.Content.ReadAsStringAsync());
            var seriesId = (await series.Json())["id"]!.GetValue<long>();
            const string mobile = "447700900123";
            var customer = await admin.PostAsJsonAsync("/v2/customers", new { profiles = new[] { new { firstName = "Ada", lastName = "Lovelace", identifiers = new[] { new { type = "mobile", value = mobile } } } } });
            Assert.True(customer.IsSuccessStatusCode);

            var answered = new System.Collections.Concurrent.ConcurrentBag<string>();
            int refused = 0, notTaken = 0, cutOff = 0;
            string? firstRefusal = null;
            var cutOffErrors = new System.Collections.Concurrent.ConcurrentBag<string>();
            var body = V11.Root(new JsonObject { ["series_id"] = seriesId.ToString(), ["customer"] = V11.Customer(mobile) }).ToJsonString();
            var load = Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
            {
                using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };
                http.DefaultRequestHeaders.Authorization = auth;
                while (true)
                {
                    HttpResponseMessage response;
                    try
                    {
                        response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1.1/coupon/issue?format=json")
                        {
                            Content = new StringContent(body, Encoding.UTF8, "application/json"),
                        }, HttpCompletionOption.ResponseHeadersRead);
                    }
                    catch (HttpRequestException)
                    {
                        // No answer began: the node had stopped taking requests (or closed an idle connection as it stopped).
                        Interlocked.Increment(ref notTaken);
                        if (p.HasExited) return;
                        await Task.Delay(20);
                        continue;
                    }
                    string text;
                    try
                    {
                        text = await response.Content.ReadAsStringAsync();
                    }
                    catch (Exception e) when (e is HttpRequestException or IOException)
                    {
                        // An answer that began and did not end: cut off mid-answer.
                        Interlocked.Increment(ref cutOff);
                        cutOffErrors.Add($"{e.GetType().Name}: {e.Message}");
                        continue;
                    }
                    var root = JsonNode.Parse(text)!["response"]!;
                    var item = V11.Single(root["coupon"] ?? root["coupons"]!["coupon"]!);
                    if (response.StatusCode == HttpStatusCode.OK && V11.Code(item) == 700) answered.Add(V11.Text(item["code"]));
                    else if (Interlocked.Increment(ref refused) == 1) firstRefusal = text;
                }
            })).ToArray();

            // Under load: a fresh process on a busy machine (the whole suite running) took over 2 s for its first answers.
            for (var waited = Stopwatch.StartNew(); answered.Count < 20 && waited.Elapsed < TimeSpan.FromSeconds(60);) await Task.Delay(100);
            var inFlightAtStop = answered.Count;
            Assert.True(inFlightAtStop > 0, $"no issue answered before SIGTERM: {refused} refused ({firstRefusal}), {notTaken} not taken");
            var stopwatch = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", $"-TERM {p.Id}")!) await kill.WaitForExitAsync();
            var exited = p.WaitForExit(TimeSpan.FromSeconds(40));
            stopwatch.Stop();
            Assert.True(exited, $"still running 40 s after SIGTERM:\n{output}");
            Assert.Equal(0, p.ExitCode);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(25), $"took {stopwatch.Elapsed} to stop");
            await Task.WhenAll(load).WaitAsync(TimeSpan.FromSeconds(60));

            Assert.True(cutOff == 0, $"{cutOff} answers cut off: {string.Join("; ", cutOffErrors.Take(5))}");
            await using var db = provider == "sqlite" ? (System.Data.Common.DbConnection)new Microsoft.Data.Sqlite.SqliteConnection(cs) : new Npgsql.NpgsqlConnection(cs);
            await db.OpenAsync();
            var stored = (await db.QueryAsync<string>("SELECT code FROM coupons WHERE series_id = @seriesId", new { seriesId })).ToHashSet();
            var missing = answered.Where(c => !stored.Contains(c)).ToList();
            Assert.True(missing.Count == 0, $"{missing.Count} of {answered.Count} answered issues are not in the database");
            var deliveries = (await db.QueryAsync<(string Status, long Count)>("SELECT status, count(*) FROM deliveries GROUP BY status")).ToDictionary(r => r.Status, r => r.Count);
            Assert.True(deliveries.GetValueOrDefault("pending") > 0, $"no delivery was waiting: {string.Join(", ", deliveries)}");
            Assert.False(deliveries.ContainsKey("sending"), $"deliveries still leased to the stopped node: {string.Join(", ", deliveries)}\n{output}");
            Assert.Contains("handed back", output.ToString());
        }
        finally
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
            gateway.Stop();
            foreach (var c in held.ToArray()) c.Dispose();
        }
    }
}
