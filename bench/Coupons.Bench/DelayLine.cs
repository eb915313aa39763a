using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Coupons.Bench;

/// <summary>
/// Holds every chunk handed to it for one fixed delay, then hands it to the release its sender gave with it (the
/// relay's: a non-blocking send). One thread times every connection: with the same delay for all, chunks fall due in
/// the order they arrived, so the timer's queue is a FIFO and a sleeping timer never has to be woken for an earlier
/// deadline; each direction's bytes keep their order. The thread sleeps in nanosleep with its timer slack at 1 µs and
/// its nice value at -10 where allowed (Linux): Task.Delay and Thread.Sleep wake on a millisecond grid (and return at
/// once when asked for less than 1 ms), spinning would take one of the machine's two cores, and on a busy machine a
/// thread of ordinary weight often waits milliseconds for a core once its sleep is over. `--check-delay` measures it.
/// </summary>
sealed class DelayLine : IDisposable
{
    /// <summary>Bytes[Offset..Offset+Length] (rented from the shared pool: whoever sends it returns it), or the end of the stream when Bytes is null.</summary>
    public readonly record struct Chunk(byte[]? Bytes, int Offset, int Length, long Due);

    readonly long delay;
    readonly Queue<(Chunk Chunk, Action<Chunk> Release)> queue = new();
    readonly Thread thread;
    bool stopped;
    int tid;

    /// <summary>How late the timer released each chunk (due → handed to its release).</summary>
    public Lateness Released { get; } = new();

    public DelayLine(TimeSpan delay)
    {
        this.delay = (long)(delay.TotalSeconds * Stopwatch.Frequency);
        thread = new Thread(Run) { IsBackground = true, Name = "db-latency timer" };
        thread.Start();
    }

    /// <summary>Hands bytes[..length] (null: the end of the stream) to <paramref name="release"/>, on the timer's thread, once the delay is over. The release must not block or throw.</summary>
    public void Enqueue(byte[]? bytes, int length, Action<Chunk> release)
    {
        lock (queue)
        {
            queue.Enqueue((new Chunk(bytes, 0, length, Stopwatch.GetTimestamp() + delay), release));
            if (queue.Count == 1) Monitor.Pulse(queue);
        }
    }

    /// <summary>CPU time (user + system) the timer thread has used, in seconds; 0 where /proc does not say.</summary>
    public double CpuSeconds()
    {
        try
        {
            var stat = File.ReadAllText($"/proc/self/task/{Volatile.Read(ref tid)}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }
    }

    void Run()
    {
        if (OperatingSystem.IsLinux())
        {
            Volatile.Write(ref tid, Native.gettid());
            Native.prctl(Native.PR_SET_TIMERSLACK, 1000, 0, 0, 0);
            // Only this thread, which mostly sleeps; without the right to (not root, no CAP_SYS_NICE) it stays at 0.
            Native.setpriority(Native.PRIO_PROCESS, (uint)Native.gettid(), -10);
        }
        while (true)
        {
            long due;
            lock (queue)
            {
                while (queue.Count == 0)
                {
                    if (stopped) return;
                    Monitor.Wait(queue);
                }
                due = queue.Peek().Chunk.Due;
            }
            SleepUntil(due);
            var now = Stopwatch.GetTimestamp();
            while (true)
            {
                (Chunk Chunk, Action<Chunk> Release) head;
                lock (queue)
                {
                    if (!queue.TryPeek(out head) || head.Chunk.Due > now) break;
                    queue.Dequeue();
                }
                Released.Add(now - head.Chunk.Due);
                head.Release(head.Chunk);
            }
        }
    }

    static void SleepUntil(long due)
    {
        for (var left = due - Stopwatch.GetTimestamp(); left > 0; left = due - Stopwatch.GetTimestamp())
        {
            if (OperatingSystem.IsLinux())
            {
                // nanosleep returns early when a signal arrives (the runtime uses some): the loop sleeps again.
                var ns = (long)(left * (1e9 / Stopwatch.Frequency));
                var t = new Native.Timespec { Seconds = ns / 1_000_000_000, Nanoseconds = ns % 1_000_000_000 };
                Native.nanosleep(ref t, IntPtr.Zero);
            }
            else if (left > Stopwatch.Frequency / 500) Thread.Sleep(1);
            else Thread.Yield();
        }
    }

    public void Dispose()
    {
        lock (queue)
        {
            stopped = true;
            Monitor.Pulse(queue);
        }
        thread.Join();
    }

    static class Native
    {
        public const int PR_SET_TIMERSLACK = 29;
        public const int PRIO_PROCESS = 0;

        [StructLayout(LayoutKind.Sequential)]
        public struct Timespec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        [DllImport("libc", SetLastError = true)]
        public static extern int nanosleep(ref Timespec request, IntPtr remaining);

        [DllImport("libc")]
        public static extern int prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

        [DllImport("libc")]
        public static extern int gettid();

        [DllImport("libc")]
        public static extern int setpriority(int which, uint who, int prio);
    }
}

/// <summary>A histogram of lateness in 10 µs buckets up to 20 ms, safe to add to from any thread.</summary>
sealed class Lateness
{
    const int BucketNs = 10_000;
    readonly long[] buckets = new long[2001];
    long count, maxTicks;

    public long Count => Interlocked.Read(ref count);

    public void Add(long ticks)
    {
        var ns = (long)(Math.Max(0, ticks) * (1e9 / Stopwatch.Frequency));
        Interlocked.Increment(ref buckets[Math.Min(buckets.Length - 1, ns / BucketNs)]);
        Interlocked.Increment(ref count);
        var seen = Volatile.Read(ref maxTicks);
        while (ticks > seen)
        {
            var was = Interlocked.CompareExchange(ref maxTicks, ticks, seen);
            if (was == seen) break;
            seen = was;
        }
    }

    /// <summary>The upper edge of the bucket holding the p-th percentile, in ms.</summary>
    public double PercentileMs(double p)
    {
        var n = Count;
        if (n == 0) return 0;
        var rank = (long)Math.Ceiling(p / 100 * n);
        long seen = 0;
        for (var i = 0; i < buckets.Length; i++)
            if ((seen += Interlocked.Read(ref buckets[i])) >= rank) return i == buckets.Length - 1 ? MaxMs : (i + 1) * BucketNs / 1e6;
        return MaxMs;
    }

    public double MaxMs => Interlocked.Read(ref maxTicks) * 1000.0 / Stopwatch.Frequency;

    public override string ToString() =>
        Count == 0 ? "nothing delayed" : $"p50 ≤ {PercentileMs(50):F2} ms, p99 ≤ {PercentileMs(99):F2} ms, p99.9 ≤ {PercentileMs(99.9):F2} ms, max {MaxMs:F2} ms over {Count:N0} chunks";
}
