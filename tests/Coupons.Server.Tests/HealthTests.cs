using System.Net;
using System.Text.Json.Nodes;
using Coupons.Storage;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Coupons.Server.Tests;

public sealed class HealthTests_Sqlite(SqliteApp app) : HealthTests<SqliteApp>(app);
public sealed class HealthTests_Postgres(PostgresApp app) : HealthTests<PostgresApp>(app);

/// <summary>/health/live, /health/ready and /health as a load balancer sees them.</summary>
public abstract class HealthTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    [Fact]
    public async Task A_started_node_is_live_and_ready_and_says_which_checks_passed()
    {
        var http = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        var ready = await http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var report = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
        Assert.Equal("Healthy", (string?)report["status"]);
        foreach (var check in new[] { "database", "migrations", "committers", "stopping" })
            Assert.Equal("Healthy", (string?)report["checks"]![check]!["status"]);
    }

    [Fact]
    public async Task A_database_missing_a_migration_makes_the_node_not_ready_but_still_live()
    {
        var store = (IStoreReadiness)app.Services.GetRequiredService<ICouponStore>();
        Assert.Empty(await store.MissingMigrationsAsync());
        var http = app.CreateClient();
        await using var db = await app.OpenDatabaseAsync();
        var (version, name) = await db.QuerySingleAsync<(int, string)>("SELECT version, name FROM schema_migrations ORDER BY version DESC LIMIT 1");
        var appliedAt = await db.ExecuteScalarAsync<object>("SELECT applied_at FROM schema_migrations WHERE version = @version", new { version });
        await db.ExecuteAsync("DELETE FROM schema_migrations WHERE version = @version", new { version });
        try
        {
            var ready = await http.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            var report = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
            Assert.Equal("Unhealthy", (string?)report["checks"]!["migrations"]!["status"]);
            Assert.Contains(name, (string?)report["checks"]!["migrations"]!["description"]);
            Assert.Equal("Healthy", (string?)report["checks"]!["database"]!["status"]);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        }
        finally
        {
            await db.ExecuteAsync("INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @appliedAt)", new { version, name, appliedAt });
        }
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
    }
}
