using System.Diagnostics;
using Coupons.Storage;

namespace Coupons.Server.Notifications;

/// <summary>
/// Delivers what the outbox holds, at least once: expands due events into deliveries, claims a batch under a lease
/// (on PostgreSQL other nodes skip the claimed rows), attempts each, and settles it: sent, retried after an
/// exponential backoff, or dead after <see cref="NotificationOptions.MaxAttempts"/>. Everything it needs is in the
/// database, so a restart (or another node, once the lease ends) picks up where a stopped node left off.
/// </summary>
public sealed class Dispatcher(ICouponStore store, Transports transports, NotificationOptions options, TimeProvider clock, ILogger<Dispatcher> log)
    : BackgroundService
{
    const int Parallelism = 8;

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        if (!options.Enabled)
        {
            log.LogInformation("Notifications are disabled (Coupons:Notifications:Enabled=false); messages wait in the outbox");
            return;
        }
        while (!stopping.IsCancellationRequested)
        {
            var busy = false;
            try
            {
                busy = await RunOnceAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                log.LogError(e, "Notification dispatch failed; trying again in {Interval}", options.PollInterval);
            }
            // A full batch means more are probably waiting: go on at once.
            if (!busy)
            {
                try
                {
                    await Task.Delay(options.PollInterval, clock, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One round: expand, claim, send, settle. True when a batch was full.</summary>
    public async Task<bool> RunOnceAsync(CancellationToken stopping)
    {
        var expanded = await store.ExpandOutboxAsync(options.BatchSize, stopping);
        var claimed = await store.ClaimDeliveriesAsync(options.BatchSize, options.Lease, stopping);
        var unsettled = new System.Collections.Concurrent.ConcurrentDictionary<long, Delivery>(claimed.Select(c => KeyValuePair.Create(c.Delivery.Id, c.Delivery)));
        try
        {
            await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = stopping },
                async (d, ct) =>
                {
                    await DeliverAsync(d, ct);
                    unsettled.TryRemove(d.Delivery.Id, out _);
                });
        }
        finally
        {
            if (stopping.IsCancellationRequested && !unsettled.IsEmpty) await HandBackAsync([.. unsettled.Values]);
        }
        return expanded == options.BatchSize || claimed.Count == options.BatchSize;
    }

    /// <summary>The node is stopping: what it claimed and did not settle goes back to the queue now, not when its lease ends.</summary>
    async Task HandBackAsync(IReadOnlyList<Delivery> deliveries)
    {
        if (store is not IOutboxLeases leases) return;
        try
        {
            var released = await leases.ReleaseDeliveriesAsync(deliveries);
            log.LogInformation("Stopping: handed back {Released} of {Claimed} unsettled deliveries", released, deliveries.Count);
        }
        catch (Exception e)
        {
            // Their leases still end: another node takes them over then.
            log.LogWarning("Stopping: unsettled deliveries not handed back ({Error}); they are due again when their leases end", e.Message);
        }
    }

    async Task DeliverAsync(ClaimedDelivery claimed, CancellationToken stopping)
    {
        var d = claimed.Delivery;
        var started = clock.GetUtcNow();
        var watch = Stopwatch.StartNew();
        AttemptOutcome outcome;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(options.SendTimeout);
        try
        {
            await transports.SendAsync(claimed, timeout.Token);
            outcome = new AttemptOutcome(true, null, started, Millis(watch));
        }
        catch (Exception e) when (!stopping.IsCancellationRequested)
        {
            var error = e is OperationCanceledException ? $"no answer within {options.SendTimeout.TotalMilliseconds:0} ms" : $"{e.GetType().Name}: {e.Message}";
            outcome = new AttemptOutcome(false, error, started, Millis(watch), Backoff(d.Attempts), e is PermanentFailure);
            log.LogWarning("Delivery {Id} ({Channel} {Event}) attempt {Attempt} failed: {Error}", d.Id, d.Channel, d.Event, d.Attempts, error);
        }
        // Stopping mid-send settles nothing: the lease runs out and the delivery is attempted again (at least once).
        if (!await store.SettleDeliveryAsync(d, outcome, options.MaxAttempts))
            log.LogWarning("Delivery {Id}: its lease ran out during the attempt; another node has taken it over", d.Id);
        else
            Operations.OutboxMonitor.Delivered(d.Channel, outcome.Ok ? "sent" : outcome.Permanent || d.Attempts >= options.MaxAttempts ? "dead" : "failed");
    }

    static int Millis(Stopwatch w) => (int)Math.Min(int.MaxValue, w.ElapsedMilliseconds);

    /// <summary>BackoffBase × 2^(attempts − 1), at most BackoffMax, plus up to 20% jitter so retries from many nodes spread out.</summary>
    TimeSpan Backoff(int attempts)
    {
        var exponent = Math.Min(attempts - 1, 30);
        var delay = options.BackoffBase.TotalMilliseconds * Math.Pow(2, Math.Max(0, exponent));
        delay = Math.Min(delay, options.BackoffMax.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(delay * (1 + Random.Shared.NextDouble() * 0.2));
    }
}
