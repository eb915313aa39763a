using System.Collections.Concurrent;
using System.Text;

namespace Coupons.Guarantees;

/// <summary>What one check tried and found: attempts made, successes, figures worth printing, and every violation.</summary>
public sealed class Report(string check, string backend)
{
    readonly ConcurrentQueue<string> violations = new();
    readonly ConcurrentQueue<string> figures = new();
    long attempts, successes;

    public string Check { get; } = check;
    public string Backend { get; } = backend;
    public long Attempts => Interlocked.Read(ref attempts);
    public long Successes => Interlocked.Read(ref successes);
    public int CrashesSurvived { get; set; }
    public TimeSpan Elapsed { get; set; }
    public IReadOnlyList<string> Violations => violations.ToList();
    public IReadOnlyList<string> Figures => figures.ToList();

    public void Attempt(bool succeeded)
    {
        Interlocked.Increment(ref attempts);
        if (succeeded) Interlocked.Increment(ref successes);
    }

    public void Violation(string what) => violations.Enqueue(what);

    /// <summary>Records a violation unless <paramref name="holds"/>.</summary>
    public void Expect(bool holds, string what)
    {
        if (!holds) Violation(what);
    }

    public void Figure(string line) => figures.Enqueue(line);

    public string Summary()
    {
        var s = new StringBuilder();
        s.Append($"== {Check} on {Backend}: {Attempts:N0} attempts, {Successes:N0} successes, {violations.Count} violations");
        if (CrashesSurvived > 0) s.Append($", {CrashesSurvived} crashes survived");
        s.AppendLine($" ({Elapsed.TotalSeconds:F1} s)");
        foreach (var f in figures) s.AppendLine($"   {f}");
        foreach (var v in violations.Take(50)) s.AppendLine($"   VIOLATION: {v}");
        if (violations.Count > 50) s.AppendLine($"   … and {violations.Count - 50} more violations");
        return s.ToString();
    }
}
