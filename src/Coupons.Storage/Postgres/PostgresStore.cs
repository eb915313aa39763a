using System.Data.Common;
using Dapper;
using Npgsql;

namespace Coupons.Storage.Postgres;

/// <summary>
/// PostgreSQL, shared by any number of stateless nodes. Transactions run at READ COMMITTED; the rows an operation
/// depends on are locked (SELECT … FOR UPDATE, customer first, then coupon, then series) and counters move only by
/// conditional UPDATEs, so limits hold across nodes.
/// </summary>
public sealed class PostgresStore : SqlStore, IAsyncDisposable
{
    // Any fixed number: the advisory lock under which one node at a time migrates the schema.
    const long MigrationLockKey = 7_320_411_903;
    readonly NpgsqlDataSource dataSource;

    // Redemptions and single issues, the writes a till makes, have committers of their own (RedeemBatch.cs,
    // IssueBatch.cs): each takes the requests waiting and runs them in three round trips. A few, so that one batch's
    // commit overlaps the next batch's reads; more would only split the waiting requests into smaller batches.
    // Every other write goes through the group committer below. PostgreSQL already shares one WAL flush among
    // transactions committing at the same moment, so writes spread over many rows gain nothing from batching there and
    // lose parallelism: only writes keyed by series are batched (issue/multiple, by the series it draws from), one
    // series on one committer, many committers so that series that are not hot still run side by side.
    const int Committers = 64;
    const int MaxBatch = 32;
    const int BatchCommitterCount = 4;

    public PostgresStore(string connectionString, TimeProvider clock) : base(clock)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // No automatic preparation (Max Auto Prepare): with it, a statement refused for a NUL byte in a parameter (22021)
        // left its pooled connection out of step with the server, and the next request on it failed with "unexpected
        // backend message DataRow" (found by the hostile-input check, about one run in two).
        dataSource = NpgsqlDataSource.Create(builder.ToString());
        Batches = new GroupCommit(Committers, MaxBatch, async () => await dataSource.OpenConnectionAsync(), BeginBatchAsync,
            runAloneAfter: e => e is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.LockNotAvailable },
            keepConnection: false, keyedOnly: true);
        RedeemBatches = NewRedeemCommitters(BatchCommitterCount);
        IssueBatches = NewIssueCommitters(BatchCommitterCount);
    }

    /// <summary>
    /// A batch holds the locks of all its items until its commit. An item that waits long for a lock held by another
    /// batch could be one half of a deadlock the server only notices after a second: it gives up after a short wait
    /// (rolled back to its savepoint) and runs again alone once its batch has committed.
    /// </summary>
    static async ValueTask<DbTransaction> BeginBatchAsync(DbConnection c, int batchSize)
    {
        var tx = await c.BeginTransactionAsync();
        if (batchSize > 1) await c.ExecuteAsync("SET LOCAL lock_timeout = '200ms'", transaction: tx);
        return tx;
    }

    protected override string ForUpdate => " FOR UPDATE";

    protected override string SkipLocked => " FOR UPDATE SKIP LOCKED";

    protected override string ForUpdateOf(string alias) => $" FOR UPDATE OF {alias}";

    protected override bool IsPostgres => true;

    protected override StoreInputException? InputRefused(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.CharacterNotInRepertoire } ? new StoreInputException("text must not contain the NUL character", e) : null;

    protected override bool IsUniqueViolation(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    protected override async ValueTask<DbConnection> OpenReadAsync() => await dataSource.OpenConnectionAsync();

    protected override async Task<T> WriteAloneAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var c = await dataSource.OpenConnectionAsync();
                await using var tx = await c.BeginTransactionAsync();
                var result = await work(c, tx);
                await tx.CommitAsync();
                return result;
            }
            catch (PostgresException e) when (attempt < 5 && e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                // Rolled back as a whole; nothing of it is visible, so running it again is safe.
            }
        }
    }

    public override async Task MigrateAsync(CancellationToken ct = default)
    {
        await using var c = await dataSource.OpenConnectionAsync(ct);
        // Two nodes starting together: the second waits here until the first has finished, then finds nothing to do.
        await c.ExecuteAsync("SELECT pg_advisory_lock(@MigrationLockKey)", new { MigrationLockKey });
        try
        {
            await c.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)");
            foreach (var (version, name, sql) in Migrations.For("Postgres"))
            {
                await using var tx = await c.BeginTransactionAsync(ct);
                var done = await c.ExecuteScalarAsync<int?>("SELECT version FROM schema_migrations WHERE version = @version", new { version }, tx);
                if (done is null)
                {
                    await c.ExecuteAsync(sql, transaction: tx);
                    await c.ExecuteAsync("INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @now)",
                        new { version, name, now = Now }, tx);
                }
                await tx.CommitAsync(ct);
            }
        }
        finally
        {
            await c.ExecuteAsync("SELECT pg_advisory_unlock(@MigrationLockKey)", new { MigrationLockKey });
        }
    }

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();
}
