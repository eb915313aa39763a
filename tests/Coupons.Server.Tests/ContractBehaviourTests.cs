using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace Coupons.Server.Tests;

public sealed class ContractBehaviourTests_Sqlite(SqliteApp app) : ContractBehaviourTests<SqliteApp>(app);
public sealed class ContractBehaviourTests_Postgres(PostgresApp app) : ContractBehaviourTests<PostgresApp>(app);

/// <summary>What a client generated from the document relies on: 201 and Location on creates, refusals whose body code
/// is their HTTP status, binding errors that name the field, credentials checked before the body.</summary>
public abstract class ContractBehaviourTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    [Fact]
    public async Task Creates_answer_201_and_the_Location_reads_what_was_created()
    {
        var org = await TestOrg.CreateAsync(app);
        var customer = await org.Admin.PostAsJsonAsync("/v2/customers",
            new { profiles = new[] { new { firstName = "Ada", lastName = "L", identifiers = new[] { new { type = "email", value = "ada@example.org" } } } } });
        Assert.Equal(HttpStatusCode.Created, customer.StatusCode);
        var id = (await customer.Json())["createdId"]!.GetValue<long>();
        Assert.Equal($"/v2/customers/{id}", customer.Headers.Location!.OriginalString);
        var read = await org.Admin.GetAsync(customer.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(id, (await read.Json())["id"]!.GetValue<long>());

        var series = await org.Admin.PostAsJsonAsync("/v2/coupon/series", new { seriesCode = "LOC-1", description = "x", discountValue = 1 });
        Assert.Equal(HttpStatusCode.Created, series.StatusCode);
        var seriesRead = await org.Admin.GetAsync(series.Headers.Location);
        Assert.Equal("LOC-1", (await seriesRead.Json())["seriesCode"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.Created, (await org.Admin.PostAsJsonAsync("/v2/stores", new { code = "loc", name = "Loc" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created,
            (await org.Admin.PostAsJsonAsync("/v2/webhooks", new { url = "https://example.org/h", events = new[] { "coupon.issued" } })).StatusCode);
    }

    [Theory]
    [InlineData("POST", "/v2/stores", """{"code":5,"name":"x"}""", "code must be a string")]
    [InlineData("POST", "/v2/coupon/issue/multiple", """{"seriesId":1,"count":"many","customer":{"mobile":"1"}}""", "count must be an integer")]
    [InlineData("POST", "/v2/coupon/bulk/redeem", """{"redemptionRequestList":{"code":"A"}}""", "redemptionRequestList must be an array")]
    [InlineData("PUT", "/v2/customers/1/status", """{"fraudStatus":"LOUD"}""", "fraudStatus must be one of NONE, MARKED, CONFIRMED")]
    [InlineData("GET", "/v2/coupon/series?offset=abc", null, "offset: 'abc' is not an integer")]
    [InlineData("POST", "/v2/stores", null, "the request needs a JSON body")]
    public async Task A_binding_error_names_the_field_and_the_reason(string method, string path, string? body, string expected)
    {
        var org = await TestOrg.CreateAsync(app);
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        else if (method != "GET") request.Content = new ByteArrayContent([]) { Headers = { { "Content-Type", "application/json" } } };
        var response = await org.Admin.SendAsync(request);
        var answer = await response.Json();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(400, answer.ErrorCode());
        Assert.Contains(expected, answer["errors"]![0]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Wrong_credentials_get_401_whatever_the_body()
    {
        var org = await TestOrg.CreateAsync(app);
        using var wrong = app.Client(org.AdminTill, "not-the-password");
        var malformed = await wrong.PostAsync("/v2/stores", new StringContent("{not json", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, malformed.StatusCode);
        var charset = new ByteArrayContent("{}"u8.ToArray());
        charset.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=no-such-charset");
        var unknownCharset = await wrong.PostAsync("/v2/stores", charset);
        Assert.Equal(HttpStatusCode.Unauthorized, unknownCharset.StatusCode);
        Assert.Equal(401, (await unknownCharset.Json()).ErrorCode());
        Assert.NotEmpty(unknownCharset.Headers.WwwAuthenticate);
        var wrongType = await wrong.PostAsync("/v2/coupon/bulk/redeem", new StringContent("""{"redemptionRequestList":5}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongType.StatusCode);
    }

    [Fact]
    public async Task The_body_code_of_a_405_or_a_415_is_its_status()
    {
        var org = await TestOrg.CreateAsync(app);
        var method = await org.Admin.DeleteAsync("/v2/stores");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, method.StatusCode);
        Assert.Equal(405, (await method.Json()).ErrorCode());
        var type = await org.Admin.PostAsync("/v2/stores", new StringContent("""{"code":"a","name":"b"}""", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, type.StatusCode);
        Assert.Equal(415, (await type.Json()).ErrorCode());
    }
}
