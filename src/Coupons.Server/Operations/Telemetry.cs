using System.Diagnostics.Metrics;
using Coupons.Storage;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Coupons.Server.Operations;

/// <summary>
/// OpenTelemetry: metrics always (the meter <c>Coupons</c> of the store and the dispatcher, ASP.NET Core's request
/// metrics by route and status, HttpClient's, Npgsql's connection pool), scraped by Prometheus at
/// <c>Coupons:Telemetry:PrometheusPath</c> (<c>/metrics</c>) unless <c>Coupons:Telemetry:Prometheus</c> is false, and
/// pushed by OTLP when <c>Coupons:Telemetry:OtlpEndpoint</c> is set. Traces (request → committed batch → SQL) only
/// when an OTLP endpoint is set: with nowhere to send them, creating spans would only cost CPU.
/// </summary>
public static class Telemetry
{
    public sealed record Options(bool Prometheus, string PrometheusPath, Uri? OtlpEndpoint, double TraceSampleRatio, TimeSpan OutboxPollInterval)
    {
        public static Options From(IConfiguration config)
        {
            var t = config.GetSection("Coupons:Telemetry");
            var endpoint = t["OtlpEndpoint"] is { Length: > 0 } e ? new Uri(e, UriKind.Absolute) : null;
            return new Options(t.GetValue("Prometheus", true), t["PrometheusPath"] is { Length: > 0 } p ? p : "/metrics", endpoint,
                t.GetValue("TraceSampleRatio", 1.0), TimeSpan.FromSeconds(t.GetValue("OutboxPollSeconds", 15)));
        }
    }

    /// <summary>The telemetry settings that cannot work, for <see cref="StartupChecks"/>.</summary>
    public static IEnumerable<string> Problems(IConfiguration config)
    {
        var t = config.GetSection("Coupons:Telemetry");
        if (t["OtlpEndpoint"] is { Length: > 0 } e && !(Uri.TryCreate(e, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"))
            yield return $"Coupons:Telemetry:OtlpEndpoint must be an absolute http(s) URL, not '{e}'";
        if (t["PrometheusPath"] is { Length: > 0 } p && !p.StartsWith('/'))
            yield return $"Coupons:Telemetry:PrometheusPath must start with '/', not '{p}'";
        string? failed = null;
        try
        {
            var o = Options.From(config);
            if (o.TraceSampleRatio is < 0 or > 1) failed = "Coupons:Telemetry:TraceSampleRatio must be between 0 and 1";
            else if (o.OutboxPollInterval <= TimeSpan.Zero) failed = "Coupons:Telemetry:OutboxPollSeconds must be at least 1";
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or UriFormatException)
        {
            failed = $"Coupons:Telemetry: {ex.Message}";
        }
        if (failed is not null) yield return failed;
    }

    public static void AddOperationsTelemetry(this IServiceCollection services, IConfiguration config)
    {
        var options = Options.From(config);
        services.AddSingleton(options);
        services.AddHostedService<OutboxMonitor>();
        var otel = services.AddOpenTelemetry().ConfigureResource(r => r.AddService("coupons"));
        otel.WithMetrics(m =>
        {
            // The framework's request metrics (by route and status) and Kestrel's connections, not the per-request
            // routing, authentication, authorization and memory-pool meters that AddAspNetCoreInstrumentation also
            // subscribes to: each is one more measurement on every request, and says nothing an operator alerts on.
            m.AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
                .AddHttpClientInstrumentation().AddMeter(StoreTelemetry.MeterName, "Npgsql");
            if (options.Prometheus) m.AddPrometheusExporter(p => p.ScrapeResponseCacheDurationMilliseconds = 0);
            if (options.OtlpEndpoint is { } endpoint) m.AddOtlpExporter(o => o.Endpoint = endpoint);
        });
        if (options.OtlpEndpoint is { } traces)
        {
            otel.WithTracing(t => t
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.TraceSampleRatio)))
                .AddAspNetCoreInstrumentation(o => o.Filter = c => !c.Request.Path.StartsWithSegments("/health") && c.Request.Path != options.PrometheusPath)
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddSource(StoreTelemetry.SourceName)
                .AddOtlpExporter(o => o.Endpoint = traces));
        }
    }

    public static void MapOperationsTelemetry(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<Options>();
        if (options.Prometheus) app.MapPrometheusScrapingEndpoint(options.PrometheusPath);
    }
}

/// <summary>
/// The outbox's backlog as gauges (<c>coupons.outbox.depth</c>, <c>coupons.outbox.oldest_age</c>), read from the
/// database every <c>Coupons:Telemetry:OutboxPollSeconds</c> rather than at each scrape, so that scrapes cost no query;
/// and the dispatcher's deliveries by channel and result (<c>coupons.outbox.deliveries</c>).
/// </summary>
public sealed class OutboxMonitor(ICouponStore store, Telemetry.Options options, TimeProvider clock, ILogger<OutboxMonitor> log) : BackgroundService
{
    // One process, one service: the gauges read the latest backlog its monitor read.
    static OutboxBacklog? latest;
    static TimeProvider latestClock = TimeProvider.System;

    static OutboxMonitor()
    {
        StoreTelemetry.Meter.CreateObservableGauge("coupons.outbox.depth", () => latest is { } b
        ? [new Measurement<long>(b.Events, new KeyValuePair<string, object?>("kind", "event")), new Measurement<long>(b.Deliveries, new KeyValuePair<string, object?>("kind", "delivery"))]
        : Array.Empty<Measurement<long>>(), "{message}", "Outbox events not yet expanded (kind=event) and deliveries not yet sent, retrying or being sent (kind=delivery)");

        StoreTelemetry.Meter.CreateObservableGauge("coupons.outbox.oldest_age", () => latest is null
        ? Array.Empty<Measurement<double>>()
        : [new Measurement<double>(latest.OldestCreatedAt is { } oldest ? Math.Max(0, (latestClock.GetUtcNow() - oldest).TotalSeconds) : 0)],
        "s", "Age of the oldest undelivered outbox message (0 when none)");
    }

    static readonly Counter<long> Deliveries = StoreTelemetry.Meter.CreateCounter<long>("coupons.outbox.deliveries", "{attempt}",
        "Delivery attempts by channel (sms, email, webhook) and result (sent, failed: to be retried, dead: given up)");

    public static void Delivered(string channel, string result) =>
        Deliveries.Add(1, new KeyValuePair<string, object?>("channel", channel), new KeyValuePair<string, object?>("result", result));

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        if (store is not IOutboxBacklog backlog) return;
        latestClock = clock;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                latest = await backlog.OutboxBacklogAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogWarning("Outbox backlog not read: {Error}", e.Message);
            }
            try
            {
                await Task.Delay(options.OutboxPollInterval, clock, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
