using Coupons.Storage.Postgres;
using Coupons.Storage.Sqlite;

namespace Coupons.Storage;

public static class StoreFactory
{
    public const string DefaultSqlite = "Data Source=data/coupons.db";

    /// <summary>The backend is configuration (sqlite | postgres), checked here at start-up; never guessed from the environment.</summary>
    public static ICouponStore Create(string? provider, string? connectionString, TimeProvider clock)
    {
        switch ((provider ?? "sqlite").Trim().ToLowerInvariant())
        {
            case "sqlite":
                return new SqliteStore(string.IsNullOrWhiteSpace(connectionString) ? DefaultSqlite : connectionString, clock);
            case "postgres" or "postgresql":
                if (string.IsNullOrWhiteSpace(connectionString))
                    throw new InvalidOperationException("Coupons:Database:ConnectionString is required when Coupons:Database:Provider is postgres");
                return new PostgresStore(connectionString, clock);
            default:
                throw new InvalidOperationException($"Coupons:Database:Provider must be 'sqlite' or 'postgres', not '{provider}'");
        }
    }
}
