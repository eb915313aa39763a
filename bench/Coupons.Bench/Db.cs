using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Coupons.Bench;

/// <summary>
/// The benchmark's own way into the database, for data generation and for the raw figures: plain ADO.NET, no Dapper,
/// no rules. Raw writes are one transaction each: pooled connections on PostgreSQL; on SQLite one writer at a time
/// (as SQLite allows), on one open connection, BEGIN IMMEDIATE … COMMIT with synchronous=FULL.
/// </summary>
sealed class Db : IAsyncDisposable
{
    public bool Pg { get; }
    public string ConnectionString { get; }
    readonly NpgsqlDataSource? dataSource;
    readonly SemaphoreSlim writeGate = new(1, 1);
    SqliteConnection? writer;

    public Db(bool pg, string connectionString, int poolSize)
    {
        Pg = pg;
        if (pg)
        {
            var b = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = Math.Max(poolSize, 4), MaxAutoPrepare = 32, AutoPrepareMinUsages = 2 };
            ConnectionString = b.ToString();
            dataSource = NpgsqlDataSource.Create(ConnectionString);
        }
        else
        {
            ConnectionString = new SqliteConnectionStringBuilder(connectionString) { Pooling = true }.ToString();
        }
    }

    public string ForUpdate => Pg ? " FOR UPDATE" : "";

    public object Time(DateTimeOffset t) => Pg ? t.ToUniversalTime() : t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public async Task<DbConnection> OpenAsync()
    {
        if (dataSource is not null) return await dataSource.OpenConnectionAsync();
        var c = new SqliteConnection(ConnectionString);
        await c.OpenAsync();
        await ExecAsync(c, null, "PRAGMA busy_timeout = 10000");
        return c;
    }

    /// <summary>One write transaction, committed durably before it returns.</summary>
    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work)
    {
        if (Pg)
        {
            await using var c = await OpenAsync();
            await using var tx = await c.BeginTransactionAsync();
            var result = await work(c, tx);
            await tx.CommitAsync();
            return result;
        }
        await writeGate.WaitAsync();
        try
        {
            if (writer is null)
            {
                writer = (SqliteConnection)await OpenAsync();
                await ExecAsync(writer, null, "PRAGMA synchronous = FULL");
            }
            await using var tx = writer.BeginTransaction(deferred: false);
            var result = await work(writer, tx);
            await tx.CommitAsync();
            return result;
        }
        finally
        {
            writeGate.Release();
        }
    }

    public static DbCommand Command(DbConnection c, DbTransaction? tx, string sql, params (string Name, object? Value)[] args)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    public static async Task<int> ExecAsync(DbConnection c, DbTransaction? tx, string sql, params (string, object?)[] args)
    {
        await using var cmd = Command(c, tx, sql, args);
        cmd.CommandTimeout = 600;
        return await cmd.ExecuteNonQueryAsync();
    }

    public static async Task<long?> ScalarAsync(DbConnection c, DbTransaction? tx, string sql, params (string, object?)[] args)
    {
        await using var cmd = Command(c, tx, sql, args);
        var v = await cmd.ExecuteScalarAsync();
        return v is null or DBNull ? null : Convert.ToInt64(v, CultureInfo.InvariantCulture);
    }

    public async Task<string> VersionAsync()
    {
        await using var c = await OpenAsync();
        await using var cmd = Command(c, null, Pg ? "SELECT version()" : "SELECT 'SQLite ' || sqlite_version()");
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        if (writer is not null) await writer.DisposeAsync();
        if (dataSource is not null) await dataSource.DisposeAsync();
    }
}
