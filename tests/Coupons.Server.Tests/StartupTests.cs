using System.Diagnostics;
using System.Net;

namespace Coupons.Server.Tests;

/// <summary>The real executable, started as an operator starts it, on each backend.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task Two_nodes_started_together_on_one_empty_PostgreSQL_both_come_up_healthy()
    {
        var cs = TestPostgres.NewDatabase();
        int portA = ServerProcesses.FreePort(), portB = ServerProcesses.FreePort();
        using var a = ServerProcesses.Start(portA, "postgres", cs);
        using var b = ServerProcesses.Start(portB, "postgres", cs);
        try
        {
            var health = await Task.WhenAll(ServerProcesses.HealthWithinAsync(portA, TimeSpan.FromSeconds(60)), ServerProcesses.HealthWithinAsync(portB, TimeSpan.FromSeconds(60)));
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
        var port = ServerProcesses.FreePort();
        using var p = ServerProcesses.Start(port, "sqlite", $"Data Source={Path.Combine(dir, "data", "coupons.db")}");
        try
        {
            Assert.Equal(HttpStatusCode.OK, await ServerProcesses.HealthWithinAsync(port, TimeSpan.FromSeconds(60)));
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

        var port = ServerProcesses.FreePort();
        using var server = ServerProcesses.Start(port, "sqlite", cs);
        try
        {
            Assert.Equal(HttpStatusCode.OK, await ServerProcesses.HealthWithinAsync(port, TimeSpan.FromSeconds(60)));
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
