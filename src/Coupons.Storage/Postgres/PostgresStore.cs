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

    // PostgreSQL already shares one WAL flush among transactions committing at the same moment, so writes spread over
    // many rows gain nothing from batching and lose parallelism: only writes keyed by series are batched. Those of one
    // series meet on one committer, where a hot counter row (a flash sale, a big campaign's redemptions) takes many
    // increments per commit instead of one increment per lock hand-over (each waiting for the previous commit's fsync).
    // Many committers, so series that are not hot still run side by side.
    const int Committers = 64;
    const int MaxBatch = 32;

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

    // One statement: data-modifying CTEs, each fed by the one before it, so a step runs only if the one before
    // changed a row. The series UPDATE is an ordinary conditional UPDATE (it waits for a concurrent one and rechecks).
    protected override string RedemptionWriteSql =>
        """
        WITH s AS (
            UPDATE series SET num_redeemed = num_redeemed + 1, last_used = @at
            WHERE org_id = @orgId AND id = @seriesId AND (max_redeem <= 0 OR num_redeemed < max_redeem) RETURNING id),
        k AS (
            UPDATE coupons SET num_redemptions = num_redemptions + 1
            WHERE id = @couponId AND num_redemptions = @seen AND EXISTS (SELECT 1 FROM s) RETURNING id),
        r AS (
            INSERT INTO redemptions (org_id, coupon_id, series_id, customer_id, till_id, store_id, redeemed_at, transaction_number, bill_amount, custom_fields)
            SELECT @orgId, @couponId, @seriesId, @customerId, @tillId, @storeId, @at, CAST(@number AS text), CAST(@amount AS numeric), CAST(@custom AS text) FROM k
            RETURNING id),
        o AS (
            INSERT INTO outbox (org_id, kind, payload, next_attempt_at, created_at)
            SELECT @orgId, 'coupon.redeemed', CAST(@payload AS text) || r.id || '}', @now, @now FROM r)
        SELECT id FROM r
        """;

    // The same chain for an issue: counter, coupon (ON CONFLICT: a taken code inserts nothing), outbox. The last SELECT
    // always answers one row, so the caller tells "series exhausted" (bumped 0) from "code taken" (bumped 1, no coupon).
    protected override string IssueGeneratedSql =>
        $$"""
        WITH s AS (
            UPDATE series SET num_issued = num_issued + 1
            WHERE org_id = @orgId AND id = @seriesId AND (max_create < 0 OR num_issued < max_create) RETURNING id),
        k AS (
            INSERT INTO coupons (org_id, series_id, code, code_key, customer_id, issued_by_till_id, issued_at_store_id,
                                 issued_on, valid_till, pin_code, metadata, created_at)
            SELECT @orgId, @seriesId, @code, @code, @customerId, @tillId, @storeId, @now, @validTill, @pin, CAST(@metadata AS text), @now FROM s
            ON CONFLICT (org_id, code_key) WHERE NOT is_generic DO NOTHING
            RETURNING {{ReturnedCoupon}}),
        o AS (
            INSERT INTO outbox (org_id, kind, payload, next_attempt_at, created_at)
            SELECT @orgId, 'coupon.issued', '{"couponId":' || k.id || ',' || CAST(@rest AS text), @now, @now FROM k)
        SELECT (SELECT COUNT(*) FROM s) AS count, k.* FROM (SELECT 1) AS one LEFT JOIN k ON TRUE
        """;

    protected override string InList(string column, string parameter) => $"{column} = ANY({parameter})";

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
