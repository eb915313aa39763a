using System.Data.Common;
using System.Text.Json;
using Coupons.Core;
using Dapper;

namespace Coupons.Storage;

/// <summary>
/// The SQL both backends share: SQLite (3.35+) and PostgreSQL both speak RETURNING, ON CONFLICT, partial indexes and
/// TRUE/FALSE, so statements are written once here. What differs (connections, locking, migrations, bulk loads)
/// lives in Sqlite/ and Postgres/.
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

    /// <summary>A pooled connection for reads that need no transaction.</summary>
    protected abstract ValueTask<DbConnection> OpenReadAsync();

    /// <summary>
    /// Runs <paramref name="work"/> as one atomic write, answered once it is durable; an exception rolls back all of
    /// its writes and nothing else. Concurrent writes share a transaction through <see cref="Batches"/> (group commit),
    /// each in its own savepoint, so <paramref name="work"/> may run more than once: database work only.
    /// Writes with the same <paramref name="key"/> (a series id) are committed by the same committer; a
    /// <paramref name="large"/> one (hundreds of rows) is not held up behind others, nor holds them up, where it can avoid it.
    /// </summary>
    protected Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, long? key = null, bool large = false)
    {
        // Read the request's Idempotency-Key here, in its own flow, before the work may move to a committer.
        work = UnderIdempotencyKey(work);
        return Batches is null ? WriteAloneAsync(work) : Batches.RunAsync(work, WriteAloneAsync, key, large);
    }

    /// <summary>Runs <paramref name="work"/> in a write transaction of its own and commits it; rolls back on any exception.</summary>
    protected abstract Task<T> WriteAloneAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work);

    /// <summary>The group committer of this store (null: every write alone).</summary>
    protected GroupCommit? Batches { get; init; }

    /// <summary>The row-lock clause: " FOR UPDATE" on PostgreSQL; empty on SQLite, where the write transaction already excludes every other writer.</summary>
    protected abstract string ForUpdate { get; }

    protected abstract bool IsUniqueViolation(Exception e);

    public abstract Task MigrateAsync(CancellationToken ct = default);

    public async Task<bool> PingAsync(CancellationToken ct = default)
    {
        await using var c = await OpenReadAsync();
        return await c.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: ct)) == 1;
    }

    // ---- Tenancy ---------------------------------------------------------------------------

    public async Task<bool> HasOrganisationsAsync()
    {
        await using var c = await OpenReadAsync();
        return await c.ExecuteScalarAsync<long?>("SELECT id FROM organisations LIMIT 1") is not null;
    }

    public Task<Result<long>> CreateOrganisationAsync(string name, string storeCode, string storeName, string tillCode, string passwordHash) =>
        WriteAsync<Result<long>>(async (c, tx) =>
        {
            if (await TillCodeTakenAsync(c, tx, tillCode)) return new Outcome(Status.BadRequest, $"till code '{tillCode}' is already taken");
            var now = Now;
            var orgId = await c.ExecuteScalarAsync<long>(
                "INSERT INTO organisations (name, created_at) VALUES (@name, @now) RETURNING id", new { name, now }, tx);
            var storeId = await c.ExecuteScalarAsync<long>(
                "INSERT INTO stores (org_id, code, name, created_at) VALUES (@orgId, @storeCode, @storeName, @now) RETURNING id",
                new { orgId, storeCode, storeName, now }, tx);
            await c.ExecuteAsync(
                """
                INSERT INTO tills (org_id, store_id, code, code_key, password_hash, role, created_at)
                VALUES (@orgId, @storeId, @tillCode, @key, @passwordHash, @role, @now)
                """, new { orgId, storeId, tillCode, key = TillKey(tillCode), passwordHash, role = Roles.Admin, now }, tx);
            return Result<long>.Success(orgId);
        });

    static string TillKey(string code) => code.Trim().ToLowerInvariant();

    static async Task<bool> TillCodeTakenAsync(DbConnection c, DbTransaction tx, string code) =>
        await c.ExecuteScalarAsync<long?>("SELECT id FROM tills WHERE code_key = @key", new { key = TillKey(code) }, tx) is not null;

    const string OrgColumns = "o.id, o.name, o.time_zone, o.transaction_number_required, o.rate_limit_per_minute";

    public async Task<TillLogin?> FindLoginAsync(string tillCode)
    {
        await using var c = await OpenReadAsync();
        var row = await c.QuerySingleOrDefaultAsync<LoginRow>(
            $"""
            SELECT t.id AS till_id, t.org_id, t.store_id, t.code AS till_code, t.role, t.password_hash,
                   s.code AS store_code, s.name AS store_name,
                   o.name AS org_name, o.time_zone, o.transaction_number_required, o.rate_limit_per_minute
            FROM tills t JOIN stores s ON s.id = t.store_id JOIN organisations o ON o.id = t.org_id
            WHERE t.code_key = @key
            """, new { key = TillKey(tillCode) });
        if (row is null) return null;
        var org = new Organisation(row.OrgId, row.OrgName, row.TimeZone, row.TransactionNumberRequired, row.RateLimitPerMinute);
        var store = new Store(row.StoreId, row.OrgId, row.StoreCode, row.StoreName);
        return new TillLogin(new Caller(new Till(row.TillId, row.OrgId, row.StoreId, row.TillCode, row.Role), store, org), row.PasswordHash);
    }

    public async Task<Organisation?> GetOrganisationAsync(long orgId)
    {
        await using var c = await OpenReadAsync();
        var row = await c.QuerySingleOrDefaultAsync<OrgRow>($"SELECT {OrgColumns} FROM organisations o WHERE o.id = @orgId", new { orgId });
        return row?.ToOrganisation();
    }

    public Task UpdateOrganisationAsync(Organisation org) =>
        WriteAsync(async (c, tx) => await c.ExecuteAsync(
            """
            UPDATE organisations SET name = @Name, time_zone = @TimeZone, transaction_number_required = @TransactionNumberRequired,
                   rate_limit_per_minute = @RateLimitPerMinute
            WHERE id = @Id
            """, org, tx));

    public Task<Result<Store>> CreateStoreAsync(long orgId, string code, string name) =>
        WriteAsync<Result<Store>>(async (c, tx) =>
        {
            var id = await c.ExecuteScalarAsync<long?>(
                """
                INSERT INTO stores (org_id, code, name, created_at) VALUES (@orgId, @code, @name, @now)
                ON CONFLICT (org_id, code) DO NOTHING RETURNING id
                """, new { orgId, code, name, now = Now }, tx);
            return id is null
                ? new Outcome(Status.BadRequest, $"a store with code '{code}' already exists")
                : Result<Store>.Success(new Store(id.Value, orgId, code, name));
        });

    public async Task<IReadOnlyList<Store>> ListStoresAsync(long orgId)
    {
        await using var c = await OpenReadAsync();
        var rows = await c.QueryAsync<StoreRow>("SELECT id, org_id, code, name FROM stores WHERE org_id = @orgId ORDER BY id", new { orgId });
        return rows.Select(r => new Store(r.Id, r.OrgId, r.Code, r.Name)).ToList();
    }

    public Task<Result<Till>> CreateTillAsync(long orgId, string code, string passwordHash, string storeCode, string role) =>
        WriteAsync<Result<Till>>(async (c, tx) =>
        {
            var storeId = await c.ExecuteScalarAsync<long?>(
                "SELECT id FROM stores WHERE org_id = @orgId AND code = @storeCode", new { orgId, storeCode }, tx);
            if (storeId is null) return new Outcome(Status.NotFound, $"no store with code '{storeCode}'");
            var id = await c.ExecuteScalarAsync<long?>(
                """
                INSERT INTO tills (org_id, store_id, code, code_key, password_hash, role, created_at)
                VALUES (@orgId, @storeId, @code, @key, @passwordHash, @role, @now)
                ON CONFLICT (code_key) DO NOTHING RETURNING id
                """, new { orgId, storeId, code, key = TillKey(code), passwordHash, role, now = Now }, tx);
            return id is null
                ? new Outcome(Status.BadRequest, $"till code '{code}' is already taken")
                : Result<Till>.Success(new Till(id.Value, orgId, storeId.Value, code, role));
        });

    public async Task<IReadOnlyList<Till>> ListTillsAsync(long orgId)
    {
        await using var c = await OpenReadAsync();
        var rows = await c.QueryAsync<TillRow>("SELECT id, org_id, store_id, code, role FROM tills WHERE org_id = @orgId ORDER BY id", new { orgId });
        return rows.Select(r => new Till(r.Id, r.OrgId, r.StoreId, r.Code, r.Role)).ToList();
    }

    // ---- Customers -------------------------------------------------------------------------

    const string CustomerColumns = "id, org_id, first_name, last_name, mobile, email, external_id, fraud_status, coupons_blocked, created_at";

    public Task<Result<long>> CreateCustomerAsync(long orgId, Customer customer) =>
        WriteAsync<Result<long>>(async (c, tx) =>
        {
            var taken = await c.QueryFirstOrDefaultAsync<string>(
                """
                SELECT CASE WHEN mobile = @Mobile THEN 'mobile' WHEN email = @Email THEN 'email' ELSE 'externalId' END
                FROM customers WHERE org_id = @orgId AND (mobile = @Mobile OR email = @Email OR external_id = @ExternalId)
                LIMIT 1
                """, new { orgId, customer.Mobile, customer.Email, customer.ExternalId }, tx);
            if (taken is not null) return new Outcome(Status.BadRequest, $"another customer already has this {taken}");
            var id = await c.ExecuteScalarAsync<long>(
                """
                INSERT INTO customers (org_id, first_name, last_name, mobile, email, external_id, fraud_status, coupons_blocked, created_at)
                VALUES (@orgId, @FirstName, @LastName, @Mobile, @Email, @ExternalId, @fraud, @CouponsBlocked, @now) RETURNING id
                """, new
                {
                    orgId,
                    customer.FirstName,
                    customer.LastName,
                    customer.Mobile,
                    customer.Email,
                    customer.ExternalId,
                    fraud = (int)customer.FraudStatus,
                    customer.CouponsBlocked,
                    now = Now
                }, tx);
            return Result<long>.Success(id);
        });

    public async Task<Customer?> GetCustomerAsync(long orgId, long id)
    {
        await using var c = await OpenReadAsync();
        return await c.QuerySingleOrDefaultAsync<Customer>(
            $"SELECT {CustomerColumns} FROM customers WHERE org_id = @orgId AND id = @id", new { orgId, id });
    }

    public async Task<Customer?> FindCustomerAsync(long orgId, CustomerRef who)
    {
        await using var c = await OpenReadAsync();
        return await FindCustomerAsync(c, null, orgId, who, lockRow: false);
    }

    /// <summary>The customer a request names; the id wins, then mobile, email, external id. Locks the row when asked,
    /// which serialises every issue and redemption of one customer across all nodes.</summary>
    protected async Task<Customer?> FindCustomerAsync(DbConnection c, DbTransaction? tx, long orgId, CustomerRef who, bool lockRow)
    {
        if (CustomerCondition(who) is not (string column, object value)) return null;
        return await c.QuerySingleOrDefaultAsync<Customer>(
            $"SELECT {CustomerColumns} FROM customers WHERE org_id = @orgId AND {column} = @value{(lockRow ? ForUpdate : "")}",
            new { orgId, value }, tx);
    }

    /// <summary>The column and value that find the customer a request names (id, then mobile, email, external id); null when it names none.</summary>
    protected static (string Column, object Value)? CustomerCondition(CustomerRef who) => who switch
    {
        { Id: { } id } => ("id", id),
        { Mobile: { Length: > 0 } m } => ("mobile", m),
        { Email: { Length: > 0 } e } => ("email", e),
        { ExternalId: { Length: > 0 } x } => ("external_id", x),
        _ => null,
    };

    public Task<bool> SetCustomerStatusAsync(long orgId, long id, FraudStatus fraud, bool couponsBlocked) =>
        WriteAsync(async (c, tx) => await c.ExecuteAsync(
            "UPDATE customers SET fraud_status = @fraud, coupons_blocked = @couponsBlocked WHERE org_id = @orgId AND id = @id",
            new { orgId, id, fraud = (int)fraud, couponsBlocked }, tx) == 1);

    // ---- Series ----------------------------------------------------------------------------

    const string SeriesColumns =
        "id, org_id, config, num_issued, num_redeemed, num_uploaded_total, num_uploaded_non_issued, created_at, last_used";

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
                    UPDATE series SET series_code = @code, config = @config, max_create = @MaxCreate, max_redeem = @MaxRedeem
                    WHERE org_id = @orgId AND id = @id
                    """, new { orgId, id, code = series.SeriesCode, config = ConfigJson(stored), series.MaxCreate, series.MaxRedeem }, tx);
            }
            catch (Exception e) when (IsUniqueViolation(e))
            {
                return new Outcome(Status.DuplicateSeriesCodeOnUpdate);
            }
            return Result<Series>.Success((await GetSeriesAsync(c, tx, orgId, id, lockRow: false))!);
        });

    public async Task<Series?> GetSeriesAsync(long orgId, long id)
    {
        await using var c = await OpenReadAsync();
        return await GetSeriesAsync(c, null, orgId, id, lockRow: false);
    }

    protected async Task<Series?> GetSeriesAsync(DbConnection c, DbTransaction? tx, long orgId, long id, bool lockRow)
    {
        var row = await c.QuerySingleOrDefaultAsync<SeriesRow>(
            $"SELECT {SeriesColumns} FROM series WHERE org_id = @orgId AND id = @id{(lockRow ? ForUpdate : "")}", new { orgId, id }, tx);
        return row?.ToSeries();
    }

    public async Task<IReadOnlyList<Series>> ListSeriesAsync(long orgId, int offset, int limit)
    {
        await using var c = await OpenReadAsync();
        var rows = await c.QueryAsync<SeriesRow>(
            $"SELECT {SeriesColumns} FROM series WHERE org_id = @orgId ORDER BY id LIMIT @limit OFFSET @offset", new { orgId, limit, offset });
        return rows.Select(r => r.ToSeries()).ToList();
    }

    /// <summary>The stored configuration: everything but the counters, which live in their own columns.</summary>
    static string ConfigJson(Series s) => JsonSerializer.Serialize(
        s with { NumIssued = 0, NumRedeemed = 0, NumUploadedTotal = 0, NumUploadedNonIssued = 0, LastUsed = null }, CouponJson.Options);

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

    // ---- Row shapes ------------------------------------------------------------------------

    sealed class LoginRow
    {
        public long TillId { get; set; }
        public long OrgId { get; set; }
        public long StoreId { get; set; }
        public string TillCode { get; set; } = "";
        public string Role { get; set; } = "";
        public string PasswordHash { get; set; } = "";
        public string StoreCode { get; set; } = "";
        public string StoreName { get; set; } = "";
        public string OrgName { get; set; } = "";
        public string TimeZone { get; set; } = "UTC";
        public bool TransactionNumberRequired { get; set; }
        public int RateLimitPerMinute { get; set; }
    }

    sealed class OrgRow
    {
        public long Id { get; set; }
        public string Name { get; set; } = "";
        public string TimeZone { get; set; } = "UTC";
        public bool TransactionNumberRequired { get; set; }
        public int RateLimitPerMinute { get; set; }
        public Organisation ToOrganisation() => new(Id, Name, TimeZone, TransactionNumberRequired, RateLimitPerMinute);
    }

    sealed class StoreRow
    {
        public long Id { get; set; }
        public long OrgId { get; set; }
        public string Code { get; set; } = "";
        public string Name { get; set; } = "";
    }

    sealed class TillRow
    {
        public long Id { get; set; }
        public long OrgId { get; set; }
        public long StoreId { get; set; }
        public string Code { get; set; } = "";
        public string Role { get; set; } = "";
    }

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
        public string Config { get; set; } = "{}";
        public int NumIssued { get; set; }
        public int NumRedeemed { get; set; }
        public int NumUploadedTotal { get; set; }
        public int NumUploadedNonIssued { get; set; }
        public DateTimeOffset CreatedAt { get; set; }
        public DateTimeOffset? LastUsed { get; set; }

        public Series ToSeries() => ParsedConfig(Config) with
        {
            Id = Id,
            OrgId = OrgId,
            NumIssued = NumIssued,
            NumRedeemed = NumRedeemed,
            NumUploadedTotal = NumUploadedTotal,
            NumUploadedNonIssued = NumUploadedNonIssued,
            CreatedOn = CreatedAt,
            LastUsed = LastUsed,
        };
    }
}
