using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Coupons.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Coupons.Server.Tests;

public sealed class IdempotencyTests_Sqlite(SqliteApp app) : IdempotencyTests<SqliteApp>(app);
public sealed class IdempotencyTests_Postgres(PostgresApp app) : IdempotencyTests<PostgresApp>(app);

/// <summary>Idempotency-Key on POST: a retry gets the first answer and changes nothing, on any node; keys expire.</summary>
public abstract class IdempotencyTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    static HttpRequestMessage Post(string path, object body, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    static object Issue(long seriesId, string mobile, int count = 1) => new { seriesId, count, customer = new { mobile } };

    async Task<(TestOrg Org, HttpClient Till, long SeriesId, long CustomerId)> SetUpAsync(string mobile)
    {
        var org = await TestOrg.CreateAsync(app);
        var series = await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true });
        var customerId = await org.CustomerAsync(mobile: mobile);
        return (org, await org.TillAsync(), series["id"]!.GetValue<long>(), customerId);
    }

    static async Task<int> CouponCountAsync(HttpClient till, long customerId)
    {
        var response = await till.GetAsync($"/v2/customers/{customerId}/coupons");
        return response.StatusCode == HttpStatusCode.NotFound ? 0 : (await response.Json())["entity"]!.AsArray().Count;
    }

    [Fact]
    public async Task A_retry_with_the_same_key_gets_the_first_answer_and_issues_nothing_more()
    {
        var (_, till, seriesId, customerId) = await SetUpAsync("810001");
        var key = Guid.NewGuid().ToString();

        var first = await till.SendAsync(Post("/v2/coupon/issue/multiple", Issue(seriesId, "810001", 2), key));
        var firstBody = await first.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var retry = await till.SendAsync(Post("/v2/coupon/issue/multiple", Issue(seriesId, "810001", 2), key));
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(firstBody, await retry.Content.ReadAsStringAsync());
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(2, await CouponCountAsync(till, customerId));

        // Without a key, or with a new one, the same request issues again.
        Assert.Equal(HttpStatusCode.OK, (await till.SendAsync(Post("/v2/coupon/issue/multiple", Issue(seriesId, "810001"), null))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await till.SendAsync(Post("/v2/coupon/issue/multiple", Issue(seriesId, "810001"), Guid.NewGuid().ToString()))).StatusCode);
        Assert.Equal(4, await CouponCountAsync(till, customerId));
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_refused_422_in_each_apis_envelope()
    {
        var (_, till, seriesId, customerId) = await SetUpAsync("810002");
        var key = Guid.NewGuid().ToString();
        Assert.Equal(HttpStatusCode.OK, (await till.SendAsync(Post("/v2/coupon/issue/multiple", Issue(seriesId, "810002"), key))).StatusCode);

        var other = await till.SendAsync(Post("/v2/coupon/issue/multiple", Issue(seriesId, "810002", 3), key));
        Assert.Equal((HttpStatusCode)422, other.StatusCode);
        Assert.Equal(422, (await other.Json()).ErrorCode());
        var v11 = await V11.SendAsync(till.SendAsync(Post("/v1.1/coupon/issue?format=json",
            JsonNode.Parse(V11.Root(new JsonObject { ["series_id"] = seriesId.ToString(), ["customer"] = V11.Customer("810002") }).ToJsonString())!, key)));
        Assert.Equal((HttpStatusCode)422, v11.Http);
        Assert.Equal("422", v11.Status["code"]!.ToString());
        Assert.Equal(1, await CouponCountAsync(till, customerId));

        var bad = await till.SendAsync(Post("/v2/coupon/issue/multiple", Issue(seriesId, "810002"), new string('k', 300)));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(1, await CouponCountAsync(till, customerId));
    }

    [Fact]
    public async Task A_refusal_is_replayed_too_but_an_unauthenticated_request_keeps_nothing()
    {
        var (org, till, seriesId, customerId) = await SetUpAsync("810003");
        var key = Guid.NewGuid().ToString();
        var body = new { redemptionRequestList = new[] { new { code = "NOSUCHCODE" } }, user = new { mobile = "810003" } };
        var first = await till.SendAsync(Post("/v2/coupon/bulk/redeem", body, key));
        Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);
        var again = await till.SendAsync(Post("/v2/coupon/bulk/redeem", body, key));
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());

        var stranger = app.Client(org.AdminTill, "wrong-password");
        var key2 = Guid.NewGuid().ToString();
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.SendAsync(Post("/v2/coupon/issue/multiple", Issue(seriesId, "810003"), key2))).StatusCode);
        var real = await till.SendAsync(Post("/v2/coupon/issue/multiple", Issue(seriesId, "810003"), key2));
        Assert.Equal(HttpStatusCode.OK, real.StatusCode);
        Assert.False(real.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, await CouponCountAsync(till, customerId));
    }

    [Fact]
    public async Task Concurrent_retries_on_two_nodes_issue_once()
    {
        var (_, till, seriesId, customerId) = await SetUpAsync("810004");
        using var secondNode = app.WithWebHostBuilder(_ => { });
        var other = secondNode.CreateClient();
        other.DefaultRequestHeaders.Authorization = till.DefaultRequestHeaders.Authorization;

        var key = Guid.NewGuid().ToString();
        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            (i % 2 == 0 ? till : other).SendAsync(Post("/v2/coupon/issue/multiple", Issue(seriesId, "810004"), key))));
        Assert.All(answers, a => Assert.True(a.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, a.StatusCode.ToString()));
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.OK);
        Assert.Equal(1, await CouponCountAsync(till, customerId));
        var codes = new HashSet<string>();
        foreach (var ok in answers.Where(a => a.StatusCode == HttpStatusCode.OK))
            codes.Add((await ok.Json())["coupons"]![0]!["code"]!.GetValue<string>());
        Assert.Single(codes);
    }

    [Fact]
    public async Task An_expired_key_runs_the_request_again()
    {
        var (_, till, seriesId, customerId) = await SetUpAsync("810005");
        var key = Guid.NewGuid().ToString();
        Assert.Equal(HttpStatusCode.OK, (await till.SendAsync(Post("/v2/coupon/issue/multiple", Issue(seriesId, "810005"), key))).StatusCode);

        using var dayLater = app.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<TimeProvider>(new ShiftedClock(TimeSpan.FromHours(25)))));
        var later = dayLater.CreateClient();
        later.DefaultRequestHeaders.Authorization = till.DefaultRequestHeaders.Authorization;
        var again = await later.SendAsync(Post("/v2/coupon/issue/multiple", Issue(seriesId, "810005"), key));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.False(again.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(2, await CouponCountAsync(till, customerId));
    }

    sealed class ShiftedClock(TimeSpan by) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + by;
    }

    [Fact]
    public async Task A_write_under_a_key_taken_over_by_a_retry_rolls_back_and_a_committed_key_without_answer_is_not_run_again()
    {
        var org = await TestOrg.CreateAsync(app);
        var store = org.Store;
        var key = Guid.NewGuid().ToString();

        var first = await store.ClaimIdempotencyKeyAsync(org.OrgId, key, "hash-1", TimeSpan.FromHours(1), TimeSpan.FromHours(1));
        Assert.Equal(ClaimKind.Owned, first.Kind);
        Assert.Equal(ClaimKind.InProgress, (await store.ClaimIdempotencyKeyAsync(org.OrgId, key, "hash-1", TimeSpan.FromHours(1), TimeSpan.FromHours(1))).Kind);
        Assert.Equal(ClaimKind.Mismatch, (await store.ClaimIdempotencyKeyAsync(org.OrgId, key, "hash-2", TimeSpan.FromHours(1), TimeSpan.FromHours(1))).Kind);
        // The first attempt has gone quiet past the lease: a retry takes the key over.
        var retry = await store.ClaimIdempotencyKeyAsync(org.OrgId, key, "hash-1", TimeSpan.FromHours(1), TimeSpan.Zero);
        Assert.Equal(ClaimKind.Owned, retry.Kind);
        Assert.NotEqual(first.Owner, retry.Owner);

        // The first attempt wakes up and writes: its transaction must not commit.
        IdempotencyScope.Current = new IdempotencyScope(org.OrgId, key, first.Owner!);
        try
        {
            await Assert.ThrowsAsync<IdempotencyKeyLostException>(() => store.CreateStoreAsync(org.OrgId, "ghost", "Ghost store"));
        }
        finally
        {
            IdempotencyScope.Current = null;
        }
        Assert.DoesNotContain(await store.ListStoresAsync(org.OrgId), s => s.Code == "ghost");

        // The retry writes and commits, then the server stops before storing its answer.
        IdempotencyScope.Current = new IdempotencyScope(org.OrgId, key, retry.Owner!);
        try
        {
            Assert.True((await store.CreateStoreAsync(org.OrgId, "real", "Real store")).Ok);
        }
        finally
        {
            IdempotencyScope.Current = null;
        }
        Assert.Equal(ClaimKind.OutcomeUnknown, (await store.ClaimIdempotencyKeyAsync(org.OrgId, key, "hash-1", TimeSpan.FromHours(1), TimeSpan.Zero)).Kind);
        Assert.Single(await store.ListStoresAsync(org.OrgId), s => s.Code == "real");
    }
}
