using Coupons.Core;
using Dapper;

namespace Coupons.Storage;

/// <summary>Issues and live (not reversed) redemptions of one series on one UTC day.</summary>
public sealed record SeriesDay(DateOnly Day, int Issued, int Redeemed);

/// <summary>The queries only the web console needs: a searchable series list and a series' activity per day.</summary>
public abstract partial class SqlStore
{
    // ---- Console ---------------------------------------------------------------------------

    // The two spots where the dialects differ: a timestamp's UTC day as yyyy-MM-dd text (SQLite keeps UTC ISO-8601
    // text, PostgreSQL timestamptz), and one field of the JSON config column.
    string UtcDay(string column) => IsPostgres ? $"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')" : $"substr({column}, 1, 10)";
    string ConfigField(string field) => IsPostgres ? $"(config::jsonb ->> '{field}')" : $"json_extract(config, '$.{field}')";

    public Task<IReadOnlyList<Series>> SearchSeriesAsync(long orgId, string? search, int offset, int limit, bool withArchived = false)
    {
        var text = search?.Trim() ?? "";
        var pattern = "%" + text.ToLowerInvariant().Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_") + "%";
        return ReadAsync<IReadOnlyList<Series>>(async c => (await c.QueryAsync<SeriesRow>(
            $"""
            SELECT {SeriesColumns} FROM series
            WHERE org_id = @orgId{(withArchived ? "" : " AND archived_at IS NULL")}
              AND (@text = '' OR LOWER(series_code) LIKE @pattern ESCAPE '\' OR LOWER({ConfigField("description")}) LIKE @pattern ESCAPE '\')
            ORDER BY id DESC LIMIT @limit OFFSET @offset
            """, new { orgId, text, pattern, limit, offset })).Select(r => r.ToSeries()).ToList());
    }

    public async Task<IReadOnlyList<SeriesDay>> SeriesActivityAsync(long orgId, long seriesId, DateOnly from, DateOnly to)
    {
        var since = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var until = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        await using var c = await OpenReadAsync();
        var issued = await c.QueryAsync<DayCount>(
            $"""
            SELECT {UtcDay("issued_on")} AS day, COUNT(*) AS n FROM coupons
            WHERE org_id = @orgId AND series_id = @seriesId AND issued_on >= @since AND issued_on < @until
            GROUP BY 1
            """, new { orgId, seriesId, since, until });
        var redeemed = await c.QueryAsync<DayCount>(
            $"""
            SELECT {UtcDay("redeemed_at")} AS day, COUNT(*) AS n FROM redemptions
            WHERE org_id = @orgId AND series_id = @seriesId AND redeemed_at >= @since AND redeemed_at < @until AND reversed_at IS NULL
            GROUP BY 1
            """, new { orgId, seriesId, since, until });
        var issuedByDay = issued.ToDictionary(d => d.Day, d => (int)d.N);
        var redeemedByDay = redeemed.ToDictionary(d => d.Day, d => (int)d.N);
        var days = new List<SeriesDay>();
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            var key = day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            days.Add(new SeriesDay(day, issuedByDay.GetValueOrDefault(key), redeemedByDay.GetValueOrDefault(key)));
        }
        return days;
    }

    // The key ring belongs to the service, not to an organisation: these two are the only unscoped queries here.
    public Task<IReadOnlyList<string>> ListDataProtectionKeysAsync() =>
        ReadAsync<IReadOnlyList<string>>(async c => (await c.QueryAsync<string>("SELECT xml FROM data_protection_keys ORDER BY created_at, name")).ToList());

    public Task StoreDataProtectionKeyAsync(string name, string xml) =>
        WriteAsync(async (c, tx) => await c.ExecuteAsync(
            "INSERT INTO data_protection_keys (name, xml, created_at) VALUES (@name, @xml, @now) ON CONFLICT (name) DO NOTHING",
            new { name, xml, now = Now }, tx));

    sealed class DayCount
    {
        public string Day { get; set; } = "";
        public long N { get; set; }
    }
}
