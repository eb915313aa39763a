using Coupons.Core;
using Coupons.Storage;
using Coupons.Storage.Postgres;
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
    readonly PostgresStore store = new(new NpgsqlConnectionStringBuilder(TestPostgres.NewDatabase()) { MaxPoolSize = 1 }.ToString(), TimeProvider.System);

    public Task InitializeAsync() => store.MigrateAsync();

    public async Task DisposeAsync() => await store.DisposeAsync();

    [Fact]
    public async Task A_value_refused_while_binding_a_read_leaves_the_connection_usable()
    {
        Assert.True((await store.CreateOrganisationAsync("Org", "main", "Main", "till-1", "hash")).Ok);
        // Refused at its first, second and third run: whichever of them prepares the statement.
        for (var round = 0; round < 3; round++)
        {
            await Assert.ThrowsAsync<StoreInputException>(() => store.FindLoginAsync("ti\0ll"));
            Assert.Equal("till-1", (await store.FindLoginAsync("till-1"))?.Caller.Till.Code);
            Assert.Null(await store.FindLoginAsync("nobody"));
        }
    }

    [Fact]
    public async Task A_value_refused_while_binding_a_write_leaves_the_connection_usable()
    {
        var org = (await store.CreateOrganisationAsync("Org", "main", "Main", "till-1", "hash")).Value;
        var caller = (await store.FindLoginAsync("till-1"))!.Caller;
        var series = (await store.CreateSeriesAsync(org, caller.Till.Id, new Series { SeriesCode = "S1", Description = "d", IsMultipleVouchersPerUserAllowed = true })).Value!;
        for (var round = 0; round < 3; round++)
        {
            // Alone (a store has no key) and through the group committer (an issue is keyed by its series).
            await Assert.ThrowsAsync<StoreInputException>(() => store.CreateStoreAsync(org, $"st\0{round}", "North"));
            Assert.True((await store.CreateStoreAsync(org, $"north-{round}", "North")).Ok);
            await Assert.ThrowsAsync<StoreInputException>(() => store.CreateCustomerAsync(org, new Customer { FirstName = "A\0", LastName = "L", Mobile = $"4470{round}" }));
            Assert.True((await store.CreateCustomerAsync(org, new Customer { FirstName = "A", LastName = "L", Mobile = $"4471{round}" })).Ok);
            await Assert.ThrowsAsync<StoreInputException>(() => store.IssueAsync(caller, series.Id, new CustomerRef(Mobile: $"4471{round}"), metadata: "m\0"));
            Assert.True((await store.IssueAsync(caller, series.Id, new CustomerRef(Mobile: $"4471{round}"), metadata: "m")).Coupons.Count == 1);
        }
    }
}
