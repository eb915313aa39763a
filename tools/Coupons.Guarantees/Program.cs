using Coupons.Guarantees;

// dotnet run --project tools/Coupons.Guarantees -c Release -- [--short|--full] [--backend sqlite|postgres|both] [--check NAME]…
var scale = args.Contains("--full") ? Scale.Full : Scale.Short;
var backend = Arg("--backend") ?? "both";
var checks = args.Select((a, i) => a == "--check" && i + 1 < args.Length ? args[i + 1] : null).OfType<string>().ToList();
if (backend is not ("sqlite" or "postgres" or "both") || args.Contains("--help"))
{
    Console.WriteLine("usage: Coupons.Guarantees [--short|--full] [--backend sqlite|postgres|both] [--check concurrency|crash|hostile|isolation]…");
    return 2;
}
var backends = backend == "both" ? new[] { "sqlite", "postgres" } : [backend];
Console.WriteLine($"Guarantees, {scale.Name} run, on {string.Join(" and ", backends)}; server {ServerProcess.ServerDll}");
var reports = await Guarantees.RunAsync(scale, backends, checks, Console.Out);
Console.WriteLine(Guarantees.Totals(reports));
return reports.Sum(r => r.Violations.Count) == 0 ? 0 : 1;

string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
