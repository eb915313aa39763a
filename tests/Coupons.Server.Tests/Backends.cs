using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace Coupons.Server.Tests;

/// <summary>
/// The service as the tests run it: the real Program over a fresh database of one backend, reached through HTTP.
/// Each test class gets its own database; each test its own organisation (see <see cref="TestOrg"/>).
/// </summary>
public abstract class CouponsApp : WebApplicationFactory<Program>
{
    public const string BootstrapTill = "root-admin";
    public const string BootstrapPassword = "bootstrap-secret-1";

    public abstract string Provider { get; }
    public string ConnectionString { get; }

    protected CouponsApp(string connectionString) => ConnectionString = connectionString;

    /// <summary>An open connection to this app's database, for what a test checks or arranges below the API.</summary>
    public async Task<System.Data.Common.DbConnection> OpenDatabaseAsync()
    {
        System.Data.Common.DbConnection db = Provider == "sqlite"
            ? new Microsoft.Data.Sqlite.SqliteConnection(ConnectionString)
            : new NpgsqlConnection(ConnectionString);
        await db.OpenAsync();
        return db;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Coupons:Database:Provider", Provider);
        builder.UseSetting("Coupons:Database:ConnectionString", ConnectionString);
        builder.UseSetting("Coupons:Bootstrap:Till", BootstrapTill);
        builder.UseSetting("Coupons:Bootstrap:Password", BootstrapPassword);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware", "Warning");
    }
}

public sealed class SqliteApp() : CouponsApp($"Data Source={Path.Combine(Path.GetTempPath(), $"coupons-test-{Guid.NewGuid():N}.db")}")
{
    public override string Provider => "sqlite";
}

public sealed class PostgresApp() : CouponsApp(TestPostgres.NewDatabase())
{
    public override string Provider => "postgres";
}

/// <summary>
/// The PostgreSQL the tests use: COUPONS_TEST_PG (scripts/test starts a throwaway one and sets it), or the default below.
/// There is no skipping: when no server answers, every PostgreSQL test fails.
/// </summary>
public static class TestPostgres
{
    public static string Admin => Environment.GetEnvironmentVariable("COUPONS_TEST_PG") is { Length: > 0 } cs
        ? cs : "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres";

    public static string NewDatabase()
    {
        var name = $"coupons_t_{Guid.NewGuid():N}";
        using (var c = new NpgsqlConnection(Admin))
        {
            c.Open();
            using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
            cmd.ExecuteNonQuery();
        }
        return new NpgsqlConnectionStringBuilder(Admin) { Database = name, MaxPoolSize = 40 }.ToString();
    }
}
