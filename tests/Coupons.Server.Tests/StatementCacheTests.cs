using Coupons.Storage.Sqlite;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Coupons.Server.Tests;

/// <summary>
/// The SQLite connection that keeps prepared statements (Coupons.Storage.Sqlite.StatementCachingConnection), on a real
/// database file: a statement run again must bind its new parameters, never answer with the last ones.
/// </summary>
public sealed class StatementCacheTests : IDisposable
{
    readonly string file = Path.Combine(Path.GetTempPath(), $"statement-cache-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
    }

    async Task<StatementCachingConnection> OpenAsync(Action<StatementCachingConnection>? giveBack = null)
    {
        var inner = new SqliteConnection($"Data Source={file}");
        await inner.OpenAsync();
        var c = new StatementCachingConnection(inner, giveBack);
        await c.ExecuteAsync("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
        return c;
    }

    [Fact]
    public async Task The_same_statement_run_again_binds_its_new_parameters()
    {
        await using var c = await OpenAsync();
        for (var i = 1; i <= 50; i++) await c.ExecuteAsync("INSERT INTO t (id, name) VALUES (@id, @name)", new { id = i, name = $"n{i}" });
        for (var i = 1; i <= 50; i++)
            Assert.Equal($"n{i}", await c.QuerySingleAsync<string>("SELECT name FROM t WHERE id = @id", new { id = i }));
        Assert.Null(await c.QuerySingleOrDefaultAsync<string>("SELECT name FROM t WHERE id = @id", new { id = 51 }));
    }

    [Fact]
    public async Task Lists_of_any_length_expand_with_their_parameters()
    {
        await using var c = await OpenAsync();
        for (var i = 1; i <= 20; i++) await c.ExecuteAsync("INSERT INTO t (id, name) VALUES (@id, 'x')", new { id = i });
        foreach (var ids in new[] { new long[] { 3 }, [1, 2, 3, 4, 5], [7, 8], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [99] })
        {
            var found = (await c.QueryAsync<long>("SELECT id FROM t WHERE name = @name AND id IN @ids ORDER BY id", new { name = "x", ids })).ToArray();
            Assert.Equal(ids.Where(id => id <= 20).Order().ToArray(), found);
        }
    }

    [Fact]
    public async Task A_statement_still_being_read_is_not_handed_to_a_second_command()
    {
        await using var c = await OpenAsync();
        for (var i = 1; i <= 5; i++) await c.ExecuteAsync("INSERT INTO t (id, name) VALUES (@id, @name)", new { id = i, name = $"n{i}" });
        const string sql = "SELECT id, name FROM t WHERE id >= @from ORDER BY id";
        await using var outer = c.CreateCommand();
        outer.CommandText = sql;
        outer.Parameters.Add(new SqliteParameter("@from", 1));
        await using var reader = await outer.ExecuteReaderAsync();
        var pairs = new List<string>();
        while (await reader.ReadAsync())
        {
            // The same text again while the first is open: a statement of its own, with its own parameter.
            var inner = (await c.QueryAsync<(long Id, string Name)>(sql, new { from = reader.GetInt64(0) + 3 })).Select(r => r.Id).ToArray();
            pairs.Add($"{reader.GetString(1)}:{string.Join(",", inner)}");
        }
        Assert.Equal(["n1:4,5", "n2:5", "n3:", "n4:", "n5:"], pairs);
    }

    [Fact]
    public async Task Statements_follow_the_transaction_they_are_given_and_leave_it_behind()
    {
        await using var c = await OpenAsync();
        await using (var tx = c.BeginTransaction(deferred: false))
        {
            await c.ExecuteAsync("INSERT INTO t (id, name) VALUES (@id, 'rolled back')", new { id = 1 }, tx);
            Assert.Equal(1, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM t", transaction: tx));
            await tx.RollbackAsync();
        }
        // The cached statements were used inside the transaction; outside it they must run without one.
        Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM t"));
        await c.ExecuteAsync("INSERT INTO t (id, name) VALUES (@id, 'kept')", new { id = 1 });
        Assert.Equal("kept", await c.QuerySingleAsync<string>("SELECT name FROM t WHERE id = @id", new { id = 1 }));
    }

    [Fact]
    public async Task A_connection_given_back_says_whether_it_left_a_transaction_open()
    {
        var givenBack = new List<bool>();
        var c = await OpenAsync(k => givenBack.Add(k.InTransaction));
        c.Dispose();
        Assert.Equal([false], givenBack);

        c.Reuse();
        var tx = c.BeginTransaction(deferred: false);
        await c.ExecuteAsync("INSERT INTO t (id, name) VALUES (1, 'open')", transaction: tx);
        c.Dispose();
        c.Dispose(); // a second dispose gives nothing back twice
        Assert.Equal([false, true], givenBack);
        c.CloseForGood();
    }
}
