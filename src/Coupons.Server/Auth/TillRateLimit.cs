using System.Globalization;
using System.Threading.RateLimiting;
using Coupons.Core;
using Microsoft.AspNetCore.RateLimiting;

namespace Coupons.Server.Auth;

/// <summary>
/// Requests a minute per till, as its organisation sets (<c>rateLimitPerMinute</c>, default 1,000; 0 = no limit): the
/// framework's rate limiter, partitioned by till, on the groups that say <c>RequireRateLimiting(TillRateLimit.Policy)</c>.
/// It runs after authorization, so only signed-in tills are counted. Past the limit: 429 with Retry-After in the
/// envelope of the API the path belongs to. Counted per server node: N nodes let a till make up to N times the limit.
/// </summary>
public sealed class TillRateLimit(TimeProvider clock) : IRateLimiterPolicy<(long Till, int Limit)>
{
    public const string Policy = "per-till";

    readonly Func<(long Till, int Limit), RateLimiter> create = key => new SlidingMinute(key.Limit, clock);

    // The limit is part of the partition key, so a changed setting starts a fresh window at once.
    public RateLimitPartition<(long Till, int Limit)> GetPartition(HttpContext http) =>
        TillIdentity.Of(http.User)?.Caller is { Org.RateLimitPerMinute: > 0 } caller
            ? RateLimitPartition.Get((caller.Till.Id, caller.Org.RateLimitPerMinute), create)
            : RateLimitPartition.GetNoLimiter((0L, 0));

    public Func<OnRejectedContext, CancellationToken, ValueTask> OnRejected { get; } = static async (context, _) =>
    {
        var http = context.HttpContext;
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : SlidingMinute.Window;
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var limit = TillIdentity.Of(http.User)?.Caller.Org.RateLimitPerMinute;
        await ErrorHandler.WriteEnvelopeAsync(http, StatusCodes.Status429TooManyRequests,
            new Outcome(Status.TooManyRequests, $"this till has used its {limit} requests a minute; retry after {seconds} s"));
    };

    /// <summary>
    /// One till's sliding minute in twelve five-second segments, counted as the framework's SlidingWindowRateLimiter
    /// counts; but that one says nothing of when to retry, and this one says when enough of the oldest segments will
    /// have left the window for the request to pass. Time is the injected clock's, read when a request comes, not a timer's.
    /// </summary>
    sealed class SlidingMinute(int limit, TimeProvider clock) : RateLimiter
    {
        public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
        const int Segments = 12;
        static readonly long SegmentTicks = Window.Ticks / Segments;
        static readonly RateLimitLease Granted = new Lease(null);

        readonly long origin = clock.GetTimestamp();
        readonly int[] counts = new int[Segments];  // requests granted in segment s are in counts[s % Segments]
        long current;                               // the segment now, counted from origin
        long lastGranted = -Segments;               // the segment of the last request granted
        int used;

        long Now() => clock.GetElapsedTime(origin).Ticks;

        // Moves the window to the segment of `now`: each segment entered takes the slot of the one leaving, whose requests come back.
        void Slide(long now)
        {
            var segment = now / SegmentTicks;
            for (var s = Math.Max(current + 1, segment - Segments + 1); s <= segment; s++)
            {
                used -= counts[s % Segments];
                counts[s % Segments] = 0;
            }
            current = Math.Max(current, segment);
        }

        protected override RateLimitLease AttemptAcquireCore(int permitCount)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, limit);
            var now = Now();
            lock (counts)
            {
                Slide(now);
                if (used + Math.Max(permitCount, 1) <= limit)
                {
                    counts[current % Segments] += permitCount;
                    used += permitCount;
                    if (permitCount > 0) lastGranted = current;
                    return Granted;
                }
                // Segment s leaves the window when segment s + 12 begins; wait for the oldest ones holding enough requests.
                var missing = used + Math.Max(permitCount, 1) - limit;
                for (var s = Math.Max(0, current - Segments + 1); ; s++)
                    if ((missing -= counts[s % Segments]) <= 0)
                        return new Lease(TimeSpan.FromTicks((s + Segments) * SegmentTicks - now));
            }
        }

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
            ValueTask.FromResult(AttemptAcquireCore(permitCount));

        /// <summary>Since the last request granted left the window: the framework drops a partition idle for 10 seconds.</summary>
        public override TimeSpan? IdleDuration
        {
            get
            {
                var emptySince = (lastGranted + Segments) * SegmentTicks;
                var now = Now();
                return now >= emptySince ? TimeSpan.FromTicks(now - emptySince) : null;
            }
        }

        public override RateLimiterStatistics GetStatistics()
        {
            lock (counts)
            {
                Slide(Now());
                return new RateLimiterStatistics { CurrentAvailablePermits = limit - used };
            }
        }

        sealed class Lease(TimeSpan? retryAfter) : RateLimitLease
        {
            public override bool IsAcquired => retryAfter is null;

            public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

            public override bool TryGetMetadata(string metadataName, out object? metadata)
            {
                metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
                return metadata is not null;
            }
        }
    }
}
