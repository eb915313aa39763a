using Coupons.Core;
using Dapper;

namespace Coupons.Storage;

/// <summary>What a marketer does to a running campaign.</summary>
public enum SeriesLifecycleChange { Pause, Resume, Archive, Unarchive }

/// <summary>
/// A series' lifecycle (issue #18): paused and archived are columns beside the config, so that saving the series'
/// fields (PUT coupon/series, which replaces the config) never resumes or unarchives it. Issue and redeem read them
/// in the same statement as the rest of the series: a pause holds for every request that starts after it commits.
/// </summary>
public abstract partial class SqlStore
{
    public Task<Series?> ChangeSeriesLifecycleAsync(long orgId, long id, SeriesLifecycleChange change)
    {
        // Pausing or archiving twice keeps the first instant; resuming or unarchiving what is not is a no-op.
        var set = change switch
        {
            SeriesLifecycleChange.Pause => "paused_at = COALESCE(paused_at, @now)",
            SeriesLifecycleChange.Resume => "paused_at = NULL",
            SeriesLifecycleChange.Archive => "archived_at = COALESCE(archived_at, @now)",
            SeriesLifecycleChange.Unarchive => "archived_at = NULL",
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };
        return WriteAsync(async (c, tx) =>
        {
            var changed = await c.ExecuteAsync($"UPDATE series SET {set} WHERE org_id = @orgId AND id = @id", new { orgId, id, now = Now }, tx);
            return changed == 0 ? null : await GetSeriesAsync(c, tx, orgId, id, lockRow: false);
        });
    }
}
