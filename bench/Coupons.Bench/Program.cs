using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Coupons.Bench;
using Npgsql;

// Coupons.Bench: see bench/README.md. Every option has a default; --quick makes a small data set and short runs.
var o = Options.Parse(args);
if (o is null) return 2;
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (o.CheckDelay)
{
    await DelayCheck.RunAsync(o.DbLatency ?? 0.25);
    return 0;
}
var overall = Stopwatch.StartNew();
foreach (var backend in o.Backends)
{
    var report = await BenchRun.RunAsync(o, backend);
    Directory.CreateDirectory(o.OutDir);
    var file = Path.Combine(o.OutDir, $"{DateTime.UtcNow:yyyy-MM-dd}-{backend}{(o.Quick ? "-quick" : "")}.md");
    await File.WriteAllTextAsync(file, report);
    Console.WriteLine($"wrote {file}");
}
Console.WriteLine($"done in {overall.Elapsed.TotalSeconds:F0} s");
return 0;

sealed record Options
{
    public string[] Backends { get; init; } = ["sqlite", "postgres"];
    public string PgAdmin { get; init; } = Environment.GetEnvironmentVariable("COUPONS_BENCH_PG") is { Length: > 0 } cs ? cs : "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres";
    public string? Url { get; init; }
    public string? Connection { get; init; }
    public string Till { get; init; } = "bench-admin";
    public string Password { get; init; } = "bench-password";
    public int Clients { get; init; } = 64;
    public double Seconds { get; init; } = 5;
    public double Warmup { get; init; } = 1;
    /// <summary>Seconds of unmeasured service requests per operation before the first run, for the JIT.</summary>
    public double JitWarmup { get; init; } = 2;
    public double Rate { get; init; }
    public bool Quick { get; init; }
    public bool Keep { get; init; }
    public string[]? Ops { get; init; }
    public int Coupons { get; init; } = 1_000_000;
    public int Customers { get; init; } = 100_000;
    public int Series { get; init; } = 1_000;
    public int Flash { get; init; } = 5_000;
    /// <summary>Coupons of the campaign series, one per customer: 20,000 (or every customer, when fewer) unless --campaign says.</summary>
    public int Campaign { get; init; }
    /// <summary>--db-latency: milliseconds each way through <see cref="DbRelay"/> (PostgreSQL only); null: no relay.</summary>
    public double? DbLatency { get; init; }
    /// <summary>--check-delay: only measure how accurately the relay's timer holds chunks on this machine, now.</summary>
    public bool CheckDelay { get; init; }
    public string OutDir { get; init; } = Path.Combine(Repo.Root, "bench", "results");
    public string ServerDll { get; init; } = Path.Combine(Repo.Root, "src", "Coupons.Server", "bin", "Release", "net10.0", "Coupons.Server.dll");
    public string? Label { get; init; }

    public static Options? Parse(string[] args)
    {
        var o = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--backend": o = o with { Backends = Next() is "both" ? ["sqlite", "postgres"] : [args[i]] }; break;
                case "--pg": o = o with { PgAdmin = Next() }; break;
                case "--url": o = o with { Url = Next().TrimEnd('/') }; break;
                case "--connection": o = o with { Connection = Next() }; break;
                case "--till": o = o with { Till = Next() }; break;
                case "--password": o = o with { Password = Next() }; break;
                case "--clients": o = o with { Clients = int.Parse(Next()) }; break;
                case "--seconds": o = o with { Seconds = double.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                case "--warmup": o = o with { Warmup = double.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                case "--jit-warmup": o = o with { JitWarmup = double.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                case "--rate": o = o with { Rate = double.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                case "--ops": o = o with { Ops = Next().Split(',') }; break;
                case "--coupons": o = o with { Coupons = int.Parse(Next()) }; break;
                case "--customers": o = o with { Customers = int.Parse(Next()) }; break;
                case "--series": o = o with { Series = int.Parse(Next()) }; break;
                case "--flash": o = o with { Flash = int.Parse(Next()) }; break;
                case "--campaign": o = o with { Campaign = int.Parse(Next()) }; break;
                case "--db-latency":
                    // The value is optional: a bare --db-latency (the next argument is not a number) means 0.25 ms each way.
                    if (i + 1 < args.Length && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms)) { o = o with { DbLatency = ms }; i++; }
                    else o = o with { DbLatency = 0.25 };
                    break;
                case "--out": o = o with { OutDir = Next() }; break;
                case "--server-dll": o = o with { ServerDll = Next() }; break;
                case "--label": o = o with { Label = Next() }; break;
                case "--keep": o = o with { Keep = true }; break;
                case "--check-delay": o = o with { CheckDelay = true }; break;
                case "--quick": o = o with { Quick = true, Customers = 20_000, Series = 100, Flash = 2_000, Seconds = 2, Warmup = 0.5, JitWarmup = 1 }; break;
                default:
                    Console.Error.WriteLine($"unknown option {args[i]}; see bench/README.md");
                    return null;
            }
        }
        if (o.Url is not null && (o.Connection is null || o.Backends.Length != 1))
        {
            Console.Error.WriteLine("--url needs --backend sqlite|postgres and --connection (the server's database, for the data set and the raw figures)");
            return null;
        }
        if (o.DbLatency is { } latency && !o.CheckDelay && (latency < 0 || o.Url is not null || !o.Backends.Contains("postgres")))
        {
            Console.Error.WriteLine("--db-latency MS (≥ 0) needs the PostgreSQL backend and a server the bench starts (not --url)");
            return null;
        }
        if (o.Campaign == 0) o = o with { Campaign = Math.Min(20_000, o.Customers) };
        if (o.Campaign < 1 || o.Campaign > o.Customers)
        {
            Console.Error.WriteLine($"--campaign must be between 1 and the number of customers ({o.Customers:N0}): each campaign coupon has its own customer");
            return null;
        }
        return o with { Coupons = o.Customers * DataSet.PerCustomer };
    }
}

static class Repo
{
    public static string Root
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Coupons.slnx"))) return d.FullName;
            return Directory.GetCurrentDirectory();
        }
    }
}

static class BenchRun
{
    public static async Task<string> RunAsync(Options o, string backend)
    {
        var pg = backend == "postgres";
        var stamp = DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        string connection;
        string? dropDatabase = null;
        if (o.Connection is not null) connection = o.Connection;
        else if (pg)
        {
            var name = $"coupons_bench_{stamp}";
            await using (var admin = new NpgsqlConnection(o.PgAdmin))
            {
                await admin.OpenAsync();
                await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
                await cmd.ExecuteNonQueryAsync();
            }
            connection = new NpgsqlConnectionStringBuilder(o.PgAdmin) { Database = name }.ToString();
            dropDatabase = name;
        }
        else connection = $"Data Source={Path.Combine(Path.GetTempPath(), $"coupons-bench-{stamp}", "coupons.db")}";

        Console.WriteLine($"== {backend}: {o.Customers:N0} customers, {o.Coupons + DataSet.HeavyCoupons + o.Campaign:N0} coupons, {o.Series:N0} series; {o.Clients} clients, {o.Seconds} s per run{(o.Rate > 0 ? $", open loop at {o.Rate}/s" : ", closed loop")}");
        // --db-latency: the server and the raw runs each reach PostgreSQL through their own relay (same delay), so
        // their round trips are counted apart and the ratios compare like with like.
        DbRelay? serverRelay = null, rawRelay = null;
        if (pg && o.DbLatency is { } latency)
        {
            serverRelay = new DbRelay(connection, TimeSpan.FromMilliseconds(latency));
            rawRelay = new DbRelay(connection, TimeSpan.FromMilliseconds(latency));
            Console.WriteLine($"  database {latency} ms away each way: the server through 127.0.0.1:{serverRelay.Port}, the raw runs through 127.0.0.1:{rawRelay.Port}");
        }
        var serverConnection = serverRelay?.Route(connection) ?? connection;
        // Behind the relay the notification dispatcher is off (the outbox only fills): its round trips are in no
        // request's path, and it expands the events one operation's writes left (158 round trips a second after a
        // quick bulk redeem and issue-multiple) while the next operation is counted, which made a 1-client
        // issue-multiple-500 show 50 round trips per request.
        var notifications = serverRelay is null;
        ServerProcess? server = null;
        try
        {
            var url = o.Url;
            if (url is null)
            {
                server = ServerProcess.Start(o.ServerDll, backend, serverConnection, o.Till, o.Password, notifications);
                var firstStart = await server.WaitHealthyAsync(TimeSpan.FromSeconds(120));
                Console.WriteLine($"  first start (migrations, bootstrap) healthy in {firstStart:F2} s");
                url = server.Url;
            }
            using var http = Client(url, o.Till, o.Password, o.Clients);
            await using var db = new Db(pg, rawRelay?.Route(connection) ?? connection, o.Clients);
            var sw = Stopwatch.StartNew();
            var data = await DataSet.CreateAsync(db, http, new DataSet(o.Coupons, o.Customers, o.Series, o.Flash, o.Campaign), s => Console.WriteLine(s));
            var generation = sw.Elapsed.TotalSeconds;
            Console.WriteLine($"  data set made in {generation:F1} s");

            double? startup = null;
            if (server is not null)
            {
                server.Dispose();
                server = ServerProcess.Start(o.ServerDll, backend, serverConnection, o.Till, o.Password, notifications);
                startup = await server.WaitHealthyAsync(TimeSpan.FromSeconds(120));
                Console.WriteLine($"  start-up to healthy on the existing database: {startup:F2} s");
            }
            using var client = Client(server?.Url ?? url, o.Till, o.Password, o.Clients);
            // One signed-in request first: the first sign-in pays for the password hash, and that is not what is measured.
            (await client.GetAsync("/v2/stores")).EnsureSuccessStatusCode();
            var ops = new Operations(client, db, data);
            await WarmPoolsAsync(db, ops, o.Clients);
            // The server compiles its code as it gets hot (tiered JIT); on two busy cores that takes seconds, and the
            // first operation measured paid for it: redeem cost 1.85 ms of server CPU per request as the first 5 s
            // run, 0.87-1.19 ms in 15-40 s runs of the same build (2026-12-02). So each operation's service requests
            // run unmeasured first, but those that use up what the runs need (the flash sale's series, the campaign's
            // coupons), whose code the others warm.
            if (o.JitWarmup > 0)
                foreach (var op in ops.All.Where(x => !x.UntilStop && x.Name != "redeem-campaign" && (o.Ops is null || o.Ops.Contains(x.Name))))
                    await Driver.RunAsync(new Driver.Plan(o.Clients, TimeSpan.Zero, TimeSpan.FromSeconds(o.JitWarmup), 0, false), op.Service, null);
            // Whatever the server does on its own is counted in every run too: measured with no requests before the
            // runs and again after them (0 expected, with the notification dispatcher off).
            async Task<double?> IdleTripsAsync(string when)
            {
                if (serverRelay is null) return null;
                var before = serverRelay.RoundTrips;
                await Task.Delay(TimeSpan.FromSeconds(2));
                var perSecond = (serverRelay.RoundTrips - before) / 2.0;
                Console.WriteLine($"  the server with no requests, {when}: {perSecond:F1} round trips a second");
                return perSecond;
            }
            var idleBefore = await IdleTripsAsync("before the runs");
            var rows = new List<Row>();
            var tripsColumns = serverRelay is null ? "" : $" {"rt/req",6} {"raw rt",6}";
            Console.WriteLine($"  {"operation",-20} {"clients",7} {"raw/s",9} {"svc/s",9} {"ratio",6} {"p50",7} {"p95",7} {"p99",7} {"max",8} {"err",5} {"raw p50",8} {"raw p99",8} {"MB",5} {"cpu ms",7} {"bench",6}{tripsColumns}");
            foreach (var op in ops.All.Where(x => o.Ops is null || o.Ops.Contains(x.Name)))
            {
                foreach (var clients in ClientCounts(op.Name, o.Clients))
                {
                    var plan = new Driver.Plan(clients, TimeSpan.FromSeconds(op.UntilStop ? 0 : o.Warmup), TimeSpan.FromSeconds(o.Seconds), o.Rate, op.UntilStop);
                    var benchCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
                    var raw = await Driver.RunAsync(plan, op.Raw, rawRelay is null ? null : () => rawRelay.RoundTrips);
                    var rawCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - benchCpu;
                    var serverCpu = server?.CpuSeconds() ?? 0;
                    benchCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
                    var service = await Driver.RunAsync(plan, op.Service, serverRelay is null ? null : () => serverRelay.RoundTrips);
                    var serviceCpu = (server?.CpuSeconds() ?? 0) - serverCpu;
                    var benchServiceCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - benchCpu;
                    var issued = op.Name == "flash-sale" ? await FlashCountsAsync(db, data) : null;
                    var row = new Row(op.Name, op.What, clients, raw, service, server?.PeakMemoryMb(), issued)
                    {
                        RawCpuMs = 1000 * rawCpu / Math.Max(1, raw.Ok + raw.Errors),
                        ServiceCpuMs = 1000 * serviceCpu / Math.Max(1, service.Ok + service.Errors),
                        BenchCpuMs = 1000 * benchServiceCpu / Math.Max(1, service.Ok + service.Errors),
                    };
                    rows.Add(row);
                    Console.WriteLine("  " + row.Line());
                    if (service.FirstError is not null) Console.WriteLine($"    first service error: {service.FirstError}");
                    if (raw.FirstError is not null) Console.WriteLine($"    first raw error: {raw.FirstError}");
                    if (issued is not null) Console.WriteLine($"    {issued}");
                }
            }
            var peak = server?.PeakMemoryMb();
            var idleAfter = await IdleTripsAsync("after them");
            var relay = serverRelay is null || rawRelay is null ? null : new RelayFigures(serverRelay, rawRelay, idleBefore ?? 0, idleAfter ?? 0);
            if (relay is not null) foreach (var line in relay.Lines()) Console.WriteLine($"  {line}");
            return await Report.MarkdownAsync(o, backend, db, data, generation, startup, peak, rows, relay);
        }
        finally
        {
            server?.Dispose();
            if (serverRelay is not null) await serverRelay.DisposeAsync();
            if (rawRelay is not null) await rawRelay.DisposeAsync();
            if (dropDatabase is not null && !o.Keep)
            {
                NpgsqlConnection.ClearAllPools();
                await using var admin = new NpgsqlConnection(o.PgAdmin);
                await admin.OpenAsync();
                await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {dropDatabase} WITH (FORCE)", admin);
                await cmd.ExecuteNonQueryAsync();
            }
            else if (!pg && o.Connection is null && !o.Keep)
            {
                try { Directory.Delete(Path.GetDirectoryName(connection["Data Source=".Length..])!, recursive: true); } catch (IOException) { }
            }
        }
    }

    /// <summary>
    /// Every connection the runs will use, opened before the first of them: HTTP connections, the server's database
    /// pool (as many read-only requests at once as there are clients) and the raw pool. Opening a PostgreSQL connection
    /// takes several round trips, which would otherwise land in the first operation's figures.
    /// </summary>
    static async Task WarmPoolsAsync(Db db, Operations ops, int clients)
    {
        var isRedeemable = ops.All.Single(x => x.Name == "isredeemable");
        for (var round = 0; round < 2; round++)
            await Task.WhenAll(Enumerable.Range(0, clients).Select(k => isRedeemable.Service(k)));
        var connections = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => db.OpenAsync()));
        foreach (var c in connections) await c.DisposeAsync();
    }

    /// <summary>The latency targets of issue/multiple and customer coupons are about one request: those also run with one client.</summary>
    static int[] ClientCounts(string op, int clients) =>
        op is "issue-multiple-500" or "customer-coupons" && clients != 1 ? [1, clients] : [clients];

    static async Task<string> FlashCountsAsync(Db db, DataSet data)
    {
        await using var c = await db.OpenAsync();
        async Task<string> Of(long series) =>
            $"num_issued {await Db.ScalarAsync(c, null, "SELECT num_issued FROM series WHERE id = @s", ("s", series))}, coupons {await Db.ScalarAsync(c, null, "SELECT count(*) FROM coupons WHERE series_id = @s", ("s", series))}";
        return $"flash sale, maxCreate {data.FlashMax}: raw {await Of(data.HotRaw)}; service {await Of(data.HotService)}";
    }

    static HttpClient Client(string url, string till, string password, int clients) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseCookies = false, AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = new Uri(url),
            Timeout = TimeSpan.FromSeconds(120),
            DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{till}:{password}"))) },
        };
}

sealed record Row(string Name, string What, int Clients, Measure Raw, Measure Service, double? PeakMb, string? Note)
{
    /// <summary>NaN when the raw run had nothing answered inside its window.</summary>
    public double Ratio => Raw.Ok > 0 ? Service.Rate / Raw.Rate : double.NaN;
    /// <summary>CPU the bench process spent per raw operation (on SQLite that is all of it: the database runs in-process).</summary>
    public double RawCpuMs { get; init; }
    /// <summary>CPU the server process spent per request answered.</summary>
    public double ServiceCpuMs { get; init; }
    /// <summary>CPU the bench process spent per request answered during the service run: the HTTP client and, with --db-latency, the server's relay.</summary>
    public double BenchCpuMs { get; init; }

    public string Line() =>
        $"{Name,-20} {Clients,7} {Raw.Rate,9:F0} {Service.Rate,9:F0} {(double.IsNaN(Ratio) ? "—" : Ratio.ToString("F2")),6} {Service.Percentile(50),7:F1} {Service.Percentile(95),7:F1} {Service.Percentile(99),7:F1} {Service.Max,8:F1} {Service.Errors,5} {Raw.Percentile(50),8:F1} {Raw.Percentile(99),8:F1} {PeakMb,5:F0} {ServiceCpuMs,7:F2} {BenchCpuMs,6:F2}{(Service.Trips is null ? "" : $" {Service.TripsPerRequest,6:F2} {Raw.TripsPerRequest,6:F2}")}";
}
