using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Coupons.Server.Tests;

public sealed class NulRefusalTests_Sqlite(SqliteApp app) : NulRefusalTests<SqliteApp>(app);
public sealed class NulRefusalTests_Postgres(PostgresApp app) : NulRefusalTests<PostgresApp>(app);

/// <summary>
/// A NUL character anywhere in a request's data is answered 400 in the API's envelope before any endpoint runs
/// (Formats/NulRefusal): PostgreSQL cannot store it, and a statement it refuses must never reach it (PostgresStore).
/// </summary>
public abstract class NulRefusalTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    static ByteArrayContent Bytes(byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    static async Task AssertV11RefusedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("NUL", text);
        if (response.Content.Headers.ContentType?.MediaType?.Contains("xml") == true)
            Assert.Contains("<code>400</code>", text);
        else
            Assert.Equal("400", JsonNode.Parse(text)!["response"]!["status"]!["code"]!.GetValue<string>());
    }

    static async Task AssertV2RefusedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Json();
        Assert.Equal(400, body.ErrorCode());
        Assert.Contains("NUL", body.ToJsonString());
    }

    [Fact]
    public async Task v11_refuses_a_NUL_in_a_JSON_escape_an_XML_character_reference_or_the_query()
    {
        var org = await TestOrg.CreateAsync(app);
        await AssertV11RefusedAsync(await org.Admin.PostAsync("/v1.1/coupon/redeem",
            V11.JsonBody("""{"root":{"coupon":{"code":"AB\u0000CD","customer":{"mobile":"447000000001"}}}}""")));
        await AssertV11RefusedAsync(await org.Admin.PostAsync("/v1.1/coupon/issue?format=xml",
            V11.XmlBody("<root><coupon><series_id>1</series_id><customer><mobile>44&#x0;7</mobile></customer></coupon></root>")));
        await AssertV11RefusedAsync(await org.Admin.GetAsync("/v1.1/coupon/get?code=AB%00CD"));
        await AssertV11RefusedAsync(await org.Admin.GetAsync("/v1.1/coupon/isredeemable?code=AB&mobile=44%00"));
    }

    [Fact]
    public async Task v2_refuses_a_NUL_in_the_body_or_the_query()
    {
        var org = await TestOrg.CreateAsync(app);
        await AssertV2RefusedAsync(await org.Admin.PostAsync("/v2/coupon/bulk/redeem", new StringContent(
            """{"redemptionRequestList":[{"code":"A\u0000"}],"user":{"mobile":"447000000001"}}""", Encoding.UTF8, "application/json")));
        await AssertV2RefusedAsync(await org.Admin.GetAsync("/v2/coupon/is_redeemable?code=AB%00CD&mobile=1"));
        // The same JSON in UTF-16: looked at as text, not as bytes.
        await AssertV2RefusedAsync(await org.Admin.PostAsync("/v2/stores",
            Bytes(Encoding.Unicode.GetBytes("""{"code":"a\u0000","name":"N"}"""), "application/json; charset=utf-16")));
    }

    [Fact]
    public async Task The_admin_API_refuses_a_NUL_in_a_JSON_body_or_an_uploaded_file_and_keeps_the_text_backslash_u0000()
    {
        var org = await TestOrg.CreateAsync(app);
        await AssertV2RefusedAsync(await org.Admin.PostAsync("/v2/customers", new StringContent(
            """{"profiles":[{"firstName":"A\u0000B","lastName":"L","identifiers":[{"type":"mobile","value":"700555"}]}]}""", Encoding.UTF8, "application/json")));
        var upload = (await org.SeriesAsync(new { seriesType = "UPLOADED" }))["id"]!.GetValue<long>();
        await AssertV2RefusedAsync(await org.Admin.PostAsync($"/v2/coupon/series/{upload}/codes", Bytes("code\nAB\0CD\n"u8.ToArray(), "text/csv")));

        // An escaped backslash followed by u0000 is six characters of text, not a NUL.
        var literal = await org.Admin.PostAsync("/v2/stores", new StringContent("""{"code":"st\\u0000x","name":"N"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, literal.StatusCode);
        Assert.Equal("st\\u0000x", (await literal.Json())["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_NUL_in_Basic_credentials_or_in_the_claims_of_a_bearer_token_is_refused_before_any_till_is_looked_up()
    {
        var basic = app.CreateClient();
        basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("gh\0st:pw"u8.ToArray()));
        await AssertV2RefusedAsync(await basic.GetAsync("/v2/stores"));

        static string Segment(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var bearer = app.CreateClient();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            $"{Segment("""{"alg":"HS256","typ":"JWT"}""")}.{Segment("""{"sub":"gh\u0000st"}""")}.c2ln");
        await AssertV11RefusedAsync(await bearer.GetAsync("/v1.1/coupon/get?code=A"));

        // Credentials that do not decode at all are simply not credentials.
        foreach (var (scheme, value) in new[] { ("Bearer", "x.@@@!.y"), ("Basic", "!!!not-base64") })
        {
            var client = app.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(scheme, value);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/v2/stores")).StatusCode);
        }
    }

    [Fact]
    public async Task The_console_refuses_a_NUL_in_a_form_field()
    {
        var browser = new ConsoleBrowser(app);
        var response = await browser.Http.PostAsync("/console/login",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["Till"] = "a\0b", ["Password"] = "x" }));
        await AssertV2RefusedAsync(response);
    }
}
