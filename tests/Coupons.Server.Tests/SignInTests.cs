using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Xml.Linq;
using Coupons.Server.Auth;
using Coupons.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Coupons.Server.Tests;

public sealed class SignInTests_Sqlite(SqliteApp app) : SignInTests<SqliteApp>(app);
public sealed class SignInTests_Postgres(PostgresApp app) : SignInTests<PostgresApp>(app);

/// <summary>
/// Sign-in, roles and the per-till rate limit as the framework's middleware runs them: each refusal in the envelope of
/// its API, with its headers; the credential cache and what empties it.
/// </summary>
public abstract class SignInTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    static XElement XmlStatus(string body) => XDocument.Parse(body).Root!.Element("status")!;

    static int RetryAfter(HttpResponseMessage response) => int.Parse(response.Headers.GetValues("Retry-After").Single());

    [Fact]
    public async Task A_token_of_a_till_whose_password_changed_gets_401_in_the_v11_xml_envelope_with_both_challenges()
    {
        var org = await TestOrg.CreateAsync(app);
        var granted = await app.CreateClient().PostAsJsonAsync("/v2/oauth/token", new { key = org.AdminTill, secret = org.Password });
        var token = (await granted.Json())["access_token"]!.GetValue<string>();

        await using (var db = await app.OpenDatabaseAsync())
        {
            await Dapper.SqlMapper.ExecuteAsync(db, "UPDATE tills SET password_hash = @hash WHERE code = @code",
                new { hash = PasswordHasher.Hash("a-new-password"), code = org.AdminTill });
        }

        var bearer = app.CreateClient();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var refused = await bearer.GetAsync("/v1.1/coupon/series?format=xml");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(["Basic", "Bearer"], refused.Headers.WwwAuthenticate.Select(h => h.Scheme));
        Assert.All(refused.Headers.WwwAuthenticate, h => Assert.Equal("realm=\"coupons\"", h.Parameter));
        Assert.Equal("application/xml", refused.Content.Headers.ContentType?.MediaType);
        var status = XmlStatus(await refused.Content.ReadAsStringAsync());
        Assert.Equal("401", status.Element("code")!.Value);
        Assert.Equal("false", status.Element("success")!.Value);

        var renewed = await app.Client(org.AdminTill, "a-new-password").GetAsync("/v1.1/coupon/series?format=xml");
        Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
    }

    [Fact]
    public async Task A_till_without_the_admin_role_gets_403_in_the_v2_envelope_and_no_challenge()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync("till");

        var refused = await till.GetAsync("/v2/tills");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Empty(refused.Headers.WwwAuthenticate);
        Assert.Equal("application/json", refused.Content.Headers.ContentType?.MediaType);
        var body = await refused.Json();
        Assert.Equal(403, body.ErrorCode());
        Assert.False(body["errors"]![0]!["status"]!.GetValue<bool>());
        Assert.Equal("this endpoint needs an admin till", body["errors"]![0]!["message"]!.GetValue<string>());
        Assert.Empty(body["warnings"]!.AsArray());

        Assert.Equal(HttpStatusCode.OK, (await till.GetAsync("/v2/coupon/is_redeemable?mobile=1&code=ABC")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await till.GetAsync("/v1.1/coupon/series?format=json")).StatusCode);
    }

    [Fact]
    public async Task Past_the_limit_retry_after_says_when_the_oldest_requests_leave_the_minute_in_xml_and_json_and_nothing_is_kept()
    {
        var org = await TestOrg.CreateAsync(app);
        var series = await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true });
        await org.CustomerAsync(mobile: "820001");
        Assert.Equal(HttpStatusCode.OK, (await org.Admin.PutAsJsonAsync("/v2/organisation", new { rateLimitPerMinute = 3 })).StatusCode);
        var signedIn = await org.TillAsync();

        // A node of its own, with a clock the test moves: its limiter counts from this till's first request there.
        var clock = new MovableClock();
        using var node = app.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<TimeProvider>(clock)));
        var till = node.CreateClient();
        till.DefaultRequestHeaders.Authorization = signedIn.DefaultRequestHeaders.Authorization;
        var key = Guid.NewGuid().ToString();
        HttpRequestMessage Issue()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v2/coupon/issue/multiple")
            {
                Content = JsonContent.Create(new { seriesId = series["id"]!.GetValue<long>(), customer = new { mobile = "820001" } }),
            };
            request.Headers.Add("Idempotency-Key", key);
            return request;
        }

        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await till.GetAsync("/v1.1/coupon/series?format=json")).StatusCode);
        var xml = await till.GetAsync("/v1.1/coupon/series?format=xml");
        Assert.Equal(HttpStatusCode.TooManyRequests, xml.StatusCode);
        Assert.InRange(RetryAfter(xml), 55, 60);
        Assert.Equal("application/xml", xml.Content.Headers.ContentType?.MediaType);
        var status = XmlStatus(await xml.Content.ReadAsStringAsync());
        Assert.Equal("429", status.Element("code")!.Value);
        Assert.Contains("its 3 requests a minute", status.Element("message")!.Value);

        clock.Advance(TimeSpan.FromSeconds(30));
        var json = await till.SendAsync(Issue());
        Assert.Equal(HttpStatusCode.TooManyRequests, json.StatusCode);
        Assert.InRange(RetryAfter(json), 25, 30);
        Assert.Equal(429, (await json.Json()).ErrorCode());

        // The three requests have left the window; the refused request under the key was not kept, so it runs now.
        clock.Advance(TimeSpan.FromSeconds(30));
        var issued = await till.SendAsync(Issue());
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        Assert.False(issued.Headers.Contains("Idempotent-Replayed"));
        Assert.Single((await issued.Json())["coupons"]!.AsArray());
    }

    [Fact]
    public async Task A_repeated_sign_in_is_answered_without_the_database_until_the_organisations_settings_change()
    {
        var org = await TestOrg.CreateAsync(app);
        var calls = new ConcurrentDictionary<string, int>();
        var store = StoreFactory.Create(app.Provider, app.ConnectionString, TimeProvider.System);
        await using var closed = store as IAsyncDisposable;
        using var node = app.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton(CountingStore.Wrap(store, calls))));
        var admin = node.CreateClient();
        admin.DefaultRequestHeaders.Authorization = org.Admin.DefaultRequestHeaders.Authorization;
        int Logins() => calls.GetValueOrDefault(nameof(ICouponStore.FindLoginAsync));

        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/v2/stores")).StatusCode);
        var first = Logins();
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/v2/stores")).StatusCode);
        Assert.Equal(first, Logins());

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v2/organisation", new { rateLimitPerMinute = 500 })).StatusCode);
        Assert.Equal(first, Logins());
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/v2/stores")).StatusCode);
        Assert.Equal(first + 1, Logins());
    }

    /// <summary>System time, moved forward by the test.</summary>
    sealed class MovableClock : TimeProvider
    {
        long offsetTicks;

        public void Advance(TimeSpan by) => Interlocked.Add(ref offsetTicks, by.Ticks);

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref offsetTicks));

        public override long GetTimestamp() =>
            System.GetTimestamp() + (long)(Interlocked.Read(ref offsetTicks) * (TimestampFrequency / (double)TimeSpan.TicksPerSecond));
    }
}

/// <summary>A store that counts the calls of each of its methods, by name, and passes them on.</summary>
public class CountingStore : DispatchProxy
{
    ICouponStore inner = null!;
    ConcurrentDictionary<string, int> calls = null!;

    public static ICouponStore Wrap(ICouponStore inner, ConcurrentDictionary<string, int> calls)
    {
        var proxy = Create<ICouponStore, CountingStore>();
        ((CountingStore)(object)proxy).inner = inner;
        ((CountingStore)(object)proxy).calls = calls;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        calls.AddOrUpdate(method!.Name, 1, (_, n) => n + 1);
        try
        {
            return method.Invoke(inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}
