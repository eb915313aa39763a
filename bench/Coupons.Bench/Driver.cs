using System.Diagnostics;

namespace Coupons.Bench;

enum Outcome { Ok, Error, Stop }

/// <summary>What one run of one operation measured.</summary>
sealed record Measure(long Ok, long Errors, double Seconds, double[] LatenciesMs, string? FirstError)
{
    public double Rate => Ok / Math.Max(Seconds, 1e-9);
    public double Percentile(double p) => LatenciesMs.Length == 0 ? 0 : LatenciesMs[Math.Min(LatenciesMs.Length - 1, (int)Math.Ceiling(p / 100 * LatenciesMs.Length) - 1)];
    public double Max => LatenciesMs.Length == 0 ? 0 : LatenciesMs[^1];

    /// <summary>With --db-latency: database round trips over the whole run (warm-up and drain included) and requests sent in it.</summary>
    public long? Trips { get; init; }
    public long Sent { get; init; }
    public double? TripsPerRequest => Trips is { } t && Sent > 0 ? (double)t / Sent : null;
}

/// <summary>
/// Drives one operation: closed loop (N clients, each sends its next request when the last one is answered) or open
/// loop (requests start at a fixed rate whatever the answers; latency counted from the planned start, so a stalled
/// server is not hidden). Latencies are kept whole and sorted at the end.
/// Round trips (with a counter) are counted over the whole run, from before the first request to after the last answer,
/// against every request sent: each request's round trips are then counted whole, where a window would cut through
/// the requests in flight at its edges (with 64 clients and answers taking half a second on a loaded machine, that
/// alone moved the raw redeem's figure from 4 to 4.5-5.9).
/// </summary>
static class Driver
{
    public sealed record Plan(int Clients, TimeSpan Warmup, TimeSpan Duration, double Rate, bool UntilStop);

    public static async Task<Measure> RunAsync(Plan plan, Func<long, Task<Outcome>> call, Func<long>? trips = null)
    {
        long sequence = -1;
        long ok = 0, errors = 0, sent = 0;
        var tripsBefore = trips?.Invoke() ?? 0;
        string? firstError = null;
        var lists = new List<double>[plan.Clients];
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(plan.Warmup.TotalSeconds * Stopwatch.Frequency);
        var end = measureFrom + (long)(plan.Duration.TotalSeconds * Stopwatch.Frequency);
        var lastDone = measureFrom;
        var stopAll = false;

        async Task<Outcome> One(long k, long plannedAt, List<double> into)
        {
            Outcome o;
            try
            {
                o = await call(k);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref firstError, e.GetType().Name + ": " + e.Message, null);
                o = Outcome.Error;
            }
            var done = Stopwatch.GetTimestamp();
            // A Stop is a request only in a run that goes until the service says stop (the flash sale's sold out);
            // elsewhere it means nothing was left to send.
            if (o != Outcome.Stop || plan.UntilStop) Interlocked.Increment(ref sent);
            if (o == Outcome.Stop && !plan.UntilStop && done < end)
                Interlocked.CompareExchange(ref firstError, "ran out of coupons or customers to use before the run ended: the rates are not valid; use a bigger data set (--customers; for redeem-campaign --campaign, at most the customers)", null);
            // Counted: what is answered inside the window (its latency from its planned start, even if that was before).
            if (plan.UntilStop || (done >= measureFrom && done <= end))
            {
                lock (into) into.Add((done - plannedAt) * 1000.0 / Stopwatch.Frequency);
                if (o == Outcome.Ok) Interlocked.Increment(ref ok);
                if (o == Outcome.Error) Interlocked.Increment(ref errors);
                if (o != Outcome.Stop) InterlockedMax(ref lastDone, done);
            }
            return o;
        }

        if (plan.Rate <= 0)
        {
            var clients = Enumerable.Range(0, plan.Clients).Select(i => Task.Run(async () =>
            {
                var list = lists[i] = new List<double>(4096);
                while (!Volatile.Read(ref stopAll))
                {
                    var now = Stopwatch.GetTimestamp();
                    if (!plan.UntilStop && now >= end) break;
                    if (plan.UntilStop && now >= end + 120 * Stopwatch.Frequency) break;
                    if (await One(Interlocked.Increment(ref sequence), now, list) == Outcome.Stop) break;
                }
            })).ToArray();
            await Task.WhenAll(clients);
        }
        else
        {
            for (var i = 0; i < plan.Clients; i++) lists[i] = new List<double>(4096);
            var inFlight = new List<Task>();
            var interval = Stopwatch.Frequency / plan.Rate;
            for (long n = 0; ; n++)
            {
                var plannedAt = start + (long)(n * interval);
                if (plannedAt >= end || Volatile.Read(ref stopAll)) break;
                var wait = plannedAt - Stopwatch.GetTimestamp();
                if (wait > Stopwatch.Frequency / 500) await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
                var k = Interlocked.Increment(ref sequence);
                var list = lists[k % plan.Clients];
                inFlight.Add(Task.Run(async () => { if (await One(k, plannedAt, list) == Outcome.Stop) Volatile.Write(ref stopAll, true); }));
            }
            await Task.WhenAll(inFlight);
        }
        var seconds = plan.UntilStop ? (lastDone - measureFrom) / (double)Stopwatch.Frequency : plan.Duration.TotalSeconds;
        var all = lists.Where(l => l is not null).SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new Measure(ok, errors, seconds, all, firstError) { Trips = trips?.Invoke() - tripsBefore, Sent = sent };
    }

    static void InterlockedMax(ref long target, long value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var was = Interlocked.CompareExchange(ref target, value, seen);
            if (was == seen) return;
            seen = was;
        }
    }
}
