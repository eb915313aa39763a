using System.Net;
using System.Net.Http.Headers;
using Coupons.Client;

namespace Coupons.Server.Tests;

public sealed class ClientTests_Sqlite(SqliteApp app) : ClientTests<SqliteApp>(app);
public sealed class ClientTests_Postgres(PostgresApp app) : ClientTests<PostgresApp>(app);

/// <summary>The official client (src/Coupons.Client) against the real server: typed calls, typed refusals, sign-in, retries.</summary>
public abstract class ClientTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    CouponsClient ClientFor(CouponsCredentials credentials, params DelegatingHandler[] handlers) =>
        new(app.CreateDefaultClient(handlers), credentials, new CouponsClientOptions { MaxRetryDelay = TimeSpan.FromSeconds(5) });

    async Task<(TestOrg Org, CouponsClient Admin, CouponsClient Till)> SetUpAsync()
    {
        var org = await TestOrg.CreateAsync(app);
        var admin = ClientFor(CouponsCredentials.Basic(org.AdminTill, org.Password));
        var till = await admin.CreateTillAsync("pos-" + Guid.NewGuid().ToString("N")[..10], "till-password", "main");
        return (org, admin, ClientFor(CouponsCredentials.Basic(till.Code, "till-password")));
    }

    [Fact]
    public async Task The_core_flow_runs_on_typed_calls_and_refusals_come_as_typed_exceptions()
    {
        var (_, admin, till) = await SetUpAsync();
        var store = await admin.CreateStoreAsync("north", "North Street");
        Assert.Equal("north", store.Code);
        var duplicate = await Assert.ThrowsAsync<CouponsConflictException>(() => admin.CreateStoreAsync("north", "Again"));
        Assert.Equal(409, duplicate.Code);

        var mobile = "4477" + Random.Shared.Next(10_000_000, 99_999_999);
        var customerId = await admin.CreateCustomerAsync(new NewCustomer("Ada", "Lovelace", Mobile: mobile));
        Assert.Equal(customerId, (await admin.FindCustomerAsync("mobile", mobile)).Id);
        var missing = await Assert.ThrowsAsync<CouponsNotFoundException>(() => admin.GetCustomerAsync(999_999_999));
        Assert.Equal(701, missing.Code);

        var series = await admin.CreateSeriesAsync(new Series
        {
            SeriesCode = "CLIENT-" + Guid.NewGuid().ToString("N")[..6],
            Description = "Ten off",
            DiscountValue = 10,
            IsMultipleVouchersPerUserAllowed = true,
        });
        Assert.Equal(-1, series.MaxCreate);
        Assert.Null(series.LastUsed);
        var again = await Assert.ThrowsAsync<CouponsConflictException>(() => admin.CreateSeriesAsync(new Series { SeriesCode = series.SeriesCode }));
        Assert.Equal(751, again.Code);

        var issued = await till.IssueAsync(new CustomerRef(Mobile: mobile), [series.Id], count: 3);
        Assert.Equal(3, issued.SuccessCount);
        var coupons = await till.GetCustomerCouponsAsync(customerId);
        Assert.Equal(3, coupons.Count);

        var codes = issued.Coupons.Select(c => c.Code).ToList();
        var redeemed = await till.BulkRedeemAsync([new RedeemItem(codes[0]), new RedeemItem(codes[1])], new CustomerRef(Mobile: mobile), "T-1", 100m);
        Assert.All(redeemed.RedemptionResponseList, r => Assert.True(r.IsRedeemed));
        var used = await Assert.ThrowsAsync<CouponsApiException>(() => till.BulkRedeemAsync([new RedeemItem(codes[0])], new CustomerRef(Mobile: mobile)));
        Assert.Equal(HttpStatusCode.BadRequest, used.StatusCode);
        Assert.Equal(711, used.Code);

        var checks = await till.IsRedeemableAsync([codes[0], codes[2]], new CustomerRef(Mobile: mobile), withSeries: true);
        Assert.False(checks.Single(c => c.Code == codes[0]).IsRedeemable);
        Assert.True(checks.Single(c => c.Code == codes[2]).IsRedeemable);
        Assert.Equal(series.Id, checks.Single(c => c.Code == codes[2]).Series!.Id);

        var ids = redeemed.RedemptionResponseList.Select(r => r.RedemptionId!.Value).ToList();
        var amended = await till.AmendRedemptionAsync(ids[0], billAmount: 120m, customFields: new Dictionary<string, string?> { ["lane"] = "4" });
        Assert.Equal(120m, amended.BillAmount);
        Assert.True((await till.ReverseAsync([ids[1]])).Success);
        var afterReversal = await till.GetCustomerCouponsAsync(customerId);
        Assert.NotNull(afterReversal.Single(c => c.Code == codes[1]).ReversedRedemptionInfo.Single().ReversedOn);

        // v1.1, JSON: an item's refusal is its outcome; the whole request's refusal an exception.
        var v11 = await till.V11IssueAsync(series.Id, new CustomerRef(Mobile: mobile));
        Assert.True(v11.Success, v11.Message);
        Assert.True((await till.V11IsRedeemableAsync(v11.CouponCode!, new CustomerRef(Mobile: mobile))).Success);
        var v11Redeemed = await till.V11RedeemAsync(v11.CouponCode!, new CustomerRef(Mobile: mobile), "T-2", 50m);
        Assert.True(v11Redeemed.Success, v11Redeemed.Message);
        Assert.NotNull(v11Redeemed.RedemptionId);
        var twice = await till.V11RedeemAsync(v11.CouponCode!, new CustomerRef(Mobile: mobile));
        Assert.Equal(711, twice.Code);
        var forbidden = await Assert.ThrowsAsync<CouponsAuthenticationException>(() => till.ListStoresAsync());
        Assert.Equal(403, forbidden.Code);
    }

    [Fact]
    public async Task A_retried_POST_reuses_its_Idempotency_Key_so_a_lost_answer_issues_nothing_twice()
    {
        var (org, admin, _) = await SetUpAsync();
        var mobile = "4478" + Random.Shared.Next(10_000_000, 99_999_999);
        var customerId = await admin.CreateCustomerAsync(new NewCustomer("Kim", "Lee", Mobile: mobile));
        var series = await admin.CreateSeriesAsync(new Series { SeriesCode = "RETRY-" + Guid.NewGuid().ToString("N")[..6], IsMultipleVouchersPerUserAllowed = true });

        // The first answer is lost on its way back (the server did the work); the client sees a 503 and retries.
        var lossy = new LoseFirstAnswer();
        using var client = ClientFor(CouponsCredentials.Basic(org.AdminTill, org.Password), lossy);
        var issued = await client.IssueAsync(new CustomerRef(Id: customerId), [series.Id], count: 2);

        Assert.Equal(2, lossy.Keys.Count);
        Assert.Equal(lossy.Keys[0], lossy.Keys[1]);
        Assert.Equal(2, issued.SuccessCount);
        Assert.Equal(2, (await admin.GetCustomerCouponsAsync(customerId)).Count);
    }

    [Fact]
    public async Task OAuth_sign_in_renews_a_refused_token_once_and_goes_on()
    {
        var org = await TestOrg.CreateAsync(app);
        var spoil = new SpoilFirstBearer();
        using var client = ClientFor(CouponsCredentials.OAuth(org.AdminTill, org.Password), spoil);
        var stores = await client.ListStoresAsync();
        Assert.Contains(stores, s => s.Code == "main");
        Assert.Equal(2, spoil.TokenRequests);
        await client.ListTillsAsync();
        Assert.Equal(2, spoil.TokenRequests);

        using var wrong = ClientFor(CouponsCredentials.OAuth(org.AdminTill, "not-the-secret"));
        var refused = await Assert.ThrowsAsync<CouponsAuthenticationException>(() => wrong.ListStoresAsync());
        Assert.Equal(401, refused.Code);
    }

    [Fact]
    public async Task A_cancelled_call_stops_even_while_it_waits_to_retry()
    {
        var org = await TestOrg.CreateAsync(app);
        using var client = new CouponsClient(app.CreateDefaultClient(new AlwaysBusy()), CouponsCredentials.Basic(org.AdminTill, org.Password),
            new CouponsClientOptions { MaxRetryDelay = TimeSpan.FromMinutes(5) });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var started = DateTime.UtcNow;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ListStoresAsync(cancel.Token));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));

        using var patient = new CouponsClient(app.CreateDefaultClient(new AlwaysBusy()), CouponsCredentials.Basic(org.AdminTill, org.Password),
            new CouponsClientOptions { MaxRetryDelay = TimeSpan.FromSeconds(1) });
        var busy = await Assert.ThrowsAsync<CouponsRateLimitedException>(() => patient.ListStoresAsync());
        Assert.Equal(429, busy.Code);
    }

    /// <summary>Passes the first POST to the server and answers the client 503 (Retry-After: 1), as if the answer were lost.</summary>
    sealed class LoseFirstAnswer : DelegatingHandler
    {
        public List<string> Keys { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var response = await base.SendAsync(request, ct);
            if (request.Method != HttpMethod.Post) return response;
            Keys.Add(request.Headers.GetValues("Idempotency-Key").Single());
            if (Keys.Count > 1) return response;
            response.Dispose();
            return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Headers = { RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(1)) } };
        }
    }

    /// <summary>Counts token requests and spoils the first bearer token sent, as a revoked token would be.</summary>
    sealed class SpoilFirstBearer : DelegatingHandler
    {
        public int TokenRequests { get; private set; }
        bool spoiled;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            if (request.RequestUri!.AbsolutePath == "/v2/oauth/token") TokenRequests++;
            if (!spoiled && request.Headers.Authorization is { Scheme: "Bearer" } bearer)
            {
                spoiled = true;
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer.Parameter + "x");
            }
            return base.SendAsync(request, ct);
        }
    }

    /// <summary>Answers every request 429 with Retry-After: 2 without reaching the server.</summary>
    sealed class AlwaysBusy : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.TooManyRequests)
            {
                Headers = { RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(2)) },
                Content = new StringContent("""{"errors":[{"status":false,"code":429,"message":"busy"}],"warnings":[]}"""),
            });
    }
}
