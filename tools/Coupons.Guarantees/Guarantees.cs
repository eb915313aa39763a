namespace Coupons.Guarantees;

/// <summary>The checks of the guarantees harness, each run on each backend; the test suite calls them with <see cref="Scale.Short"/>.</summary>
public static class Guarantees
{
    public static readonly string[] CheckNames = ["concurrency", "crash", "hostile", "isolation"];

    public static Task<Report> RunAsync(string check, string backend, Scale scale, TextWriter log) => check switch
    {
        "concurrency" => ConcurrencyCheck.RunAsync(backend, scale, log),
        "crash" => CrashCheck.RunAsync(backend, scale, log),
        "hostile" => HostileInputCheck.RunAsync(backend, scale, log),
        "isolation" => IsolationCheck.RunAsync(backend, log),
        _ => throw new ArgumentException($"no check named {check}"),
    };

    public static async Task<List<Report>> RunAsync(Scale scale, IEnumerable<string> backends, IReadOnlyCollection<string> only, TextWriter log)
    {
        var reports = new List<Report>();
        foreach (var check in CheckNames.Where(c => only.Count == 0 || only.Contains(c)))
            foreach (var backend in backends)
            {
                log.WriteLine($"-- {check} on {backend} …");
                Report report;
                try
                {
                    report = await RunAsync(check, backend, scale, log);
                }
                catch (Exception e)
                {
                    // A check that could not finish has found something (or the harness is broken): either way, a violation.
                    report = new Report(check, backend);
                    report.Violation($"the check stopped: {e}");
                }
                log.Write(report.Summary());
                reports.Add(report);
            }
        return reports;
    }

    public static string Totals(IReadOnlyList<Report> reports) =>
        $"TOTAL: {reports.Sum(r => r.Attempts):N0} attempts, {reports.Sum(r => r.Successes):N0} successes, " +
        $"{reports.Sum(r => r.Violations.Count)} violations, {reports.Sum(r => r.CrashesSurvived)} crashes survived, " +
        $"{reports.Sum(r => r.Elapsed.TotalSeconds):F0} s";
}
