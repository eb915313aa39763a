using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Coupons.Server.Tests;

/// <summary>The console logs of the real executable, as an operator's log collector reads them.</summary>
public sealed class LogTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task JSON_request_logs_carry_the_trace_id_and_no_credentials_or_codes(string provider)
    {
        var cs = provider == "sqlite" ? $"Data Source={Path.Combine(Path.GetTempPath(), $"coupons-log-{Guid.NewGuid():N}.db")}" : TestPostgres.NewDatabase();
        var port = ServerProcesses.FreePort();
        using var p = ServerProcesses.StartCapturing(port, provider, cs,
        [
            ("Logging:Console:FormatterName", "json"),
            ("Logging:LogLevel:Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware", "Information"),
        ], out var output);
        try
        {
            Assert.Equal(HttpStatusCode.OK, await ServerProcesses.HealthWithinAsync(port, TimeSpan.FromSeconds(60)));
            var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
            using var http = new HttpClient();
            var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ServerProcesses.BootstrapTill}:{ServerProcesses.BootstrapPassword}"));
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/v1.1/coupon/get?code=SECRETCODE4711&format=json&password=pw-in-query");
            request.Headers.Authorization = new("Basic", credentials);
            request.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");
            var answer = await http.SendAsync(request);

            JsonNode? line = null;
            for (var i = 0; i < 100 && line is null; i++)
            {
                await Task.Delay(100);
                string text;
                lock (output) text = output.ToString();
                line = text.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)!)
                    .FirstOrDefault(j => (string?)j["Category"] == "Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware"
                        && ((string?)j["Message"] ?? "").Contains("/v1.1/coupon/get"));
            }
            Assert.NotNull(line);
            Assert.Contains(line["Scopes"]!.AsArray(), s => (string?)s!["TraceId"] == traceId);
            Assert.Contains($"StatusCode: {(int)answer.StatusCode}", (string?)line["Message"]);
            string all;
            lock (output) all = output.ToString();
            foreach (var secret in new[] { "SECRETCODE4711", "pw-in-query", credentials, ServerProcesses.BootstrapPassword })
                Assert.DoesNotContain(secret, all);
        }
        finally
        {
            p.Kill(entireProcessTree: true);
        }
    }
}
