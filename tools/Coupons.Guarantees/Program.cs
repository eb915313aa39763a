namespace Coupons.Guarantees;

static class Program
{
    /// <summary>dotnet Coupons.Guarantees.dll [--short|--full] [--backend sqlite|postgres|both] [--check NAME]…; exit 1 on any violation.</summary>
    static async Task<int> Main(string[] args)
    {
        var scale = args.Contains("--full") ? Scale.Full : Scale.Short;
        var backend = args.SkipWhile(a => a != "--backend").Skip(1).FirstOrDefault() ?? "both";
        var checks = args.Select((a, i) => a == "--check" && i + 1 < args.Length ? args[i + 1] : null).OfType<string>().ToList();
        if (backend is not ("sqlite" or "postgres" or "both") || checks.Any(c => !Guarantees.CheckNames.Contains(c)) || args.Contains("--help"))
        {
            Console.WriteLine($"usage: Coupons.Guarantees [--short|--full] [--backend sqlite|postgres|both] [--check {string.Join("|", Guarantees.CheckNames)}]…");
            return 2;
        }
        string[] backends = backend == "both" ? ["sqlite", "postgres"] : [backend];
        Console.WriteLine($"Guarantees, {scale.Name} run, on {string.Join(" and ", backends)}; server {ServerProcess.ServerDll}");
        var reports = await Guarantees.RunAsync(scale, backends, checks, Console.Out);
        Console.WriteLine(Guarantees.Totals(reports));
        return reports.Sum(r => r.Violations.Count) == 0 ? 0 : 1;
    }
}
