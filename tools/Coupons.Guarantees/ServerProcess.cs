using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Coupons.Guarantees;

/// <summary>The real server, started as an operator starts it: <c>dotnet Coupons.Server.dll --urls …</c> over one database.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    public const string BootstrapTill = "boot-admin";
    public const string BootstrapPassword = "boot-password-1";

    readonly Process process;
    readonly ConcurrentQueue<string> errorTail = new();

    ServerProcess(Process process, int port)
    {
        this.process = process;
        Port = port;
    }

    public int Port { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");
    public bool IsAlive => !process.HasExited;
    public int Id => process.Id;

    /// <summary>Where Coupons.Server.dll is: COUPONS_SERVER_DLL, else beside this assembly (the project reference puts it there).</summary>
    public static string ServerDll => Environment.GetEnvironmentVariable("COUPONS_SERVER_DLL") is { Length: > 0 } p
        ? p : Path.Combine(AppContext.BaseDirectory, "Coupons.Server.dll");

    public static async Task<ServerProcess> StartAsync(Database db, int? port = null)
    {
        var p = port ?? FreePort();
        var psi = Psi(db, $"--urls http://127.0.0.1:{p}");
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the server");
        var server = new ServerProcess(process, p);
        process.OutputDataReceived += (_, e) => server.Log(e.Data);
        process.ErrorDataReceived += (_, e) => server.Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitHealthyAsync(TimeSpan.FromSeconds(90));
        return server;
    }

    /// <summary>Creates another organisation with the server's own command; returns its id.</summary>
    public static async Task<long> CreateOrganisationAsync(Database db, string name, string till, string password)
    {
        var psi = Psi(db, $"org create --name {name} --till {till} --password {password}");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        var output = (await stdout).Trim();
        if (p.ExitCode != 0 || !long.TryParse(output, out var id))
            throw new InvalidOperationException($"org create failed ({p.ExitCode}): {output} {await stderr}");
        return id;
    }

    static ProcessStartInfo Psi(Database db, string args)
    {
        var psi = new ProcessStartInfo("dotnet", $"\"{ServerDll}\" {args}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        psi.Environment["Coupons__Database__Provider"] = db.Provider;
        psi.Environment["Coupons__Database__ConnectionString"] = db.ConnectionString;
        psi.Environment["Coupons__Bootstrap__Till"] = BootstrapTill;
        psi.Environment["Coupons__Bootstrap__Password"] = BootstrapPassword;
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        psi.Environment["Logging__LogLevel__Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware"] = "Warning";
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        return psi;
    }

    public async Task WaitHealthyAsync(TimeSpan limit)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var until = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < until)
        {
            if (process.HasExited) throw new InvalidOperationException($"the server exited ({process.ExitCode}): {Tail}");
            try
            {
                if ((await http.GetAsync(new Uri(BaseAddress, "/health"))).StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"the server on port {Port} was not healthy within {limit.TotalSeconds} s: {Tail}");
    }

    void Log(string? line)
    {
        if (line is null) return;
        // The console logger starts an error entry with "fail:" (an exception that reached the exception handler).
        if (line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal))
            Interlocked.Increment(ref failures);
        errorTail.Enqueue(line);
        while (errorTail.Count > 60) errorTail.TryDequeue(out _);
    }

    long failures;

    /// <summary>How many errors the server logged (each an exception that escaped an endpoint).</summary>
    public long LoggedFailures => Interlocked.Read(ref failures);

    /// <summary>The last lines the server wrote.</summary>
    public string Tail => string.Join("\n", errorTail);

    /// <summary>kill -9: the process gets no chance to finish anything.</summary>
    public void KillHard()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000);
    }

    static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public ValueTask DisposeAsync()
    {
        KillHard();
        process.Dispose();
        return ValueTask.CompletedTask;
    }
}
