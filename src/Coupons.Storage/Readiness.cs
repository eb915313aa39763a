using Dapper;

namespace Coupons.Storage;

/// <summary>What a node needs before it takes traffic, beyond answering at all (the /health/ready checks).</summary>
public interface IStoreReadiness
{
    /// <summary>The group committers and the redeem and issue batch committers are all still taking work.</summary>
    bool CommittersRunning { get; }

    /// <summary>The migrations this build knows that the database has not recorded as applied (empty when up to date).</summary>
    Task<IReadOnlyList<string>> MissingMigrationsAsync(CancellationToken ct = default);
}

public abstract partial class SqlStore : IStoreReadiness
{
    public bool CommittersRunning =>
        (Batches?.Running ?? true) && (RedeemBatches?.Running ?? true) && (IssueBatches?.Running ?? true);

    public Task<IReadOnlyList<string>> MissingMigrationsAsync(CancellationToken ct = default) => ReadAsync<IReadOnlyList<string>>(async c =>
    {
        var applied = (await c.QueryAsync<int>(new CommandDefinition("SELECT version FROM schema_migrations", cancellationToken: ct))).ToHashSet();
        return [.. Migrations.For(IsPostgres ? "Postgres" : "Sqlite").Where(m => !applied.Contains(m.Version)).Select(m => m.Name)];
    });
}
