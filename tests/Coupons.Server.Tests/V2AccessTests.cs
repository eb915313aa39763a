using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace Coupons.Server.Tests;

public sealed class V2AccessTests_Sqlite(SqliteApp app) : V2AccessTests<SqliteApp>(app);
public sealed class V2AccessTests_Postgres(PostgresApp app) : V2AccessTests<PostgresApp>(app);

/// <summary>OAuth bearer tokens beside Basic, the per-till rate limit, and the organisation settings behind it.</summary>
public abstract class V2AccessTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    static HttpClient Bearer(HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    static async Task<(HttpResponseMessage Response, JsonNode Body)> TokenAsync(HttpClient anonymous, HttpContent content)
    {
        var response = await anonymous.PostAsync("/v2/oauth/token", content);
        return (response, await response.Json());
    }

    // ---- OAuth -----------------------------------------------------------------------------

    [Fact]
    public async Task A_token_from_key_and_secret_works_on_v2_v11_and_admin_endpoints()
    {
        var org = await TestOrg.CreateAsync(app);
        var series = await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true });
        await org.CustomerAsync(mobile: "700100");

        var (response, body) = await TokenAsync(app.CreateClient(), JsonContent.Create(new { key = org.AdminTill, secret = org.Password }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer", body["token_type"]!.GetValue<string>());
        Assert.Equal(900, body["expires_in"]!.GetValue<int>());
        var token = body["access_token"]!.GetValue<string>();
        Assert.Equal(3, token.Split('.').Length);

        var client = Bearer(app.CreateClient(), token);
        var issued = await client.PostAsJsonAsync("/v2/coupon/issue/multiple", new { seriesId = series["id"]!.GetValue<long>(), customer = new { mobile = "700100" } });
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        var code = (await issued.Json())["coupons"]![0]!["code"]!.GetValue<string>();
        var v11 = await V11.GetAsync(client, $"/v1.1/coupon/isredeemable?format=json&mobile=700100&code={code}");
        Assert.Equal(HttpStatusCode.OK, v11.Http);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v2/tills")).StatusCode);
    }

    [Fact]
    public async Task A_token_is_granted_for_a_form_with_client_credentials_or_a_basic_header_and_the_md5_secret()
    {
        var org = await TestOrg.CreateAsync(app);
        var md5 = Convert.ToHexString(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(org.Password))).ToLowerInvariant();
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = org.AdminTill,
            ["client_secret"] = md5,
        });
        var (byForm, formBody) = await TokenAsync(app.CreateClient(), form);
        Assert.Equal(HttpStatusCode.OK, byForm.StatusCode);

        var basic = app.Client(org.AdminTill, org.Password);
        var (byBasic, basicBody) = await TokenAsync(basic, new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }));
        Assert.Equal(HttpStatusCode.OK, byBasic.StatusCode);
        foreach (var body in new[] { formBody, basicBody })
        {
            var stores = await Bearer(app.CreateClient(), body["access_token"]!.GetValue<string>()).GetAsync("/v2/stores");
            Assert.Equal(HttpStatusCode.OK, stores.StatusCode);
        }
    }

    [Fact]
    public async Task Wrong_secrets_unknown_grants_and_missing_fields_are_refused_in_both_the_oauth_and_v2_shapes()
    {
        var org = await TestOrg.CreateAsync(app);
        var anonymous = app.CreateClient();

        var (wrong, wrongBody) = await TokenAsync(anonymous, JsonContent.Create(new { key = org.AdminTill, secret = "not-the-password" }));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("invalid_client", wrongBody["error"]!.GetValue<string>());
        Assert.Equal(401, wrongBody.ErrorCode());

        var (grant, grantBody) = await TokenAsync(anonymous, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = org.AdminTill,
            ["client_secret"] = org.Password,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, grant.StatusCode);
        Assert.Equal("unsupported_grant_type", grantBody["error"]!.GetValue<string>());

        var (missing, missingBody) = await TokenAsync(anonymous, JsonContent.Create(new { key = org.AdminTill }));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("invalid_request", missingBody["error"]!.GetValue<string>());

        var (garbage, _) = await TokenAsync(anonymous, new StringContent("{not json", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
    }

    [Fact]
    public async Task A_tampered_a_foreign_or_an_expired_token_is_refused_with_401()
    {
        var org = await TestOrg.CreateAsync(app);
        var other = await TestOrg.CreateAsync(app);
        var token = (await TokenAsync(app.CreateClient(), JsonContent.Create(new { key = org.AdminTill, secret = org.Password }))).Body["access_token"]!.GetValue<string>();
        var parts = token.Split('.');

        // The payload claims another till; the signature was made for this one.
        var payload = JsonNode.Parse(Encoding.UTF8.GetString(Base64Url(parts[1])))!;
        payload["sub"] = other.AdminTill;
        var forged = $"{parts[0]}.{ToBase64Url(Encoding.UTF8.GetBytes(payload.ToJsonString()))}.{parts[2]}";
        var refused = await Bearer(app.CreateClient(), forged).GetAsync("/v2/stores");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(401, (await refused.Json()).ErrorCode());
        Assert.Equal(HttpStatusCode.Unauthorized, (await Bearer(app.CreateClient(), "not-a-token").GetAsync("/v2/stores")).StatusCode);

        // The same service sixteen minutes later: the 900-second token has expired.
        var clock = new ShiftedClock(TimeSpan.FromMinutes(16));
        using var later = app.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<TimeProvider>(clock)));
        var expired = await Bearer(later.CreateClient(), token).GetAsync("/v2/stores");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        var v11 = await V11.GetAsync(Bearer(later.CreateClient(), token), "/v1.1/coupon/series?format=json");
        Assert.Equal(HttpStatusCode.Unauthorized, v11.Http);
        Assert.Equal("401", v11.Status["code"]!.ToString());
    }

    static byte[] Base64Url(string s) => Convert.FromBase64String(s.Replace('-', '+').Replace('_', '/').PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    static string ToBase64Url(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    sealed class ShiftedClock(TimeSpan by) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + by;
    }

    // ---- Rate limits -----------------------------------------------------------------------

    [Fact]
    public async Task A_till_past_its_organisations_limit_gets_429_with_retry_after_in_each_apis_envelope_and_other_tills_go_on()
    {
        var org = await TestOrg.CreateAsync(app);
        var set = await org.Admin.PutAsJsonAsync("/v2/organisation", new { rateLimitPerMinute = 5 });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(5, (await set.Json())["rateLimitPerMinute"]!.GetValue<int>());
        var till = await org.TillAsync();
        var neighbour = await org.TillAsync();

        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.OK, (await till.GetAsync("/v1.1/coupon/series?format=json")).StatusCode);
        var refused = await till.GetAsync("/v2/coupon/is_redeemable?mobile=1&code=ABC");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single()) is > 0 and <= 60);
        Assert.Equal(429, (await refused.Json()).ErrorCode());
        var v11 = await V11.GetAsync(till, "/v1.1/coupon/series?format=json");
        Assert.Equal(HttpStatusCode.TooManyRequests, v11.Http);
        Assert.Equal("429", v11.Status["code"]!.ToString());

        Assert.Equal(HttpStatusCode.OK, (await neighbour.GetAsync("/v1.1/coupon/series?format=json")).StatusCode);

        var lifted = await org.Admin.PutAsJsonAsync("/v2/organisation", new { rateLimitPerMinute = 0 });
        Assert.Equal(HttpStatusCode.OK, lifted.StatusCode);
        for (var i = 0; i < 10; i++)
            Assert.Equal(HttpStatusCode.OK, (await till.GetAsync("/v1.1/coupon/series?format=json")).StatusCode);
    }

    [Fact]
    public async Task Organisation_settings_are_validated_kept_and_for_admins_only()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();

        var zone = await org.Admin.PutAsJsonAsync("/v2/organisation", new { timeZone = "Mars/Olympus" });
        Assert.Equal(HttpStatusCode.BadRequest, zone.StatusCode);
        var negative = await org.Admin.PutAsJsonAsync("/v2/organisation", new { rateLimitPerMinute = -1 });
        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await till.PutAsJsonAsync("/v2/organisation", new { rateLimitPerMinute = 0 })).StatusCode);

        var ok = await org.Admin.PutAsJsonAsync("/v2/organisation", new { timeZone = "Asia/Kolkata", transactionNumberRequired = true });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var stored = await (await org.Admin.GetAsync("/v2/organisation")).Json();
        Assert.Equal("Asia/Kolkata", stored["timeZone"]!.GetValue<string>());
        Assert.True(stored["transactionNumberRequired"]!.GetValue<bool>());
        Assert.Equal(1000, stored["rateLimitPerMinute"]!.GetValue<int>());
    }
}
