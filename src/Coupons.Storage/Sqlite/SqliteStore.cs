using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Coupons.Storage.Sqlite;

/// <summary>
/// SQLite in WAL mode with synchronous=FULL. Every write goes through one group committer (SQLite has one writer):
/// it keeps one connection open and commits whatever writes are waiting in one BEGIN IMMEDIATE transaction, each in
/// its own savepoint, so a burst of writes pays for one fsync, not one each, and every conditional update sees the
/// previous one's result. Reads run on pooled connections beside it.
/// </summary>
public sealed class SqliteStore : SqlStore
{
    // Up to this many writes share a commit; an item takes well under a millisecond, so a full batch stays short.
    const int MaxBatch = 64;
    // Read connections kept open with their prepared statements; more in use at once are opened and closed as needed.
    const int MaxIdleReaders = 64;
    readonly ConcurrentBag<StatementCachingConnection> idleReaders = [];
    readonly string connectionString;
    readonly SemaphoreSlim writeGate = new(1, 1);

    public SqliteStore(string connectionString, TimeProvider clock) : base(clock)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true, ForeignKeys = true, DefaultTimeout = 30 };
        var dir = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        this.connectionString = builder.ToString();
        Batches = new GroupCommit(committers: 1, MaxBatch, OpenWriterAsync,
            (c, _) => ValueTask.FromResult<DbTransaction>(((StatementCachingConnection)c).BeginTransaction(deferred: false)),
            runAloneAfter: _ => false, keepConnection: true);
    }

    async ValueTask<DbConnection> OpenWriterAsync()
    {
        var c = new SqliteConnection(connectionString);
        await c.OpenAsync();
        await c.ExecuteAsync("PRAGMA busy_timeout = 10000; PRAGMA synchronous = FULL;");
        return new StatementCachingConnection(c);
    }

    protected override string ForUpdate => "";

    protected override string SkipLocked => "";

    protected override string ForUpdateOf(string alias) => "";

    protected override bool IsPostgres => false;

    // SQLite stores any text, U+0000 included.
    protected override StoreInputException? InputRefused(Exception e) => null;

    protected override bool IsUniqueViolation(Exception e) =>
        e is SqliteException { SqliteErrorCode: 19 }; // SQLITE_CONSTRAINT

    protected override async ValueTask<DbConnection> OpenReadAsync()
    {
        if (idleReaders.TryTake(out var idle))
        {
            idle.Reuse();
            return idle;
        }
        var c = new SqliteConnection(connectionString);
        await c.OpenAsync();
        // Readers map the file rather than copy pages into their own caches: a reader's cache (2 MB) is dropped whenever
        // another connection commits, and a customer's 1,000 coupons of 1,000 series are more pages than it holds, so
        // the listing re-read every page on every call.
        await c.ExecuteAsync("PRAGMA busy_timeout = 10000; PRAGMA mmap_size = 268435456;");
        return new StatementCachingConnection(c, GiveBackReader);
    }

    void GiveBackReader(StatementCachingConnection c)
    {
        // A reader that left a transaction open is not handed to anyone else.
        if (c.InTransaction || idleReaders.Count >= MaxIdleReaders) c.CloseForGood();
        else idleReaders.Add(c);
    }

    protected override async Task<T> WriteAloneAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work)
    {
        await writeGate.WaitAsync();
        try
        {
            await using var c = await OpenWriterAsync();
            await using var tx = ((StatementCachingConnection)c).BeginTransaction(deferred: false);
            var result = await work(c, tx);
            await tx.CommitAsync();
            return result;
        }
        finally
        {
            writeGate.Release();
        }
    }

    public override async Task MigrateAsync(CancellationToken ct = default)
    {
        await using var c = new SqliteConnection(connectionString);
        await c.OpenAsync(ct);
        await c.ExecuteAsync("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000;");
        await c.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
        foreach (var (version, name, sql) in Migrations.For("Sqlite"))
        {
            await using var tx = c.BeginTransaction(deferred: false);
            var done = await c.ExecuteScalarAsync<long?>("SELECT version FROM schema_migrations WHERE version = @version", new { version }, tx);
            if (done is null)
            {
                await c.ExecuteAsync(sql, transaction: tx);
                await c.ExecuteAsync("INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @now)",
                    new { version, name, now = Now }, tx);
            }
            await tx.CommitAsync(ct);
        }
    }
}
