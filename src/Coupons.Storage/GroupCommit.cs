using System.Data.Common;
using System.Threading.Channels;

namespace Coupons.Storage;

/// <summary>
/// Group commit: concurrent write transactions are gathered and committed together, so many requests share one
/// durable commit (one fsync) instead of paying one each.
/// <para>
/// Each committer owns a queue. It takes what is waiting (up to <c>maxBatch</c>), opens one transaction and runs each
/// item inside its own SAVEPOINT: an item that throws is rolled back to its savepoint, so its failure touches no other
/// item. After the one COMMIT every caller gets its own answer, and only then: nobody hears "done" before the write
/// is durable. If the batch as a whole fails (the COMMIT itself, the connection), nothing of it is durable and every
/// item runs again in a transaction of its own, so nobody gets a wrong answer; an item that failed for a reason that
/// says "try again alone" (a deadlock or lock timeout on PostgreSQL) does the same after the batch commits. Work
/// must therefore be re-runnable: database work only, no side effects outside the transaction.
/// </para>
/// <para>
/// Writes with a key (the series an issue draws from) always go to the same committer, so a hot row is updated by one
/// transaction at a time, many increments per commit, instead of committers queueing on its lock; others go round.
/// </para>
/// </summary>
public sealed class GroupCommit
{
    /// <summary>Opens the committer's connection (or hands back the one it keeps).</summary>
    public delegate ValueTask<DbConnection> Open();

    /// <summary>Begins the batch's transaction; <c>batchSize</c> lets the backend set batch-only limits (lock timeouts).</summary>
    public delegate ValueTask<DbTransaction> Begin(DbConnection connection, int batchSize);

    readonly Channel<Item>[] queues;
    readonly Task[] loops;
    readonly int maxBatch;
    readonly Open open;
    readonly Begin begin;
    readonly Func<Exception, bool> runAloneAfter;
    readonly bool keepConnection;
    readonly bool keyedOnly;
    int next = -1;

    /// <param name="committers">How many batches may be open at once (1 on SQLite: one writer).</param>
    /// <param name="maxBatch">The most items in one transaction: more items per commit, but each waits for all before it.</param>
    /// <param name="runAloneAfter">An item failure that is the batch's fault, not the item's: the item runs again in its own transaction.</param>
    /// <param name="keepConnection">Keep the connection <paramref name="open"/> gives for the life of the committer (SQLite), or dispose it after each batch (pooled).</param>
    /// <param name="keyedOnly">Only writes with a key are batched; the others run alone at once (PostgreSQL, where concurrent
    /// transactions already share WAL flushes and batching rows that nobody else wants only lengthens lock hold times).</param>
    public GroupCommit(int committers, int maxBatch, Open open, Begin begin, Func<Exception, bool> runAloneAfter, bool keepConnection, bool keyedOnly = false)
    {
        this.keyedOnly = keyedOnly;
        this.maxBatch = maxBatch;
        this.open = open;
        this.begin = begin;
        this.runAloneAfter = runAloneAfter;
        this.keepConnection = keepConnection;
        queues = new Channel<Item>[committers];
        loops = new Task[committers];
        for (var i = 0; i < committers; i++)
        {
            var queue = queues[i] = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
            loops[i] = Task.Run(() => CommitterAsync(queue.Reader));
        }
    }

    public int Committers => queues.Length;

    /// <summary>Every committer is still taking work (readiness: a node whose committer died can only queue writes).</summary>
    public bool Running => loops.All(l => !l.IsCompleted);

    /// <summary>
    /// Runs <paramref name="work"/> in a shared transaction and answers once that is committed.
    /// <paramref name="alone"/> runs it in a transaction of its own: the way back when the batch cannot be used.
    /// A <paramref name="large"/> write (hundreds of rows) gains nothing from sharing a commit and would hold up the
    /// writes queued behind it: with several committers it runs alone at once; with one (SQLite) it still queues.
    /// </summary>
    public Task<T> RunAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, Func<Func<DbConnection, DbTransaction, Task<T>>, Task<T>> alone, long? key = null, bool large = false)
    {
        if ((large && queues.Length > 1) || (keyedOnly && key is null)) return alone(work);
        var item = new Item<T>(work, alone);
        var index = key is { } k ? (int)((ulong)k % (ulong)queues.Length) : (int)((uint)Interlocked.Increment(ref next) % (uint)queues.Length);
        if (!queues[index].Writer.TryWrite(item)) throw new InvalidOperationException("the group committer has stopped");
        return item.Task;
    }

    async Task CommitterAsync(ChannelReader<Item> reader)
    {
        var batch = new List<Item>(maxBatch);
        DbConnection? kept = null;
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < maxBatch && reader.TryRead(out var item)) batch.Add(item);
            if (batch.Count == 0) continue;
            try
            {
                using var span = StoreTelemetry.BatchStarting("group", batch, i => i.Queued);
                kept = await CommitBatchAsync(batch, kept);
            }
            catch (Exception)
            {
                // The batch as a whole failed before its commit succeeded: nothing of it is durable. Start afresh.
                kept = null;
                foreach (var item in batch) await item.RunAloneAsync();
            }
        }
    }

    /// <summary>One transaction for the whole batch; returns the connection to keep (or null).</summary>
    async Task<DbConnection?> CommitBatchAsync(List<Item> batch, DbConnection? kept)
    {
        var c = kept ?? await open();
        var ran = new List<Item>(batch.Count);
        var failed = new List<(Item Item, Exception Error)>();
        var again = new List<Item>();
        try
        {
            var single = batch.Count == 1;
            await using var tx = await begin(c, batch.Count);
            foreach (var item in batch)
            {
                if (!single) await ExecuteAsync(c, tx, "SAVEPOINT item");
                try
                {
                    await item.RunAsync(c, tx);
                    ran.Add(item);
                }
                catch (Exception e)
                {
                    if (single) await tx.RollbackAsync();
                    else await ExecuteAsync(c, tx, "ROLLBACK TO SAVEPOINT item");
                    if (runAloneAfter(e)) again.Add(item);
                    else failed.Add((item, e));
                }
            }
            if (ran.Count > 0) await tx.CommitAsync();
            else if (!single) await tx.RollbackAsync();
        }
        catch (Exception)
        {
            await c.DisposeAsync();
            throw;
        }
        if (!keepConnection) await c.DisposeAsync();
        foreach (var item in ran) item.Deliver();
        foreach (var (item, error) in failed) item.Fail(error);
        foreach (var item in again) await item.RunAloneAsync();
        return keepConnection ? c : null;
    }

    static async Task ExecuteAsync(DbConnection c, DbTransaction tx, string sql)
    {
        await using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }

    abstract class Item
    {
        public Queued Queued { get; } = Queued.Now();

        public abstract Task RunAsync(DbConnection c, DbTransaction tx);
        public abstract void Deliver();
        public abstract void Fail(Exception e);
        public abstract Task RunAloneAsync();
    }

    sealed class Item<T>(Func<DbConnection, DbTransaction, Task<T>> work, Func<Func<DbConnection, DbTransaction, Task<T>>, Task<T>> alone) : Item
    {
        readonly TaskCompletionSource<T> answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        T? result;

        public Task<T> Task => answer.Task;

        public override async Task RunAsync(DbConnection c, DbTransaction tx) => result = await work(c, tx);

        public override void Deliver() => answer.TrySetResult(result!);

        public override void Fail(Exception e) => answer.TrySetException(e);

        public override async Task RunAloneAsync()
        {
            try
            {
                answer.TrySetResult(await alone(work));
            }
            catch (Exception e)
            {
                answer.TrySetException(e);
            }
        }
    }
}
