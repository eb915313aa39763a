using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Coupons.Server.Tests;

/// <summary>The real executable, started as an operator starts it, on each backend.</summary>
public sealed class StartupTests
{
    static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    static Process Start(int port, string provider, string connectionString, string? extraArgs = null)
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
        psi.Environment["Coupons__Bootstrap__Till"] = "boot";
        psi.Environment["Coupons__Bootstrap__Password"] = "boot-password";
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    static async Task<HttpStatusCode?> HealthWithinAsync(int port, TimeSpan limit)
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

    [Fact]
    public async Task Two_nodes_started_together_on_one_empty_PostgreSQL_both_come_up_healthy()
    {
        var cs = TestPostgres.NewDatabase();
        int portA = FreePort(), portB = FreePort();
        using var a = Start(portA, "postgres", cs);
        using var b = Start(portB, "postgres", cs);
        try
        {
            var health = await Task.WhenAll(HealthWithinAsync(portA, TimeSpan.FromSeconds(60)), HealthWithinAsync(portB, TimeSpan.FromSeconds(60)));
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], health);

            await using var db = new Npgsql.NpgsqlConnection(cs);
            await db.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand("SELECT (SELECT count(*) FROM organisations), (SELECT count(*) FROM schema_migrations)", db);
            await using var reader = await cmd.ExecuteReaderAsync();
            await reader.ReadAsync();
            Assert.Equal(1, reader.GetInt64(0));
            // Every migration applied once, not once per node.
            var migrations = typeof(Coupons.Storage.ICouponStore).Assembly.GetManifestResourceNames().Count(n => n.Contains(".Postgres.migrations."));
            Assert.Equal(migrations, reader.GetInt64(1));
        }
        finally
        {
            a.Kill(entireProcessTree: true);
            b.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task On_SQLite_the_service_creates_its_database_file_and_serves_health()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"coupons-start-{Guid.NewGuid():N}");
        var port = FreePort();
        using var p = Start(port, "sqlite", $"Data Source={Path.Combine(dir, "data", "coupons.db")}");
        try
        {
            Assert.Equal(HttpStatusCode.OK, await HealthWithinAsync(port, TimeSpan.FromSeconds(60)));
            Assert.True(File.Exists(Path.Combine(dir, "data", "coupons.db")));
        }
        finally
        {
            p.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task The_org_create_command_prints_the_new_organisation_id_and_its_till_can_sign_in()
    {
        var cs = $"Data Source={Path.Combine(Path.GetTempPath(), $"coupons-org-{Guid.NewGuid():N}.db")}";
        var dll = Path.Combine(AppContext.BaseDirectory, "Coupons.Server.dll");
        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\" org create --name Acme --till acme-admin --password acme-password")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["Coupons__Database__Provider"] = "sqlite";
        psi.Environment["Coupons__Database__ConnectionString"] = cs;
        using var cmd = Process.Start(psi)!;
        var output = await cmd.StandardOutput.ReadToEndAsync();
        await cmd.WaitForExitAsync();
        Assert.Equal(0, cmd.ExitCode);
        Assert.True(long.TryParse(output.Trim(), out var orgId) && orgId > 0, output);

        var port = FreePort();
        using var server = Start(port, "sqlite", cs);
        try
        {
            Assert.Equal(HttpStatusCode.OK, await HealthWithinAsync(port, TimeSpan.FromSeconds(60)));
            using var http = new HttpClient();
            http.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String("acme-admin:acme-password"u8.ToArray()));
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{port}/v2/stores")).StatusCode);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
        }
    }
}
