using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using OpenTelemetry.Trace;

namespace Coupons.Server.Tests;

public sealed class TelemetryTests_Sqlite(SqliteApp app) : TelemetryTests<SqliteApp>(app);
public sealed class TelemetryTests_Postgres(PostgresApp app) : TelemetryTests<PostgresApp>(app);

/// <summary>
/// The Prometheus scrape endpoint, as a scraper reads it. The meter is the process's, and other test classes run
/// beside this one, so each figure is checked to have grown by at least what this test did.
/// </summary>
public abstract class TelemetryTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    [Fact]
    public async Task Issues_redemptions_refusals_batches_requests_and_the_outbox_are_scraped()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = V11.Id(await org.SeriesAsync(new { smsTemplate = "Your code {{voucher_code}}" }));
        var mobile = $"44{Random.Shared.NextInt64(1_000_000_000, 9_999_999_999)}";
        await org.CustomerAsync(mobile: mobile);
        var scrape = app.CreateClient();
        var before = Metrics.Parse(await scrape.GetStringAsync("/metrics"));

        var code = await V11.IssuedCodeAsync(till, series, mobile);
        V11.AssertRedeemed(await V11.RedeemAsync(till, code, mobile, amount: "42.50"));
        V11.AssertRefused(await V11.RedeemAsync(till, "NO-SUCH-CODE-1", mobile), 702);

        // The hosting meter records a request's duration after its answer has gone out, so the client can scrape
        // before the last redeem is counted (seen under a load average of 30): scrape again until it is, for 10 s.
        Metrics after;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        do
        {
            var response = await scrape.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.ToString());
            after = Metrics.Parse(await response.Content.ReadAsStringAsync());
            if (Grew("http_server_request_duration_seconds_count", "http_route=\"/v1.1/coupon/redeem\"", "http_response_status_code=\"500\"") >= 1) break;
            await Task.Delay(100);
        } while (DateTime.UtcNow < deadline);
        double Grew(string name, params string[] labels) => after.Sum(name, labels) - before.Sum(name, labels);

        Assert.True(Grew("coupons_issued_total") >= 1);
        Assert.True(Grew("coupons_redeemed_total") >= 1);
        Assert.True(Grew("coupons_refusals_total", "operation=\"redeem\"", "code=\"702\"") >= 1);
        Assert.True(Grew("coupons_redemption_bill_amount_sum") >= 42.5);
        Assert.True(Grew("coupons_commit_batch_size_count") >= 2);
        Assert.True(Grew("coupons_commit_wait_seconds_count") >= 2);
        Assert.True(Grew("http_server_request_duration_seconds_count", "http_route=\"/v1.1/coupon/redeem\"", "http_response_status_code=\"200\"") >= 1);
        Assert.True(Grew("http_server_request_duration_seconds_count", "http_route=\"/v1.1/coupon/redeem\"", "http_response_status_code=\"500\"") >= 1);
        Assert.Contains("coupons_outbox_depth", after.Names);
        Assert.Contains("coupons_outbox_oldest_age_seconds", after.Names);
        if (app.Provider == "postgres") Assert.Contains(after.Names, n => n.StartsWith("db_client_connection", StringComparison.Ordinal));
    }
}

/// <summary>The Prometheus text format, enough to add up a metric's samples whose labels contain some pairs.</summary>
public sealed class Metrics(List<(string Name, string Labels, double Value)> samples)
{
    public IEnumerable<string> Names => samples.Select(s => s.Name).Distinct();

    public double Sum(string name, params string[] labels) =>
        samples.Where(s => s.Name == name && labels.All(l => s.Labels.Contains(l))).Sum(s => s.Value);

    public static Metrics Parse(string text)
    {
        var samples = new List<(string, string, double)>();
        foreach (var line in text.Split('\n'))
        {
            // name{labels} value [timestamp], or name value [timestamp]
            if (line.Length == 0 || line[0] == '#') continue;
            var close = line.LastIndexOf('}');
            var name = line[..line.IndexOfAny(['{', ' '])];
            var labels = close >= 0 ? line[name.Length..(close + 1)] : "";
            var valueText = line[(close >= 0 ? close + 1 : name.Length)..].Trim().Split(' ')[0];
            if (double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) samples.Add((name, labels, value));
        }
        return new Metrics(samples);
    }
}

/// <summary>The service with an OTLP endpoint set (so tracing is on), its spans also kept in memory for the test.</summary>
public abstract class TracedApp(string connectionString) : CouponsApp(connectionString)
{
    public SpanList Spans { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // Nothing listens there: the OTLP exporter's failures are its own, the in-memory copy is what the test reads.
        builder.UseSetting("Coupons:Telemetry:OtlpEndpoint", "http://127.0.0.1:9");
        builder.ConfigureTestServices(s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(Spans)));
    }
}

public sealed class TracedSqliteApp() : TracedApp($"Data Source={Path.Combine(Path.GetTempPath(), $"coupons-test-{Guid.NewGuid():N}.db")}")
{
    public override string Provider => "sqlite";
}

public sealed class TracedPostgresApp() : TracedApp(TestPostgres.NewDatabase())
{
    public override string Provider => "postgres";
}

public sealed class TraceTests_Sqlite(TracedSqliteApp app) : TraceTests<TracedSqliteApp>(app);
public sealed class TraceTests_Postgres(TracedPostgresApp app) : TraceTests<TracedPostgresApp>(app);

/// <summary>A redeem followed from its request into the batch that committed it and, on PostgreSQL, that batch's SQL.</summary>
public abstract class TraceTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TracedApp
{
    [Fact]
    public async Task A_redeem_leads_to_the_batch_that_committed_it_and_its_SQL()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = V11.Id(await org.SeriesAsync());
        var mobile = $"44{Random.Shared.NextInt64(1_000_000_000, 9_999_999_999)}";
        await org.CustomerAsync(mobile: mobile);
        var code = await V11.IssuedCodeAsync(till, series, mobile);

        var traceId = ActivityTraceId.CreateRandom();
        till.DefaultRequestHeaders.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");
        V11.AssertRedeemed(await V11.RedeemAsync(till, code, mobile));

        Activity? request = null, batch = null;
        for (var i = 0; i < 50 && (request is null || batch is null); i++)
        {
            await Task.Delay(100);
            var spans = app.Spans.ToArray();
            request = spans.FirstOrDefault(s => s.TraceId == traceId && s.Kind == ActivityKind.Server);
            batch = spans.FirstOrDefault(s => s.Source.Name == "Coupons.Storage" && s.Links.Any(l => l.Context.TraceId == traceId));
        }
        Assert.NotNull(request);
        Assert.Equal("/v1.1/coupon/redeem", request.GetTagItem("http.route"));
        Assert.NotNull(batch);
        Assert.Equal(app.Provider == "postgres" ? "commit redeem batch" : "commit group batch", batch.DisplayName);
        if (app.Provider == "postgres")
        {
            var sql = app.Spans.ToArray().Where(s => s.ParentSpanId == batch.SpanId && s.Source.Name == "Npgsql").ToList();
            Assert.NotEmpty(sql);
            Assert.Contains(sql, s => s.Tags.Any(t => t.Key.StartsWith("db.", StringComparison.Ordinal) && (t.Value ?? "").Contains("coupons", StringComparison.OrdinalIgnoreCase)));
        }
    }
}

/// <summary>A collection the exporter may add to while the test reads it.</summary>
public sealed class SpanList : ICollection<Activity>
{
    readonly ConcurrentQueue<Activity> items = new();
    public Activity[] ToArray() => items.ToArray();
    public void Add(Activity item) => items.Enqueue(item);
    public void Clear() => items.Clear();
    public bool Contains(Activity item) => items.Contains(item);
    public void CopyTo(Activity[] array, int arrayIndex) => items.ToArray().CopyTo(array, arrayIndex);
    public bool Remove(Activity item) => throw new NotSupportedException();
    public int Count => items.Count;
    public bool IsReadOnly => false;
    public IEnumerator<Activity> GetEnumerator() => ((IEnumerable<Activity>)items.ToArray()).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
