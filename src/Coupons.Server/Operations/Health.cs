using System.Text.Json;
using Coupons.Storage;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Coupons.Server.Operations;

/// <summary>
/// The three health endpoints, with the framework's health checks and tags:
/// <c>/health/live</c> runs no check (the process answers: restart it when this fails);
/// <c>/health/ready</c> runs the checks tagged <c>ready</c> (database reachable, every migration applied, the
/// committers running, the node not stopping: send it traffic only while this answers 200);
/// <c>/health</c>, as before, runs every check.
/// </summary>
public static class Health
{
    public const string Ready = "ready";

    public static IServiceCollection AddOperationsHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [Ready])
            .AddCheck<MigrationsHealthCheck>("migrations", tags: [Ready])
            .AddCheck<CommittersHealthCheck>("committers", tags: [Ready])
            .AddCheck<StoppingHealthCheck>("stopping", tags: [Ready]);
        return services;
    }

    public static void MapOperationsHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health");
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteReportAsync });
    }

    /// <summary>{"status":"Unhealthy","checks":{"migrations":{"status":"Unhealthy","description":"…"},…}}: what is wrong, for the operator.</summary>
    static Task WriteReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}

public sealed class MigrationsHealthCheck(ICouponStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        if (store is not IStoreReadiness readiness) return HealthCheckResult.Healthy();
        try
        {
            var missing = await readiness.MissingMigrationsAsync(ct);
            return missing.Count == 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy($"not applied: {string.Join(", ", missing)}");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("schema_migrations unreadable", e);
        }
    }
}

public sealed class CommittersHealthCheck(ICouponStore store) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(store is IStoreReadiness { CommittersRunning: false }
            ? HealthCheckResult.Unhealthy("a write committer has stopped")
            : HealthCheckResult.Healthy());
}

/// <summary>Unhealthy from the moment the node is told to stop, so that a load balancer polling readiness sends it nothing new.</summary>
public sealed class StoppingHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("stopping")
            : HealthCheckResult.Healthy());
}
