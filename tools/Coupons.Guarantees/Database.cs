using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Coupons.Guarantees;

/// <summary>A fresh database of one backend, created for one check, and read directly with SQL afterwards.</summary>
public sealed record Database(string Provider, string ConnectionString)
{
    /// <summary>The PostgreSQL server to create databases in: COUPONS_TEST_PG (as the tests use it), else the dev server.</summary>
    public static string PostgresAdmin => Environment.GetEnvironmentVariable("COUPONS_TEST_PG") is { Length: > 0 } cs
        ? cs : "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres";

    public static async Task<Database> CreateAsync(string provider)
    {
        if (provider == "sqlite")
        {
            var file = Path.Combine(Path.GetTempPath(), $"coupons-guarantees-{Guid.NewGuid():N}.db");
            return new Database("sqlite", $"Data Source={file}");
        }
        var name = $"coupons_g_{Guid.NewGuid():N}";
        await using (var c = new NpgsqlConnection(PostgresAdmin))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
            await cmd.ExecuteNonQueryAsync();
        }
        return new Database("postgres", new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = name, MaxPoolSize = 50 }.ToString());
    }

    public async Task<DbConnection> OpenAsync()
    {
        // Columns such as num_issued map to properties such as NumIssued.
        Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
        DbConnection c = Provider == "sqlite"
            ? new SqliteConnection(new SqliteConnectionStringBuilder(ConnectionString) { Pooling = false, DefaultTimeout = 30 }.ToString())
            : new NpgsqlConnection(ConnectionString);
        await c.OpenAsync();
        return c;
    }

    /// <summary>Drops the database (PostgreSQL) or deletes its files (SQLite); failures are ignored, it is only tidying up.</summary>
    public async Task DropAsync()
    {
        try
        {
            if (Provider == "sqlite")
            {
                var file = new SqliteConnectionStringBuilder(ConnectionString).DataSource;
                foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
                return;
            }
            var name = new NpgsqlConnectionStringBuilder(ConnectionString).Database;
            NpgsqlConnection.ClearAllPools();
            await using var c = new NpgsqlConnection(PostgresAdmin);
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", c);
            await cmd.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is IOException or DbException) { }
    }
}
