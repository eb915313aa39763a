using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Coupons.Server.Tests;

public sealed class HostileInputTests_Sqlite(SqliteApp app) : HostileInputTests<SqliteApp>(app);
public sealed class HostileInputTests_Postgres(PostgresApp app) : HostileInputTests<PostgresApp>(app);

/// <summary>What the hostile-input check of the guarantees harness found, pinned: each once answered 500.</summary>
public abstract class HostileInputTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    [Fact]
    public async Task A_NUL_character_in_a_query_a_body_or_a_till_code_is_answered_in_the_envelope_not_500()
    {
        var org = await TestOrg.CreateAsync(app);

        var query = await org.Admin.GetAsync("/v2/coupon/is_redeemable?code=AB%00CD&mobile=1%002");
        Assert.True((int)query.StatusCode is 200 or 400, $"{query.StatusCode}");
        Assert.NotNull(await query.Json());

        var v11 = await org.Admin.GetAsync("/v1.1/coupon/get?code=AB%00CD");
        Assert.NotEqual("730", (await v11.Json())["response"]!["status"]!["code"]!.GetValue<string>());

        var body = await org.Admin.PostAsync("/v2/customers", new StringContent(
            """{"profiles":[{"firstName":"A\u0000B","lastName":"L","identifiers":[{"type":"mobile","value":"700555"}]}]}""", Encoding.UTF8, "application/json"));
        Assert.True((int)body.StatusCode is 201 or 400, $"{body.StatusCode}");
        if (body.StatusCode == HttpStatusCode.BadRequest) Assert.Equal(400, (await body.Json()).ErrorCode());

        var anonymous = app.CreateClient();
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("\0ghost:\0"u8.ToArray()));
        var login = await anonymous.GetAsync("/v2/stores");
        Assert.True((int)login.StatusCode is 400 or 401, $"{login.StatusCode}");
        Assert.NotNull((await login.Json())["errors"]);
    }

    [Fact]
    public async Task A_body_in_an_unknown_charset_gets_415_in_the_envelope()
    {
        var org = await TestOrg.CreateAsync(app);
        var content = new ByteArrayContent("""{"code":"north","name":"North"}"""u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=no-such-charset");
        var response = await org.Admin.PostAsync("/v2/stores", content);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(415, (await response.Json()).ErrorCode());

        var v11 = new ByteArrayContent("""{"root":{"coupon":{"code":"X"}}}"""u8.ToArray());
        v11.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=no-such-charset");
        var answer = await org.Admin.PostAsync("/v1.1/coupon/redeem", v11);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, answer.StatusCode);
        Assert.NotNull((await answer.Json())["response"]!["status"]);
    }

    static ByteArrayContent Bytes(byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    [Fact]
    public async Task Invalid_UTF8_inside_a_JSON_string_gets_400_on_v11_oauth_and_v2()
    {
        var org = await TestOrg.CreateAsync(app);
        byte[] Broken(string before, string after) => [.. Encoding.UTF8.GetBytes(before), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(after)];

        var v11 = await org.Admin.PostAsync("/v1.1/coupon/redeem", Bytes(Broken("""{"root":{"coupon":{"code":"A""", "\"}}}"), "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, v11.StatusCode);
        Assert.Equal("400", (await v11.Json())["response"]!["status"]!["code"]!.GetValue<string>());

        var token = await app.CreateClient().PostAsync("/v2/oauth/token", Bytes(Broken("""{"key":"x""", "\",\"secret\":\"y\"}"), "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, token.StatusCode);

        var issue = await org.Admin.PostAsync("/v2/coupon/issue/multiple", Bytes(Broken("""{"seriesId":"1""", "\",\"customer\":{\"mobile\":\"1\"}}"), "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, issue.StatusCode);
        Assert.Equal(400, (await issue.Json()).ErrorCode());
    }

    [Fact]
    public async Task A_malformed_multipart_form_at_the_token_endpoint_gets_400()
    {
        var response = await app.CreateClient().PostAsync("/v2/oauth/token", Bytes("""{"key":"a","secret":"b"}"""u8.ToArray(), "multipart/form-data; boundary=x"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", (await response.Json())["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_null_profile_or_identifier_gets_400()
    {
        var org = await TestOrg.CreateAsync(app);
        foreach (var body in new[] { """{"profiles":[null]}""", """{"profiles":[{"firstName":"A","identifiers":[null]}]}""" })
        {
            var response = await org.Admin.PostAsync("/v2/customers", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_bill_amount_too_large_for_the_database_gets_733()
    {
        var org = await TestOrg.CreateAsync(app);
        var response = await org.Admin.PostAsync("/v2/coupon/bulk/redeem", new StringContent(
            """{"redemptionRequestList":[{"code":"ANY"}],"billAmount":100000000000000000000,"user":{"mobile":"1"}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(733, (await response.Json()).ErrorCode());
        var amend = await org.Admin.PutAsync("/v2/coupon/redeem", new StringContent(
            """{"redemptionId":1,"billAmount":100000000000000000000}""", Encoding.UTF8, "application/json"));
        Assert.Equal(733, (await amend.Json()).ErrorCode());
    }
}
