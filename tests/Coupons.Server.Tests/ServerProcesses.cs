using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Coupons.Server.Tests;

/// <summary>The real executable as an operator starts it (<c>dotnet Coupons.Server.dll --urls …</c>), for the tests that need whole processes.</summary>
public static class ServerProcesses
{
    public const string BootstrapTill = "boot";
    public const string BootstrapPassword = "boot-password";

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>Starts the server on <paramref name="port"/>; <paramref name="settings"/> are configuration keys (a:b) set as environment variables.</summary>
    public static Process Start(int port, string provider, string connectionString, string? extraArgs = null,
        IEnumerable<(string Key, string Value)>? settings = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Coupons.Server.dll");
        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\" --urls http://127.0.0.1:{port} {extraArgs}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        psi.Environment["Coupons__Database__Provider"] = provider;
        psi.Environment["Coupons__Database__ConnectionString"] = connectionString;
        psi.Environment["Coupons__Bootstrap__Till"] = BootstrapTill;
        psi.Environment["Coupons__Bootstrap__Password"] = BootstrapPassword;
        foreach (var (key, value) in settings ?? []) psi.Environment[key.Replace(":", "__")] = value;
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>As <see cref="Start"/>, keeping everything the process writes (standard output and error) in <paramref name="output"/>.</summary>
    public static Process StartCapturing(int port, string provider, string connectionString, IEnumerable<(string Key, string Value)> settings,
        out System.Text.StringBuilder output, string? extraArgs = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Coupons.Server.dll");
        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\" --urls http://127.0.0.1:{port} {extraArgs}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        psi.Environment["Coupons__Database__Provider"] = provider;
        psi.Environment["Coupons__Database__ConnectionString"] = connectionString;
        psi.Environment["Coupons__Bootstrap__Till"] = BootstrapTill;
        psi.Environment["Coupons__Bootstrap__Password"] = BootstrapPassword;
        foreach (var (key, value) in settings) psi.Environment[key.Replace(":", "__")] = value;
        var p = Process.Start(psi)!;
        var captured = output = new System.Text.StringBuilder();
        p.OutputDataReceived += (_, e) => { lock (captured) captured.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { lock (captured) captured.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>200 once the server answers /health within <paramref name="limit"/>; null when it never does.</summary>
    public static async Task<HttpStatusCode?> HealthWithinAsync(int port, TimeSpan limit)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var until = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < until)
        {
            try
            {
                var r = await http.GetAsync($"http://127.0.0.1:{port}/health");
                if (r.StatusCode == HttpStatusCode.OK) return r.StatusCode;
            }
            // A node still starting (or a machine busy with other tests) may not answer within the client's timeout: ask again.
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(200);
        }
        return null;
    }
}
