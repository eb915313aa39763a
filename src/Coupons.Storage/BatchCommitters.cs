using System.Threading.Channels;

namespace Coupons.Storage;

/// <summary>
/// Committers for one kind of batched write (RedeemBatch.cs, IssueBatch.cs): requests queue on a few committers in
/// turn; each committer takes what is waiting (up to <c>maxBatch</c>) and hands it to <c>runBatch</c>, which answers
/// the requests it decided once its transaction has committed and returns those it left to run on their own; those,
/// and every request of a batch that failed as a whole (rolled back, nobody answered), go to <c>runAlone</c>,
/// concurrently. A few committers, so that one batch's commit overlaps the next batch's reads.
/// </summary>
public sealed class BatchCommitters<T>
{
    readonly Channel<(T Pending, Queued Queued)>[] queues;
    readonly Task[] loops;
    readonly int maxBatch;
    readonly Func<List<T>, Task<IReadOnlyList<T>>> runBatch;
    readonly Func<T, Task> runAlone;
    // For the metrics and the batch's span: "redeem" for PendingRedeem, "issue" for PendingIssue.
    readonly string name = typeof(T).Name.Replace("Pending", "").ToLowerInvariant();
    int next = -1;

    public BatchCommitters(int committers, int maxBatch, Func<List<T>, Task<IReadOnlyList<T>>> runBatch, Func<T, Task> runAlone)
    {
        this.maxBatch = maxBatch;
        this.runBatch = runBatch;
        this.runAlone = runAlone;
        queues = new Channel<(T, Queued)>[committers];
        loops = new Task[committers];
        for (var i = 0; i < committers; i++)
        {
            var queue = queues[i] = Channel.CreateUnbounded<(T, Queued)>(new UnboundedChannelOptions { SingleReader = true });
            loops[i] = Task.Run(() => CommitterAsync(queue.Reader));
        }
    }

    /// <summary>Every committer is still taking work.</summary>
    public bool Running => loops.All(l => !l.IsCompleted);

    public void Enqueue(T pending)
    {
        var index = (int)((uint)Interlocked.Increment(ref next) % (uint)queues.Length);
        if (!queues[index].Writer.TryWrite((pending, Queued.Now()))) throw new InvalidOperationException("the batch committer has stopped");
    }

    async Task CommitterAsync(ChannelReader<(T Pending, Queued Queued)> reader)
    {
        var batch = new List<T>(maxBatch);
        var queued = new List<Queued>(maxBatch);
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            queued.Clear();
            while (batch.Count < maxBatch && reader.TryRead(out var item))
            {
                batch.Add(item.Pending);
                queued.Add(item.Queued);
            }
            if (batch.Count == 0) continue;
            IReadOnlyList<T> alone;
            using (StoreTelemetry.BatchStarting(name, queued, q => q))
            {
                try
                {
                    alone = await runBatch(batch);
                }
                catch (Exception)
                {
                    // Rolled back as a whole: nothing of it is durable and nobody has been answered.
                    alone = [.. batch];
                }
            }
            foreach (var pending in alone) _ = runAlone(pending);
        }
    }
}
