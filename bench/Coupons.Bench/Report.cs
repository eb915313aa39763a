using System.Text;

namespace Coupons.Bench;

/// <summary>bench/results/&lt;date&gt;-&lt;backend&gt;.md: the machine, the settings, and one line per operation.</summary>
static class Report
{
    public static async Task<string> MarkdownAsync(Options o, string backend, Db db, DataSet data, double generation, double? startup, double? peakMb, List<Row> rows, RelayFigures? relay)
    {
        var s = new StringBuilder();
        s.AppendLine($"# Benchmark: {backend}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC{(o.Label is null ? "" : $" ({o.Label})")}");
        s.AppendLine();
        s.AppendLine("## Machine");
        s.AppendLine();
        s.AppendLine($"- CPU: {Environment.ProcessorCount} × {CpuModel()}; memory {MemTotalGb():F1} GB; {OsName()}");
        s.AppendLine($"- .NET {Environment.Version}; database: {await db.VersionAsync()}");
        if (db.Pg) s.AppendLine($"- PostgreSQL settings: {await PgSettingsAsync(db)}");
        else s.AppendLine("- SQLite: WAL, synchronous=FULL (the service's default)");
        s.AppendLine($"- Load average when the report was written: {LoadAverage()} (on {Environment.ProcessorCount} cores).");
        s.AppendLine("- The server, the database and this load generator share the same cores, with whatever else runs on the machine: absolute rates are noisy; compare ratios and CPU per request.");
        s.AppendLine();
        s.AppendLine("## Run");
        s.AppendLine();
        s.AppendLine($"- Data set: {data.Customers:N0} customers holding {DataSet.PerCustomer} coupons each, one holding {DataSet.HeavyCoupons:N0}; a campaign series of {data.Campaign:N0} coupons, each held by a different customer; {data.Coupons + DataSet.HeavyCoupons + data.Campaign:N0} coupons; {data.Series:N0} series; made by bulk SQL in {generation:F1} s");
        s.AppendLine($"- {(o.Rate > 0 ? $"Open loop at {o.Rate}/s" : "Closed loop")}, keep-alive HTTP/1.1, {o.Seconds} s measured after {o.Warmup} s warm-up per run; raw run first, then the service, same clients; before the first run, {o.JitWarmup} s of each operation's service requests unmeasured (the server's JIT; not the flash sale nor the campaign)");
        if (startup is not null) s.AppendLine($"- Start-up to healthy on the existing database: {startup:F2} s");
        if (peakMb is not null) s.AppendLine($"- Server peak memory (VmHWM) over the whole run: {peakMb:F0} MB");
        s.AppendLine($"- Command: `dotnet bench/Coupons.Bench/bin/Release/net10.0/Coupons.Bench.dll --backend {backend} --clients {o.Clients} --seconds {o.Seconds}{(o.Warmup != 1 ? $" --warmup {o.Warmup}" : "")}{(o.JitWarmup != (o.Quick ? 1 : 2) ? $" --jit-warmup {o.JitWarmup}" : "")}{(o.Rate > 0 ? $" --rate {o.Rate}" : "")}{(o.Ops is { } ops ? $" --ops {string.Join(',', ops)}" : "")}{(o.Quick ? " --quick" : "")}{(o.Campaign != Math.Min(20_000, o.Customers) ? $" --campaign {o.Campaign}" : "")}{(relay is null ? "" : $" --db-latency {relay.Server.Delay.TotalMilliseconds}")}`");
        if (relay is not null)
            foreach (var line in relay.Lines()) s.AppendLine($"- {line}");
        s.AppendLine();
        s.AppendLine("## Results");
        s.AppendLine();
        var trips = relay is null ? "" : " round trips/req | raw round trips/op |";
        s.AppendLine($"| operation | clients | raw /s | service /s | service/raw | p50 ms | p95 ms | p99 ms | max ms | errors | raw p50 ms | raw p99 ms | server MB | server CPU ms/req | bench CPU ms/raw op | bench CPU ms/req |{trips}");
        s.AppendLine($"| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |{(relay is null ? "" : " ---: | ---: |")}");
        foreach (var r in rows)
            s.AppendLine($"| {r.Name} | {r.Clients} | {Rate(r.Raw)} | {Rate(r.Service)} | {(double.IsNaN(r.Ratio) ? "—" : $"{r.Ratio:F2}")} | {Ms(r.Service, 50)} | {Ms(r.Service, 95)} | {Ms(r.Service, 99)} | {Ms(r.Service, 100)} | {r.Service.Errors} | {Ms(r.Raw, 50)} | {Ms(r.Raw, 99)} | {r.PeakMb:F0} | {r.ServiceCpuMs:F2} | {r.RawCpuMs:F2} | {r.BenchCpuMs:F2} |{(relay is null ? "" : $" {Trips(r.Service)} | {Trips(r.Raw)} |")}");
        s.AppendLine();
        foreach (var r in rows.Where(r => r.Note is not null)) s.AppendLine($"- {r.Note}");
        foreach (var r in rows.Where(r => r.Service.FirstError is not null)) s.AppendLine($"- {r.Name}: first service error: `{r.Service.FirstError}`");
        foreach (var r in rows.Where(r => r.Raw.FirstError is not null)) s.AppendLine($"- {r.Name}: first raw error: `{r.Raw.FirstError}`");
        s.AppendLine();
        s.AppendLine("Operations:");
        s.AppendLine();
        foreach (var r in rows.DistinctBy(r => r.Name)) s.AppendLine($"- **{r.Name}**: {r.What}");
        s.AppendLine();
        s.AppendLine("Raw: the same writes as one transaction straight against the database (plain ADO.NET, no HTTP, no rules): redeem (spread or campaign) = UPDATE coupon + INSERT redemption + UPDATE series counter; issue = conditional UPDATE of the series counter + INSERT coupon; customer coupons = one query; isredeemable = two (the coupon with its series, the customer). On SQLite one writer at a time, as SQLite allows.");
        return s.ToString();
    }

    /// <summary>Below 10 a second, one decimal; nothing answered inside the window shows as "—".</summary>
    static string Rate(Measure m) => m.LatenciesMs.Length == 0 ? "—" : m.Rate < 10 ? $"{m.Rate:F1}" : $"{m.Rate:F0}";

    static string Trips(Measure m) => m.TripsPerRequest is { } t ? $"{t:F2}" : "—";

    static string Ms(Measure m, double percentile) =>
        m.LatenciesMs.Length == 0 ? "—" : $"{(percentile >= 100 ? m.Max : m.Percentile(percentile)):F1}";

    static string CpuModel() =>
        File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?" : "?";

    static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    static double MemTotalGb() =>
        File.Exists("/proc/meminfo") ? long.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0 / 1024.0 : 0;

    static string OsName() =>
        File.Exists("/etc/os-release") ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?[12..].Trim('"') ?? "Linux" : Environment.OSVersion.ToString();

    static async Task<string> PgSettingsAsync(Db db)
    {
        await using var c = await db.OpenAsync();
        var parts = new List<string>();
        foreach (var name in new[] { "fsync", "synchronous_commit", "shared_buffers", "max_connections" })
        {
            await using var cmd = Db.Command(c, null, $"SHOW {name}");
            parts.Add($"{name}={await cmd.ExecuteScalarAsync()}");
        }
        return string.Join(", ", parts);
    }
}
