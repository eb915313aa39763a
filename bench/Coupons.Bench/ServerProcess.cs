using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Coupons.Bench;

/// <summary>The service as an operator starts it: `dotnet Coupons.Server.dll` with its settings in the environment.</summary>
sealed class ServerProcess : IDisposable
{
    readonly Process process;
    public string Url { get; }
    static readonly bool Verbose = Environment.GetEnvironmentVariable("COUPONS_BENCH_SERVER_LOG") == "1";
    public int Pid => process.Id;

    ServerProcess(Process process, string url)
    {
        this.process = process;
        Url = url;
    }

    public static ServerProcess Start(string dll, string provider, string connectionString, string till, string password, bool notifications = true)
    {
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\" --urls {url}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        psi.Environment["Coupons__Database__Provider"] = provider;
        psi.Environment["Coupons__Database__ConnectionString"] = connectionString;
        psi.Environment["Coupons__Bootstrap__Till"] = till;
        psi.Environment["Coupons__Bootstrap__Password"] = password;
        // The server's own default logging (no line per request), as an operator runs it; the bench's environment
        // passes through, so Logging__LogLevel__* there measures another level.
        if (!notifications) psi.Environment["Coupons__Notifications__Enabled"] = "false";
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line && (Verbose || line.Contains("fail", StringComparison.OrdinalIgnoreCase))) Console.Error.WriteLine($"  server: {line}"); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) Console.Error.WriteLine($"  server: {line}"); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return new ServerProcess(p, url);
    }

    static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>Seconds from now until /health answers 200.</summary>
    public async Task<double> WaitHealthyAsync(TimeSpan limit)
    {
        var sw = Stopwatch.StartNew();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (sw.Elapsed < limit)
        {
            if (process.HasExited) throw new InvalidOperationException($"the server exited with code {process.ExitCode}");
            try
            {
                if ((await http.GetAsync($"{Url}/health")).StatusCode == HttpStatusCode.OK) return sw.Elapsed.TotalSeconds;
            }
            catch (HttpRequestException) { }
            await Task.Delay(20);
        }
        throw new TimeoutException($"the server did not become healthy within {limit.TotalSeconds} s");
    }

    /// <summary>Peak resident memory of the server process so far (VmHWM), in MB.</summary>
    public double PeakMemoryMb() => ProcStatus(process.Id, "VmHWM:") / 1024.0;

    /// <summary>CPU time the server has used so far (user + system), in seconds.</summary>
    public double CpuSeconds()
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{process.Id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0; // utime, stime in clock ticks (USER_HZ = 100)
        }
        catch (IOException)
        {
            return 0;
        }
    }

    public static long ProcStatus(int pid, string field)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line[field.Length..].Trim().Split(' ')[0]);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException) { }
        process.Dispose();
    }
}
