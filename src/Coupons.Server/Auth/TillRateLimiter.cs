using System.Threading.RateLimiting;
using Coupons.Core;

namespace Coupons.Server.Auth;

/// <summary>
/// Requests a minute per till, as its organisation sets (<c>rateLimitPerMinute</c>, default 1,000; 0 = no limit):
/// a sliding one-minute window in twelve segments. Counted per server node: N nodes let a till make up to N times the limit.
/// </summary>
public sealed class TillRateLimiter : IDisposable
{
    static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    // The limit is part of the partition key, so a changed setting starts a fresh window at once.
    readonly PartitionedRateLimiter<Caller> limiter = PartitionedRateLimiter.Create<Caller, (long Till, int Limit)>(caller =>
        caller.Org.RateLimitPerMinute is var limit && limit <= 0
            ? RateLimitPartition.GetNoLimiter((caller.Till.Id, 0))
            : RateLimitPartition.GetSlidingWindowLimiter((caller.Till.Id, limit), key => new SlidingWindowRateLimiterOptions
            {
                PermitLimit = key.Item2,
                Window = Window,
                SegmentsPerWindow = 12,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));

    /// <summary>Null when the request may go on; otherwise how long the till should wait.</summary>
    public TimeSpan? TryAcquire(Caller caller)
    {
        using var lease = limiter.AttemptAcquire(caller);
        if (lease.IsAcquired) return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) && retry > TimeSpan.Zero ? retry : Window / 12;
    }

    public void Dispose() => limiter.Dispose();
}
