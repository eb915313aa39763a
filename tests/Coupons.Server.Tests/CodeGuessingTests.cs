using System.Net;
using System.Net.Http.Json;

namespace Coupons.Server.Tests;

public sealed class CodeGuessingTests_Sqlite(SqliteApp app) : CodeGuessingTests<SqliteApp>(app);
public sealed class CodeGuessingTests_Postgres(PostgresApp app) : CodeGuessingTests<PostgresApp>(app);

/// <summary>Unknown codes looked up past 20 a minute lock the till, or the customer, out of redeem and is-redeemable.</summary>
public abstract class CodeGuessingTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    static string RandomCode(Random r) => new(Enumerable.Range(0, 8).Select(_ => "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"[r.Next(32)]).ToArray());

    [Fact]
    public async Task A_till_trying_random_codes_is_stopped_after_20_while_other_tills_go_on()
    {
        var org = await TestOrg.CreateAsync(app);
        var series = await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true });
        var seriesId = series["id"]!.GetValue<long>();
        await org.CustomerAsync(mobile: "820001");
        await org.CustomerAsync(mobile: "820002");
        var guesser = await org.TillAsync();
        var honest = await org.TillAsync();
        var codes = (await (await honest.PostAsJsonAsync("/v2/coupon/issue/multiple", new { seriesId, count = 2, customer = new { mobile = "820002" } })).Json())["coupons"]!
            .AsArray().Select(c => c!["code"]!.GetValue<string>()).ToList();

        // The guesses name real customers (an unknown customer answers 701 before any code is looked at), each a few times.
        for (var i = 0; i < 10; i++) await org.CustomerAsync(mobile: $"83{i:D4}");
        var random = new Random(42);
        int tried = 0, answered = 0;
        HttpResponseMessage? refused = null;
        for (; tried < 10_000; tried++)
        {
            var r = await guesser.GetAsync($"/v2/coupon/is_redeemable?mobile=83{tried % 10:D4}&code={RandomCode(random)}");
            if (r.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = r;
                break;
            }
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            answered++;
        }
        Assert.Equal(20, answered);
        Assert.NotNull(refused);
        Assert.Equal(429, (await refused.Json()).ErrorCode());
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single()) is > 250 and <= 300);

        // Locked out of everything that looks codes up, even a real code, in each API's envelope.
        var redeem = await guesser.PostAsJsonAsync("/v2/coupon/bulk/redeem", new { redemptionRequestList = new[] { new { code = codes[0] } }, user = new { mobile = "820002" } });
        Assert.Equal(HttpStatusCode.TooManyRequests, redeem.StatusCode);
        var v11 = await V11.GetAsync(guesser, $"/v1.1/coupon/isredeemable?format=json&mobile=820002&code={codes[0]}");
        Assert.Equal(HttpStatusCode.TooManyRequests, v11.Http);
        Assert.Equal("429", v11.Status["code"]!.ToString());
        Assert.Equal(HttpStatusCode.TooManyRequests, (await V11.GetAsync(guesser, $"/v1.1/coupon/get?format=json&code={codes[0]}")).Http);
        // Other calls of the same till are not affected.
        Assert.Equal(HttpStatusCode.OK, (await guesser.GetAsync("/v1.1/coupon/series?format=json")).StatusCode);

        // Honest traffic from another till is untouched: it redeems the real code.
        var ok = await honest.PostAsJsonAsync("/v2/coupon/bulk/redeem", new { redemptionRequestList = new[] { new { code = codes[0] } }, user = new { mobile = "820002" } });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Guesses_for_one_customer_spread_over_tills_lock_that_customer_only()
    {
        var org = await TestOrg.CreateAsync(app);
        var series = await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true });
        var seriesId = series["id"]!.GetValue<long>();
        await org.CustomerAsync(mobile: "820011");
        await org.CustomerAsync(mobile: "820012");
        var fresh = await org.TillAsync();
        var mine = (await (await fresh.PostAsJsonAsync("/v2/coupon/issue/multiple", new { seriesId, customer = new { mobile = "820011" } })).Json())["coupons"]![0]!["code"]!.GetValue<string>();
        var theirs = (await (await fresh.PostAsJsonAsync("/v2/coupon/issue/multiple", new { seriesId, customer = new { mobile = "820012" } })).Json())["coupons"]![0]!["code"]!.GetValue<string>();

        var random = new Random(7);
        for (var t = 0; t < 4; t++)
        {
            var till = await org.TillAsync();
            for (var i = 0; i < 5; i++)
            {
                var answer = await V11.PostAsync(till, "/v1.1/coupon/redeem?format=json", V11.Root(new System.Text.Json.Nodes.JsonObject
                {
                    ["code"] = RandomCode(random),
                    ["customer"] = V11.Customer("820011"),
                }));
                Assert.Equal(702, answer.ItemCode);
            }
        }

        var locked = await fresh.GetAsync($"/v2/coupon/is_redeemable?mobile=820011&code={mine}");
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        var v11 = await V11.PostAsync(fresh, "/v1.1/coupon/redeem?format=json", V11.Root(new System.Text.Json.Nodes.JsonObject
        {
            ["code"] = mine,
            ["customer"] = V11.Customer("820011"),
        }));
        Assert.Equal(429, v11.ItemCode);
        var other = await fresh.GetAsync($"/v2/coupon/is_redeemable?mobile=820012&code={theirs}");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.True((await other.Json())["coupons"]![0]!["isRedeemable"]!.GetValue<bool>());
    }
}
