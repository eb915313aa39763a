using System.Net;
using System.Net.Http.Json;

namespace Coupons.Server.Tests;

public sealed class GroupCommitTests_Sqlite(SqliteApp app) : GroupCommitTests<SqliteApp>(app);
public sealed class GroupCommitTests_Postgres(PostgresApp app) : GroupCommitTests<PostgresApp>(app);

/// <summary>
/// Concurrent writes share transactions (group commit), each in its own savepoint. These requests all start together,
/// so they land in the same batches: one request's refusal or failure must not touch another's result.
/// </summary>
public abstract class GroupCommitTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    const int Customers = 24;

    sealed record Holder(string Mobile, string Code);

    async Task<(TestOrg Org, HttpClient Till, long Series, Holder[] Holders)> HoldersAsync()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var series = await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true });
        var seriesId = series["id"]!.GetValue<long>();
        var prefix = Random.Shared.Next(100_000, 999_999);
        var holders = new Holder[Customers];
        for (var i = 0; i < Customers; i++)
        {
            var mobile = $"44{prefix}{i:D4}";
            await org.CustomerAsync(mobile: mobile);
            var response = await till.PostAsJsonAsync("/v2/coupon/issue/multiple", new { seriesId, count = 1, customer = new { mobile } });
            var body = await response.Json();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
            holders[i] = new Holder(mobile, body["coupons"]![0]!["code"]!.GetValue<string>());
        }
        return (org, till, seriesId, holders);
    }

    HttpClient[] Clients(HttpClient like, int n) => Enumerable.Range(0, n).Select(_ =>
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = like.DefaultRequestHeaders.Authorization;
        return client;
    }).ToArray();

    static async Task<T[]> TogetherAsync<T>(int n, Func<int, Task<T>> request)
    {
        using var start = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, n).Select(async i =>
        {
            await start.WaitAsync();
            return await request(i);
        }).ToArray();
        start.Release(n);
        return await Task.WhenAll(tasks);
    }

    static async Task<int> NumRedeemedAsync(TestOrg org, long series) =>
        (await (await org.Admin.GetAsync($"/v2/coupon/series/{series}")).Json())["numRedeemed"]!.GetValue<int>();

    [Fact]
    public async Task Bulk_redemptions_that_fail_inside_a_shared_commit_roll_back_alone()
    {
        var (org, till, series, holders) = await HoldersAsync();
        var clients = Clients(till, Customers);

        // Even customers redeem their coupon; odd ones send it with an unknown code, so their all-or-nothing batch
        // fails inside the transaction it shares with the others and must take nothing else with it.
        var answers = await TogetherAsync(Customers, async i =>
        {
            var codes = i % 2 == 0 ? new[] { holders[i].Code } : [holders[i].Code, $"NO-SUCH-{i}"];
            var response = await clients[i].PostAsJsonAsync("/v2/coupon/bulk/redeem", new
            {
                redemptionRequestList = codes.Select(code => new { code }),
                transactionNumber = $"gc-{i}",
                user = new { mobile = holders[i].Mobile },
            });
            return (response.StatusCode, Body: await response.Json());
        });

        for (var i = 0; i < Customers; i++)
        {
            var (status, body) = answers[i];
            var items = body["redemptionResponseList"]!.AsArray();
            if (i % 2 == 0)
            {
                Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
                Assert.True(items[0]!["isRedeemed"]!.GetValue<bool>());
                Assert.NotNull(items[0]!["redemptionId"]);
            }
            else
            {
                Assert.True(status == HttpStatusCode.BadRequest, body.ToJsonString());
                Assert.Equal(749, items[0]!["errors"]![0]!["code"]!.GetValue<int>());
                Assert.Null(items[0]!["redemptionId"]);
            }
        }
        Assert.Equal(Customers / 2, await NumRedeemedAsync(org, series));

        // The coupons of the failed batches were left untouched: each redeems now, once.
        var again = await TogetherAsync(Customers / 2, i => V11.RedeemAsync(clients[i], holders[2 * i + 1].Code, holders[2 * i + 1].Mobile));
        Assert.All(again, a => Assert.True(a.Http == HttpStatusCode.OK, a.ToString()));
        Assert.Equal(Customers, await NumRedeemedAsync(org, series));
    }

    [Fact]
    public async Task Concurrent_v11_redemptions_where_half_are_refused_each_get_their_own_answer()
    {
        var (org, till, series, holders) = await HoldersAsync();
        var clients = Clients(till, Customers);
        for (var i = 1; i < Customers; i += 2)
            Assert.Equal(HttpStatusCode.OK, (await V11.RedeemAsync(till, holders[i].Code, holders[i].Mobile)).Http);

        // Odd coupons are used already (711); even ones are fresh; all 24 ask at once.
        var answers = await TogetherAsync(Customers, i => V11.RedeemAsync(clients[i], holders[i].Code, holders[i].Mobile));

        for (var i = 0; i < Customers; i++)
        {
            if (i % 2 == 0) Assert.True(answers[i].Http == HttpStatusCode.OK && answers[i].ItemCode == 200, answers[i].ToString());
            else V11.AssertRefused(answers[i], 711);
        }
        Assert.Equal(Customers, await NumRedeemedAsync(org, series));
    }

    [Fact]
    public async Task Concurrent_issues_and_redemptions_on_one_series_count_every_write_once()
    {
        var (org, till, series, holders) = await HoldersAsync();
        var clients = Clients(till, 2 * Customers);

        // Half the requests issue a second coupon to each customer, half redeem the first: both move the series' counters.
        var answers = await TogetherAsync(2 * Customers, i => i < Customers
            ? V11.IssueAsync(clients[i], series, holders[i].Mobile)
            : V11.RedeemAsync(clients[i], holders[i - Customers].Code, holders[i - Customers].Mobile));

        Assert.All(answers, a => Assert.True(a.Http == HttpStatusCode.OK, a.ToString()));
        Assert.Equal(Customers, answers.Take(Customers).Select(a => V11.Text(a.Item["code"])).Distinct().Count());
        var stored = (await (await org.Admin.GetAsync($"/v2/coupon/series/{series}")).Json()).AsObject();
        Assert.Equal(2 * Customers, stored["numIssued"]!.GetValue<int>());
        Assert.Equal(Customers, stored["numRedeemed"]!.GetValue<int>());
    }
}
