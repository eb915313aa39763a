using Coupons.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Coupons.Server;

public sealed class DatabaseHealthCheck(ICouponStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            return await store.PingAsync(ct) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("database did not answer");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("database unreachable", e);
        }
    }
}
