using Coupons.Core;
using Coupons.Storage;
using Coupons.Storage.Postgres;
using Dapper;
using Npgsql;

namespace Coupons.Server.Tests;

/// <summary>
/// PostgreSQL prepares each statement on a connection once it has run twice (PostgresStore). A value PostgreSQL
/// refuses while it binds the statement's parameters (a NUL in text) used to leave that connection's prepared
/// statement without its result description (npgsql/npgsql#6391), and the next request on it failed with "unexpected
/// backend message DataRow". The request checks refuse such values first; these tests go round them, straight to the
/// store, on a pool of one connection, so that every statement after the refused one runs on the same connection.
/// </summary>
public sealed class PreparedStatementTests : IAsyncLifetime
{
    readonly PostgresStore store;
    readonly string database = new NpgsqlConnectionStringBuilder(TestPostgres.NewDatabase()) { MaxPoolSize = 1 }.ToString();

    public PreparedStatementTests() => store = new(database, TimeProvider.System);

    public Task InitializeAsync() => store.MigrateAsync();

    public async Task DisposeAsync() => await store.DisposeAsync();

    /// <summary>
    /// On a fresh connection: the statement runs 0, 1, 2 times, then is refused (so whichever run prepares it is the
    /// refused one), then must keep working.
    /// </summary>
    async Task RefusedAtEachRunAsync(Func<PostgresStore, Task> good, Func<PostgresStore, Task> refused)
    {
        for (var before = 0; before < 3; before++)
        {
            await using var fresh = new PostgresStore(database, TimeProvider.System);
            for (var i = 0; i < before; i++) await good(fresh);
            await Assert.ThrowsAsync<StoreInputException>(() => refused(fresh));
            for (var i = 0; i < 3; i++) await good(fresh);
        }
    }

    [Fact]
    public async Task A_value_refused_while_binding_a_read_leaves_the_connection_usable()
    {
        Assert.True((await store.CreateOrganisationAsync("Org", "main", "Main", "till-1", "hash")).Ok);
        await RefusedAtEachRunAsync(
            async s => Assert.Equal("till-1", (await s.FindLoginAsync("till-1"))?.Caller.Till.Code),
            s => s.FindLoginAsync("ti\0ll"));
    }

    [Fact]
    public async Task A_value_refused_while_binding_a_write_leaves_the_connection_usable()
    {
        var org = (await store.CreateOrganisationAsync("Org", "main", "Main", "till-1", "hash")).Value;
        var caller = (await store.FindLoginAsync("till-1"))!.Caller;
        var series = (await store.CreateSeriesAsync(org, caller.Till.Id, new Series { SeriesCode = "S1", Description = "d", IsMultipleVouchersPerUserAllowed = true })).Value!;
        Assert.True((await store.CreateCustomerAsync(org, new Customer { FirstName = "A", LastName = "L", Mobile = "447100" })).Ok);
        var n = 0;
        // Alone (a store has no key)...
        await RefusedAtEachRunAsync(
            async s => Assert.True((await s.CreateStoreAsync(org, $"north-{++n}", "North")).Ok),
            s => s.CreateStoreAsync(org, "st\0", "North"));
        // ...and through the group committer (an issue is keyed by its series).
        await RefusedAtEachRunAsync(
            async s => Assert.Single((await s.IssueAsync(caller, series.Id, new CustomerRef(Mobile: "447100"), metadata: "m")).Coupons),
            s => s.IssueAsync(caller, series.Id, new CustomerRef(Mobile: "447100"), metadata: "m\0"));
    }

    [Fact]
    public async Task An_attempt_whose_error_quotes_a_NUL_from_the_receiver_is_recorded()
    {
        var org = (await store.CreateOrganisationAsync("Org", "main", "Main", "till-1", "hash")).Value;
        var delivery = new Delivery { Id = 1, OrgId = org, Attempts = 1 };
        var failed = new AttemptOutcome(false, "HTTP 500: \0\0 oops", DateTimeOffset.UtcNow, 12, TimeSpan.FromSeconds(1));
        Assert.False(await store.SettleDeliveryAsync(delivery, failed, maxAttempts: 5));
        await using var c = new NpgsqlConnection(database);
        Assert.Equal("HTTP 500: \uFFFD\uFFFD oops", await c.QuerySingleAsync<string>("SELECT error FROM delivery_attempts WHERE delivery_id = 1"));
    }
}
