using System.Diagnostics;

namespace Coupons.Bench;

/// <summary>
/// --check-delay [--db-latency MS]: how accurately this machine, as loaded now, holds a chunk for MS (default 0.25):
/// the relay's delay line alone (no sockets), beside Task.Delay and Thread.Sleep asked for 1 ms (the least they do:
/// asked for less, they return at once).
/// </summary>
static class DelayCheck
{
    public static async Task RunAsync(double ms, int chunks = 4000)
    {
        Console.WriteLine($"load average {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?")} on {Environment.ProcessorCount} cores");
        Console.WriteLine($"{chunks:N0} chunks held {ms} ms each, one every 0-{2 * ms} ms; lateness past the delay:");
        using (var line = new DelayLine(TimeSpan.FromMilliseconds(ms)))
        {
            var done = new TaskCompletionSource();
            var cpu = line.CpuSeconds();
            for (var i = 0; i < chunks; i++)
            {
                line.Enqueue([], 0, _ => { });
                Pause(Random.Shared.NextDouble() * 2 * ms);
            }
            line.Enqueue(null, 0, _ => done.SetResult());
            await done.Task;
            Console.WriteLine($"  delay line:       {line.Released}");
            Console.WriteLine($"  its timer thread: {1e6 * (line.CpuSeconds() - cpu) / chunks:F0} µs of CPU per chunk");
        }
        var delay = new Lateness();
        var sleep = new Lateness();
        for (var i = 0; i < chunks / 4; i++)
        {
            var due = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 1000;
            await Task.Delay(1);
            delay.Add(Stopwatch.GetTimestamp() - due);
            due = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 1000;
            Thread.Sleep(1);
            sleep.Add(Stopwatch.GetTimestamp() - due);
        }
        Console.WriteLine($"  Task.Delay(1):    {delay}");
        Console.WriteLine($"  Thread.Sleep(1):  {sleep}");
    }

    static void Pause(double ms)
    {
        var until = Stopwatch.GetTimestamp() + (long)(ms / 1000 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until) Thread.Sleep(0);
    }
}
