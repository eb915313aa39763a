using Dapper;

namespace Coupons.Storage;

public interface IOutboxLeases
{
    /// <summary>
    /// Hands back deliveries this node claimed and will not settle (it is stopping): pending again, due now, the claim's
    /// attempt not counted, so that another node (or this one after its restart) sends them at once instead of after the
    /// lease. A delivery whose lease another node has already taken over is left alone. Returns how many were handed back.
    /// </summary>
    Task<int> ReleaseDeliveriesAsync(IReadOnlyList<Delivery> deliveries);
}

public abstract partial class SqlStore : IOutboxLeases
{
    public Task<int> ReleaseDeliveriesAsync(IReadOnlyList<Delivery> deliveries) =>
        WriteAsync(async (c, tx) =>
        {
            var released = 0;
            foreach (var d in deliveries)
                released += await c.ExecuteAsync(
                    """
                    UPDATE deliveries SET status = 'pending', attempts = attempts - 1, next_attempt_at = @now
                    WHERE id = @id AND status = 'sending' AND attempts = @attempts
                    """, new { id = d.Id, attempts = d.Attempts, now = Now }, tx);
            return released;
        });
}
