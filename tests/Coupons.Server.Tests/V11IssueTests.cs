using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Coupons.Server.Tests;

public sealed class V11IssueTests_Sqlite(SqliteApp app) : V11IssueTests<SqliteApp>(app);
public sealed class V11IssueTests_Postgres(PostgresApp app) : V11IssueTests<PostgresApp>(app);

/// <summary>POST /v1.1/coupon/issue, one item code per test.</summary>
public abstract class V11IssueTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    const string Mobile = "447700900100";
    const string Other = "447700900200";

    async Task<(TestOrg Org, HttpClient Till, long CustomerId)> SetUpAsync()
    {
        var org = await TestOrg.CreateAsync(app);
        var customerId = await org.CustomerAsync(mobile: Mobile);
        return (org, await org.TillAsync(), customerId);
    }

    [Fact]
    public async Task Issuing_answers_the_coupon_with_its_series_and_customer_and_700()
    {
        var (org, till, _) = await SetUpAsync();
        var series = await org.SeriesAsync(new { description = "Ten off", discountCode = "XYZ123", validTillDate = V11.Day(30) });
        var answer = await V11.IssueAsync(till, V11.Id(series), Mobile);
        V11.AssertIssued(answer);
        Assert.Equal("SUCCESS", V11.Text(answer.Status["message"]));
        var coupon = answer.Item;
        Assert.False(string.IsNullOrEmpty(V11.Text(coupon["code"])));
        Assert.Equal(DateTime.UtcNow.Date.AddDays(30).ToString("yyyy-MM-dd"), V11.Text(coupon["valid_till"]));
        Assert.Equal(V11.Id(series).ToString(), V11.Text(coupon["series_info"]!["id"]));
        Assert.Equal("XYZ123", V11.Text(coupon["series_info"]!["discount_code"]));
        Assert.Equal(Mobile, V11.Text(coupon["customer"]!["mobile"]));
        Assert.Null(coupon["customer"]!["user_id"]);
    }

    [Fact]
    public async Task User_id_true_adds_the_customers_id()
    {
        var (org, till, customerId) = await SetUpAsync();
        var series = await org.SeriesAsync();
        var answer = await V11.IssueAsync(till, V11.Id(series), Mobile, "format=json&user_id=true");
        V11.AssertIssued(answer);
        Assert.Equal(customerId.ToString(), V11.Text(answer.Item["customer"]!["user_id"]));
    }

    [Fact]
    public async Task An_unknown_series_gives_707()
    {
        var (_, till, _) = await SetUpAsync();
        V11.AssertRefused(await V11.IssueAsync(till, 987654321, Mobile), 707);
    }

    [Fact]
    public async Task A_series_of_another_organisation_gives_707()
    {
        var (_, till, _) = await SetUpAsync();
        var other = await TestOrg.CreateAsync(app);
        var theirs = await other.SeriesAsync();
        V11.AssertRefused(await V11.IssueAsync(till, V11.Id(theirs), Mobile), 707);
    }

    [Fact]
    public async Task An_expired_series_gives_712()
    {
        var (org, till, _) = await SetUpAsync();
        var series = await org.EndedSeriesAsync(daysAgo: 1);
        V11.AssertRefused(await V11.IssueAsync(till, V11.Id(series), Mobile), 712);
    }

    [Fact]
    public async Task MaxCreate_reached_gives_714()
    {
        var (org, till, _) = await SetUpAsync();
        await org.CustomerAsync(mobile: Other);
        var series = await org.SeriesAsync(new { maxCreate = 1 });
        V11.AssertIssued(await V11.IssueAsync(till, V11.Id(series), Mobile));
        V11.AssertRefused(await V11.IssueAsync(till, V11.Id(series), Other), 714);
        Assert.Equal(1, (await V11.SeriesV2Async(org, V11.Id(series)))["numIssued"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_unknown_customer_gives_701()
    {
        var (org, till, _) = await SetUpAsync();
        var series = await org.SeriesAsync();
        V11.AssertRefused(await V11.IssueAsync(till, V11.Id(series), "447700999999"), 701);
    }

    [Theory]
    [InlineData("MARKED", false, 740)]
    [InlineData("CONFIRMED", false, 750)]
    [InlineData("NONE", true, 742)]
    public async Task A_fraud_or_blocked_customer_is_refused(string fraudStatus, bool blocked, int expected)
    {
        var (org, till, customerId) = await SetUpAsync();
        var series = await org.SeriesAsync();
        await V11.SetCustomerStatusAsync(org, customerId, fraudStatus, blocked);
        V11.AssertRefused(await V11.IssueAsync(till, V11.Id(series), Mobile), expected);
    }

    [Fact]
    public async Task A_second_coupon_of_a_one_per_customer_series_that_does_not_resend_gives_709()
    {
        var (org, till, _) = await SetUpAsync();
        var series = await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = false, doNotResendExistingVoucher = true });
        V11.AssertIssued(await V11.IssueAsync(till, V11.Id(series), Mobile));
        V11.AssertRefused(await V11.IssueAsync(till, V11.Id(series), Mobile), 709);
        Assert.Equal(1, (await V11.SeriesV2Async(org, V11.Id(series)))["numIssued"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_one_per_customer_series_that_resends_gives_the_same_code_again_with_700()
    {
        var (org, till, _) = await SetUpAsync();
        var series = await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = false, doNotResendExistingVoucher = false });
        var first = await V11.IssuedCodeAsync(till, V11.Id(series), Mobile);
        var again = await V11.IssueAsync(till, V11.Id(series), Mobile);
        V11.AssertIssued(again);
        Assert.Equal(first, V11.Text(again.Item["code"]));
        Assert.Equal(1, (await V11.SeriesV2Async(org, V11.Id(series)))["numIssued"]!.GetValue<int>());
    }

    [Fact]
    public async Task MaxVouchersPerUser_reached_gives_709()
    {
        var (org, till, _) = await SetUpAsync();
        var series = await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true, maxVouchersPerUser = 2 });
        var one = await V11.IssuedCodeAsync(till, V11.Id(series), Mobile);
        var two = await V11.IssuedCodeAsync(till, V11.Id(series), Mobile);
        Assert.NotEqual(one, two);
        V11.AssertRefused(await V11.IssueAsync(till, V11.Id(series), Mobile), 709);
    }

    [Fact]
    public async Task A_GENERIC_series_gives_everyone_its_shared_code_and_refuses_a_second_to_one_customer()
    {
        var (org, till, _) = await SetUpAsync();
        await org.CustomerAsync(mobile: Other);
        var series = await org.SeriesAsync(new { seriesType = "GENERIC", generic = "WELCOME5", isMultipleVouchersPerUserAllowed = true });
        Assert.Equal("WELCOME5", await V11.IssuedCodeAsync(till, V11.Id(series), Mobile));
        Assert.Equal("WELCOME5", await V11.IssuedCodeAsync(till, V11.Id(series), Other));
        V11.AssertRefused(await V11.IssueAsync(till, V11.Id(series), Mobile), 709);
    }

    [Fact]
    public async Task An_uploaded_series_hands_out_its_codes_then_refuses_with_714()
    {
        var (org, till, _) = await SetUpAsync();
        await org.CustomerAsync(mobile: Other);
        await org.CustomerAsync(mobile: "447700900300");
        var series = await org.SeriesAsync(new { seriesType = "UPLOADED" });
        var upload = await org.Admin.PostAsJsonAsync($"/v2/coupon/series/{V11.Id(series)}/codes", new[] { "AAA111", "BBB222" });
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);

        var codes = new[] { await V11.IssuedCodeAsync(till, V11.Id(series), Mobile), await V11.IssuedCodeAsync(till, V11.Id(series), Other) };
        Assert.Equal(["AAA111", "BBB222"], codes.Order());
        // v1.1 has no "no codes left" code; an exhausted upload reads as the series' limit reached.
        V11.AssertRefused(await V11.IssueAsync(till, V11.Id(series), "447700900300"), 714);
    }

    [Fact]
    public async Task A_customer_named_by_email_or_external_id_is_found()
    {
        var org = await TestOrg.CreateAsync(app);
        await org.CustomerAsync(email: "ada@example.com", externalId: "ext-42");
        var till = await org.TillAsync();
        var series = await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true });
        foreach (var customer in new[] { V11.Customer(email: "ada@example.com"), V11.Customer(externalId: "ext-42") })
        {
            var answer = await V11.PostAsync(till, "/v1.1/coupon/issue?format=json",
                V11.Root(new JsonObject { ["series_id"] = V11.Id(series).ToString(), ["customer"] = customer }));
            V11.AssertIssued(answer);
        }
    }

    [Fact]
    public async Task A_batch_with_one_bad_item_answers_every_item_and_201()
    {
        var (org, till, _) = await SetUpAsync();
        await org.CustomerAsync(mobile: Other);
        var series = await org.SeriesAsync();
        var id = V11.Id(series).ToString();
        var batch = new JsonObject
        {
            ["root"] = new JsonObject
            {
                ["coupon"] = new JsonArray(
                    new JsonObject { ["series_id"] = id, ["customer"] = V11.Customer(Mobile) },
                    new JsonObject { ["series_id"] = id, ["customer"] = V11.Customer(Other) },
                    new JsonObject { ["series_id"] = id, ["customer"] = V11.Customer("447700999999") }),
            },
        };
        var answer = await V11.PostAsync(till, "/v1.1/coupon/issue?format=json", batch);
        Assert.Equal(HttpStatusCode.Created, answer.Http);
        Assert.Equal("201", V11.Text(answer.Status["code"]));
        var items = V11.List(answer.Response["coupons"]?["coupon"] ?? answer.Response["coupon"]);
        Assert.Equal(3, items.Count);
    }
}
