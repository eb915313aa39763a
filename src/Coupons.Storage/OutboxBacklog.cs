using Dapper;

namespace Coupons.Storage;

/// <summary>What the outbox still holds: events not yet expanded and deliveries not yet settled (pending, retrying or being sent).</summary>
public sealed record OutboxBacklog(long Events, long Deliveries, DateTimeOffset? OldestCreatedAt);

public interface IOutboxBacklog
{
    /// <summary>Across all organisations (an operator's figure): the service's own backlog, not tenant data.</summary>
    Task<OutboxBacklog> OutboxBacklogAsync(CancellationToken ct = default);
}

public abstract partial class SqlStore : IOutboxBacklog
{
    // Both counts read only undelivered rows through the due indexes (outbox_due, deliveries_due), not the sent history.
    public Task<OutboxBacklog> OutboxBacklogAsync(CancellationToken ct = default) => ReadAsync(async c =>
    {
        var events = await c.QuerySingleAsync<(long Count, DateTimeOffset? Oldest)>(new CommandDefinition(
            "SELECT count(*), min(created_at) FROM outbox WHERE status = 'pending'", cancellationToken: ct));
        var deliveries = await c.QuerySingleAsync<(long Count, DateTimeOffset? Oldest)>(new CommandDefinition(
            "SELECT count(*), min(created_at) FROM deliveries WHERE status IN ('pending', 'sending')", cancellationToken: ct));
        var oldest = (events.Oldest, deliveries.Oldest) switch
        {
            ({ } a, { } b) => a < b ? a : b,
            (var a, var b) => a ?? b,
        };
        return new OutboxBacklog(events.Count, deliveries.Count, oldest);
    });
}
