using System.Data.Common;
using System.Text.Json;
using Coupons.Core;
using Dapper;

namespace Coupons.Storage;

/// <summary>Coupon series (their configuration and counters) and the codes uploaded to an UPLOADED series.</summary>
public abstract partial class SqlStore
{
    const string SeriesColumns =
        "id, org_id, config, num_issued, num_redeemed, num_uploaded_total, num_uploaded_non_issued, created_at, last_used, paused_at, archived_at";

    public Task<Result<Series>> CreateSeriesAsync(long orgId, long createdBy, Series series) =>
        WriteAsync<Result<Series>>(async (c, tx) =>
        {
            var now = Now;
            var stored = series with { Id = 0, OrgId = orgId, CreatedBy = createdBy, CreatedOn = now };
            var id = await c.ExecuteScalarAsync<long?>(
                """
                INSERT INTO series (org_id, series_code, config, max_create, max_redeem, created_at)
                VALUES (@orgId, @code, @config, @MaxCreate, @MaxRedeem, @now)
                ON CONFLICT (org_id, series_code) DO NOTHING RETURNING id
                """, new { orgId, code = series.SeriesCode, config = ConfigJson(stored), series.MaxCreate, series.MaxRedeem, now }, tx);
            if (id is null) return new Outcome(Status.DuplicateSeriesCode);
            return Result<Series>.Success((await GetSeriesAsync(c, tx, orgId, id.Value, lockRow: false))!);
        });

    public Task<Result<Series>> UpdateSeriesAsync(long orgId, long id, Series series) =>
        WriteAsync<Result<Series>>(async (c, tx) =>
        {
            var current = await GetSeriesAsync(c, tx, orgId, id, lockRow: true);
            if (current is null) return new Outcome(Status.InvalidSeries);
            if (current.Kind != series.Kind) return new Outcome(Status.SeriesNotSaved, "seriesType cannot change once a series exists");
            var stored = series with { Id = id, OrgId = orgId, CreatedBy = current.CreatedBy, CreatedOn = current.CreatedOn };
            try
            {
                await c.ExecuteAsync(
                    """
                    UPDATE series SET series_code = @code, config = @config, config_version = config_version + 1,
                                      max_create = @MaxCreate, max_redeem = @MaxRedeem
                    WHERE org_id = @orgId AND id = @id
                    """, new { orgId, id, code = series.SeriesCode, config = ConfigJson(stored), series.MaxCreate, series.MaxRedeem }, tx);
            }
            catch (Exception e) when (IsUniqueViolation(e))
            {
                return new Outcome(Status.DuplicateSeriesCodeOnUpdate);
            }
            return Result<Series>.Success((await GetSeriesAsync(c, tx, orgId, id, lockRow: false))!);
        });

    public Task<Series?> GetSeriesAsync(long orgId, long id) =>
        ReadAsync(c => GetSeriesAsync(c, null, orgId, id, lockRow: false));

    protected async Task<Series?> GetSeriesAsync(DbConnection c, DbTransaction? tx, long orgId, long id, bool lockRow)
    {
        var row = await c.QuerySingleOrDefaultAsync<SeriesRow>(
            $"SELECT {SeriesColumns} FROM series WHERE org_id = @orgId AND id = @id{(lockRow ? ForUpdate : "")}", new { orgId, id }, tx);
        return row?.ToSeries();
    }

    public Task<IReadOnlyList<Series>> ListSeriesAsync(long orgId, int offset, int limit) =>
        ReadAsync<IReadOnlyList<Series>>(async c => (await c.QueryAsync<SeriesRow>(
            $"SELECT {SeriesColumns} FROM series WHERE org_id = @orgId ORDER BY id LIMIT @limit OFFSET @offset", new { orgId, limit, offset }))
            .Select(r => r.ToSeries()).ToList());

    public Task<KnownIds> KnownIdsAsync(long orgId, IReadOnlyCollection<long> storeIds, IReadOnlyCollection<long> seriesIds)
    {
        if (storeIds.Count == 0 && seriesIds.Count == 0)
            return Task.FromResult(new KnownIds(new HashSet<long>(), new HashSet<long>()));
        return ReadAsync(async c =>
        {
            // Both lists in one round trip.
            var rows = (await c.QueryAsync<(long Id, int Kind)>(
                $"""
                SELECT id, 1 FROM stores WHERE org_id = @orgId AND {InList("id", "@storeIds")}
                UNION ALL
                SELECT id, 2 FROM series WHERE org_id = @orgId AND {InList("id", "@seriesIds")}
                """, new { orgId, storeIds = storeIds.ToArray(), seriesIds = seriesIds.ToArray() })).ToList();
            return new KnownIds(rows.Where(r => r.Kind == 1).Select(r => r.Id).ToHashSet(), rows.Where(r => r.Kind == 2).Select(r => r.Id).ToHashSet());
        });
    }

    /// <summary>The stored configuration: everything but the counters, which live in their own columns.</summary>
    static string ConfigJson(Series s) => JsonSerializer.Serialize(
        s with { NumIssued = 0, NumRedeemed = 0, NumUploadedTotal = 0, NumUploadedNonIssued = 0, LastUsed = null, PausedAt = null, ArchivedAt = null },
        CouponJson.Options);

    public Task<Result<UploadSummary>> UploadCodesAsync(long orgId, long seriesId, IReadOnlyList<string> codes) =>
        WriteAsync<Result<UploadSummary>>(async (c, tx) =>
        {
            var series = await GetSeriesAsync(c, tx, orgId, seriesId, lockRow: true);
            if (series is null) return new Outcome(Status.InvalidSeries);
            if (series.Kind != SeriesKind.Uploaded) return new Outcome(Status.BadRequest, "codes can be uploaded only to a series of seriesType UPLOADED");
            var rejected = new List<string>();
            var duplicates = new List<string>();
            var seen = new HashSet<string>();
            var fresh = new List<(string Code, string Key)>();
            foreach (var raw in codes)
            {
                var code = raw.Trim();
                if (!CodeGenerator.IsAcceptableCode(code)) { rejected.Add(raw); continue; }
                var key = CodeGenerator.Normalize(code);
                if (!seen.Add(key)) { duplicates.Add(code); continue; }
                fresh.Add((code, key));
            }
            var now = Now;
            var stored = 0;
            foreach (var (code, key) in fresh)
            {
                var id = await c.ExecuteScalarAsync<long?>(
                    """
                    INSERT INTO coupons (org_id, series_id, code, code_key, created_at)
                    VALUES (@orgId, @seriesId, @code, @key, @now)
                    ON CONFLICT (org_id, code_key) WHERE NOT is_generic DO NOTHING RETURNING id
                    """, new { orgId, seriesId, code, key, now }, tx);
                if (id is null) duplicates.Add(code); else stored++;
            }
            await c.ExecuteAsync(
                """
                UPDATE series SET num_uploaded_total = num_uploaded_total + @stored,
                                  num_uploaded_non_issued = num_uploaded_non_issued + @stored
                WHERE org_id = @orgId AND id = @seriesId
                """, new { orgId, seriesId, stored }, tx);
            return Result<UploadSummary>.Success(new UploadSummary(codes.Count, stored, duplicates.Count, rejected.Count, duplicates, rejected));
        });

    // A series' config is read with every issue and redemption; parsing its JSON each time cost more than the query.
    // Keyed by the text itself, so an edited series is simply a new entry.
    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Series> ParsedConfigs = new();

    static Series ParsedConfig(string config)
    {
        if (ParsedConfigs.TryGetValue(config, out var parsed)) return parsed;
        parsed = JsonSerializer.Deserialize<Series>(config, CouponJson.Options)!;
        if (ParsedConfigs.Count > 10_000) ParsedConfigs.Clear();
        ParsedConfigs[config] = parsed;
        return parsed;
    }

    protected sealed class SeriesRow
    {
        public long Id { get; set; }
        public long OrgId { get; set; }
        /// <summary>Left out (null) by the customer listing when it has parsed this <see cref="ConfigVersion"/> already.</summary>
        public string? Config { get; set; }
        /// <summary>Selected by the customer listing only.</summary>
        public int ConfigVersion { get; set; }
        public int NumIssued { get; set; }
        public int NumRedeemed { get; set; }
        public int NumUploadedTotal { get; set; }
        public int NumUploadedNonIssued { get; set; }
        public DateTimeOffset CreatedAt { get; set; }
        public DateTimeOffset? LastUsed { get; set; }
        public DateTimeOffset? PausedAt { get; set; }
        public DateTimeOffset? ArchivedAt { get; set; }

        /// <summary>The series, with <paramref name="config"/> when given, else its config parsed from <see cref="Config"/>.</summary>
        public Series ToSeries(Series? config = null) => (config ?? ParsedConfig(Config ?? throw new InvalidOperationException($"series {Id} was read without its config"))) with
        {
            Id = Id,
            OrgId = OrgId,
            NumIssued = NumIssued,
            NumRedeemed = NumRedeemed,
            NumUploadedTotal = NumUploadedTotal,
            NumUploadedNonIssued = NumUploadedNonIssued,
            CreatedOn = CreatedAt,
            LastUsed = LastUsed,
            PausedAt = PausedAt,
            ArchivedAt = ArchivedAt,
        };
    }
}
