using System.Data.Common;
using Dapper;

namespace Coupons.Storage;

/// <summary>
/// The store both backends share. Each use case has its own file (Issue.cs, Redeem.cs, Redemptions.cs, Coupons.cs,
/// Listings.cs, Tenancy.cs, Customers.cs, SeriesAndCodes.cs, OutboxEvents.cs, Outbox.cs, Idempotency.cs, Console.cs)
/// holding its statements; SQLite (3.35+) and PostgreSQL both speak RETURNING, ON CONFLICT, partial indexes and
/// TRUE/FALSE, so most statements are written once, and where the dialects differ both texts are written out in full
/// side by side in the use case's file. Sqlite/ and Postgres/ hold only connections, lock clauses, commit settings and
/// migrations. This file is the plumbing: reads, writes (through the group committer), errors.
/// </summary>
public abstract partial class SqlStore : ICouponStore
{
    protected readonly TimeProvider Clock;

    protected SqlStore(TimeProvider clock)
    {
        Clock = clock;
        DapperTypes.Register();
    }

    protected DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>True on PostgreSQL: picks the PostgreSQL text of a statement where the dialects differ.</summary>
    protected abstract bool IsPostgres { get; }

    /// <summary>A pooled connection for reads that need no transaction.</summary>
    protected abstract ValueTask<DbConnection> OpenReadAsync();

    /// <summary>Runs <paramref name="read"/> on a pooled connection, outside any transaction.</summary>
    protected async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> read)
    {
        try
        {
            await using var c = await OpenReadAsync();
            return await read(c);
        }
        catch (Exception e) when (InputRefused(e) is { } refused)
        {
            throw refused;
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> as one atomic write, answered once it is durable; an exception rolls back all of
    /// its writes and nothing else. Concurrent writes share a transaction through <see cref="Batches"/> (group commit),
    /// each in its own savepoint, so <paramref name="work"/> may run more than once: database work only.
    /// Writes with the same <paramref name="key"/> (a series id) are committed by the same committer; a
    /// <paramref name="large"/> one (hundreds of rows) is not held up behind others, nor holds them up, where it can avoid it.
    /// </summary>
    protected async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, long? key = null, bool large = false)
    {
        // Read the request's Idempotency-Key here, in its own flow, before the work may move to a committer.
        work = UnderIdempotencyKey(work);
        try
        {
            return await (Batches is null ? WriteAloneAsync(work) : Batches.RunAsync(work, WriteAloneAsync, key, large));
        }
        catch (Exception e) when (InputRefused(e) is { } refused)
        {
            throw refused;
        }
    }

    /// <summary>Runs <paramref name="work"/> in a write transaction of its own and commits it; rolls back on any exception.</summary>
    protected abstract Task<T> WriteAloneAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work);

    /// <summary>The group committer of this store (null: every write alone).</summary>
    protected GroupCommit? Batches { get; init; }

    /// <summary>The row-lock clause: " FOR UPDATE" on PostgreSQL; empty on SQLite, where the write transaction already excludes every other writer.</summary>
    protected abstract string ForUpdate { get; }

    /// <summary>"FOR UPDATE OF alias": on PostgreSQL a join locks only the named table's row; empty on SQLite.</summary>
    protected abstract string ForUpdateOf(string alias);

    /// <summary>How a worker takes the next free row: " FOR UPDATE SKIP LOCKED" on PostgreSQL, so concurrent workers take different rows.</summary>
    protected abstract string SkipLocked { get; }

    protected abstract bool IsUniqueViolation(Exception e);

    /// <summary>The database refused a value of the request (PostgreSQL text cannot hold U+0000): the error to answer instead; else null.</summary>
    protected abstract StoreInputException? InputRefused(Exception e);

    /// <summary>"column matches any id of the list": Dapper expands IN @list for SQLite, but hands Npgsql the list as one array parameter.</summary>
    protected string InList(string column, string parameter) => IsPostgres ? $"{column} = ANY({parameter})" : $"{column} IN {parameter}";

    public abstract Task MigrateAsync(CancellationToken ct = default);

    public Task<bool> PingAsync(CancellationToken ct = default) =>
        ReadAsync(async c => await c.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: ct)) == 1);

    static TPending Enqueued<TPending>(BatchCommitters<TPending> committers, TPending pending)
    {
        committers.Enqueue(pending);
        return pending;
    }

    /// <summary>Thrown inside a write transaction to roll it back and answer with <see cref="Result"/> instead.</summary>
    sealed class Abort(object result) : Exception
    {
        public object Result { get; } = result;
    }
}

/// <summary>A value of the request that the database cannot store (answered 400, in the API's envelope, with this message).</summary>
public sealed class StoreInputException(string message, Exception inner) : Exception(message, inner);
