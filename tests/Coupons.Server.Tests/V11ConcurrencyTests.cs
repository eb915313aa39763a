using System.Net;

namespace Coupons.Server.Tests;

public sealed class V11ConcurrencyTests_Sqlite(SqliteApp app) : V11ConcurrencyTests<SqliteApp>(app);
public sealed class V11ConcurrencyTests_Postgres(PostgresApp app) : V11ConcurrencyTests<PostgresApp>(app);

/// <summary>Limits hold when many tills ask at once: each request on its own HttpClient, all started together.</summary>
public abstract class V11ConcurrencyTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    const int Parallel = 32;

    async Task<HttpClient[]> TillsAsync(TestOrg org)
    {
        var first = await org.TillAsync();
        var credentials = first.DefaultRequestHeaders.Authorization!;
        return Enumerable.Range(0, Parallel).Select(_ =>
        {
            var client = app.CreateClient();
            client.DefaultRequestHeaders.Authorization = credentials;
            return client;
        }).ToArray();
    }

    [Fact]
    public async Task Thirty_two_redemptions_of_one_single_use_coupon_redeem_it_once()
    {
        var org = await TestOrg.CreateAsync(app);
        await org.CustomerAsync(mobile: "447700900100");
        var tills = await TillsAsync(org);
        var series = V11.Id(await org.SeriesAsync());
        var code = await V11.IssuedCodeAsync(tills[0], series, "447700900100");

        using var start = new SemaphoreSlim(0);
        var tasks = tills.Select(async till =>
        {
            await start.WaitAsync();
            return await V11.RedeemAsync(till, code, "447700900100");
        }).ToArray();
        start.Release(Parallel);
        var answers = await Task.WhenAll(tasks);

        Assert.Single(answers, a => a.Http == HttpStatusCode.OK);
        Assert.All(answers.Where(a => a.Http != HttpStatusCode.OK), a => V11.AssertRefused(a, 711));
        Assert.Equal(1, (await V11.SeriesV2Async(org, series))["numRedeemed"]!.GetValue<int>());
    }

    [Fact]
    public async Task Thirty_two_issues_against_maxCreate_10_issue_exactly_10()
    {
        var org = await TestOrg.CreateAsync(app);
        var mobiles = Enumerable.Range(0, Parallel).Select(i => $"4477009{i:D5}").ToArray();
        foreach (var mobile in mobiles)
            await org.CustomerAsync(mobile: mobile);
        var tills = await TillsAsync(org);
        var series = V11.Id(await org.SeriesAsync(new { maxCreate = 10 }));

        using var start = new SemaphoreSlim(0);
        var tasks = tills.Select(async (till, i) =>
        {
            await start.WaitAsync();
            return await V11.IssueAsync(till, series, mobiles[i]);
        }).ToArray();
        start.Release(Parallel);
        var answers = await Task.WhenAll(tasks);

        var issued = answers.Where(a => a.Http == HttpStatusCode.OK).ToList();
        Assert.Equal(10, issued.Count);
        Assert.Equal(10, issued.Select(a => V11.Text(a.Item["code"])).Distinct().Count());
        Assert.All(answers.Where(a => a.Http != HttpStatusCode.OK), a => V11.AssertRefused(a, 714));
        Assert.Equal(10, (await V11.SeriesV2Async(org, series))["numIssued"]!.GetValue<int>());
    }

    [Fact]
    public async Task Thirty_two_customers_redeeming_one_series_with_maxRedeem_10_redeem_exactly_10()
    {
        var org = await TestOrg.CreateAsync(app);
        var mobiles = Enumerable.Range(0, Parallel).Select(i => $"4477008{i:D5}").ToArray();
        foreach (var mobile in mobiles)
            await org.CustomerAsync(mobile: mobile);
        var tills = await TillsAsync(org);
        var series = V11.Id(await org.SeriesAsync(new { maxRedeem = 10 }));
        var codes = new List<string>();
        foreach (var mobile in mobiles) codes.Add(await V11.IssuedCodeAsync(tills[0], series, mobile));

        using var start = new SemaphoreSlim(0);
        var tasks = tills.Select(async (till, i) =>
        {
            await start.WaitAsync();
            return await V11.RedeemAsync(till, codes[i], mobiles[i]);
        }).ToArray();
        start.Release(Parallel);
        var answers = await Task.WhenAll(tasks);

        Assert.Equal(10, answers.Count(a => a.Http == HttpStatusCode.OK));
        Assert.All(answers.Where(a => a.Http != HttpStatusCode.OK), a => V11.AssertRefused(a, 728));
        Assert.Equal(10, answers.Where(a => a.Http == HttpStatusCode.OK).Select(a => V11.Text(a.Item["redemption_id"])).Distinct().Count());
        Assert.Equal(10, (await V11.SeriesV2Async(org, series))["numRedeemed"]!.GetValue<int>());
    }

    [Fact]
    public async Task One_customer_redeeming_eight_coupons_at_once_within_a_limit_of_three_a_series_redeems_exactly_three()
    {
        const string mobile = "447700900300";
        var org = await TestOrg.CreateAsync(app);
        await org.CustomerAsync(mobile: mobile);
        var tills = await TillsAsync(org);
        var series = V11.Id(await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true, maxRedemptionsInSeriesPerUser = 3 }));
        var codes = new List<string>();
        for (var i = 0; i < 8; i++) codes.Add(await V11.IssuedCodeAsync(tills[0], series, mobile));

        using var start = new SemaphoreSlim(0);
        var tasks = codes.Select(async (code, i) =>
        {
            await start.WaitAsync();
            return await V11.RedeemAsync(tills[i], code, mobile);
        }).ToArray();
        start.Release(codes.Count);
        var answers = await Task.WhenAll(tasks);

        Assert.Equal(3, answers.Count(a => a.Http == HttpStatusCode.OK));
        Assert.All(answers.Where(a => a.Http != HttpStatusCode.OK), a => V11.AssertRefused(a, 736));
        Assert.Equal(3, (await V11.SeriesV2Async(org, series))["numRedeemed"]!.GetValue<int>());
    }
}
