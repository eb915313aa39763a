using System.Data.Common;
using Coupons.Core;
using Dapper;

namespace Coupons.Storage;

/// <summary>Organisations, their stores and tills, and the look-up that signs a till in.</summary>
public abstract partial class SqlStore
{
    const string OrgColumns = "o.id, o.name, o.time_zone, o.transaction_number_required, o.rate_limit_per_minute, o.currency_decimals, o.default_country";

    public Task<bool> HasOrganisationsAsync() =>
        ReadAsync(async c => await c.ExecuteScalarAsync<long?>("SELECT id FROM organisations LIMIT 1") is not null);

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

    /// <summary>Till codes are unique across organisations (a till signs in by its code alone), whatever their case.</summary>
    static string TillKey(string code) => code.Trim().ToLowerInvariant();

    static async Task<bool> TillCodeTakenAsync(DbConnection c, DbTransaction tx, string code) =>
        await c.ExecuteScalarAsync<long?>("SELECT id FROM tills WHERE code_key = @key", new { key = TillKey(code) }, tx) is not null;

    public Task<TillLogin?> FindLoginAsync(string tillCode) =>
        ReadAsync(async c =>
        {
            var row = await c.QuerySingleOrDefaultAsync<LoginRow>(
                """
                SELECT t.id AS till_id, t.org_id, t.store_id, t.code AS till_code, t.role, t.password_hash,
                       s.code AS store_code, s.name AS store_name,
                       o.name AS org_name, o.time_zone, o.transaction_number_required, o.rate_limit_per_minute, o.currency_decimals, o.default_country
                FROM tills t JOIN stores s ON s.id = t.store_id JOIN organisations o ON o.id = t.org_id
                WHERE t.code_key = @key
                """, new { key = TillKey(tillCode) });
            if (row is null) return null;
            var org = new Organisation(row.OrgId, row.OrgName, row.TimeZone, row.TransactionNumberRequired, row.RateLimitPerMinute, row.CurrencyDecimals) { DefaultCountry = row.DefaultCountry };
            var store = new Store(row.StoreId, row.OrgId, row.StoreCode, row.StoreName);
            return new TillLogin(new Caller(new Till(row.TillId, row.OrgId, row.StoreId, row.TillCode, row.Role), store, org), row.PasswordHash);
        });

    public Task<Organisation?> GetOrganisationAsync(long orgId) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<OrgRow>($"SELECT {OrgColumns} FROM organisations o WHERE o.id = @orgId", new { orgId }))?.ToOrganisation());

    public Task UpdateOrganisationAsync(Organisation org) =>
        WriteAsync(async (c, tx) => await c.ExecuteAsync(
            """
            UPDATE organisations SET name = @Name, time_zone = @TimeZone, transaction_number_required = @TransactionNumberRequired,
                   rate_limit_per_minute = @RateLimitPerMinute, currency_decimals = @CurrencyDecimals, default_country = @DefaultCountry
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

    public Task<IReadOnlyList<Store>> ListStoresAsync(long orgId) =>
        ReadAsync<IReadOnlyList<Store>>(async c =>
            (await c.QueryAsync<StoreRow>("SELECT id, org_id, code, name FROM stores WHERE org_id = @orgId ORDER BY id", new { orgId }))
            .Select(r => r.ToStore()).ToList());

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

    public Task<IReadOnlyList<Till>> ListTillsAsync(long orgId) =>
        ReadAsync<IReadOnlyList<Till>>(async c =>
            (await c.QueryAsync<TillRow>("SELECT id, org_id, store_id, code, role FROM tills WHERE org_id = @orgId ORDER BY id", new { orgId }))
            .Select(r => new Till(r.Id, r.OrgId, r.StoreId, r.Code, r.Role)).ToList());

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
        public int CurrencyDecimals { get; set; } = Discounts.DefaultCurrencyDecimals;
        public string? DefaultCountry { get; set; }
    }

    sealed class OrgRow
    {
        public long Id { get; set; }
        public string Name { get; set; } = "";
        public string TimeZone { get; set; } = "UTC";
        public bool TransactionNumberRequired { get; set; }
        public int RateLimitPerMinute { get; set; }
        public int CurrencyDecimals { get; set; } = Discounts.DefaultCurrencyDecimals;
        public string? DefaultCountry { get; set; }
        public Organisation ToOrganisation() => new(Id, Name, TimeZone, TransactionNumberRequired, RateLimitPerMinute, CurrencyDecimals) { DefaultCountry = DefaultCountry };
    }

    sealed class StoreRow
    {
        public long Id { get; set; }
        public long OrgId { get; set; }
        public string Code { get; set; } = "";
        public string Name { get; set; } = "";
        public Store ToStore() => new(Id, OrgId, Code, Name);
    }

    sealed class TillRow
    {
        public long Id { get; set; }
        public long OrgId { get; set; }
        public long StoreId { get; set; }
        public string Code { get; set; } = "";
        public string Role { get; set; } = "";
    }
}
