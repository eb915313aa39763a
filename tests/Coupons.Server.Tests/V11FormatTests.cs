using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Coupons.Server.Formats.V11;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Coupons.Server.Tests;

public class V11FormatTests
{
    // The spec's "Issue Coupon" sample response, JSON form.
    const string IssueResponseJson = """
        {
          "response": {
            "status": { "success": "true", "code": "200", "message": "SUCCESS" },
            "coupon": {
              "code": "xqnq5m5u",
              "valid_till": "2016-12-25",
              "series_info": {
                "id": "832",
                "description": "Sample description",
                "discount_code": "XYZ123",
                "valid_till": "2012-12-31",
                "discount_type": "ABS",
                "discount_value": "0",
                "detailed_info": "Sample information"
              },
              "customer": { "mobile": "447700900000", "user_id": "4453654" },
              "item_status": { "success": "true", "code": "700", "message": "Coupon processing successful" }
            }
          }
        }
        """;

    const string IssueRequestJson = """
        {
          "root": {
            "coupon": {
              "series_id": "832",
              "customer": { "mobile": "447700900000" }
            }
          }
        }
        """;

    // As in the spec, with a comment and the indentation it carries.
    const string IssueRequestXml = """
        <root>
            <coupon>
                <!-- the series to issue from -->
                <series_id>
        832
                </series_id>
                <customer>
                    <mobile>447700900000</mobile>
                </customer>
            </coupon>
        </root>
        """;

    static V11Node IssueCoupon() =>
        V11Node.Obj("coupon")
            .Add("code", "xqnq5m5u")
            .Add("valid_till", new DateOnly(2016, 12, 25))
            .Add(V11Node.Obj("series_info")
                .Add("id", 832L)
                .Add("description", "Sample description")
                .Add("discount_code", "XYZ123")
                .Add("valid_till", "2012-12-31")
                .Add("discount_type", "ABS")
                .Add("discount_value", 0m)
                .Add("detailed_info", "Sample information"))
            .Add(V11Node.Obj("customer").Add("mobile", "447700900000").Add("user_id", 4453654))
            .Add(V11Result.StatusNode("item_status", true, 700, "Coupon processing successful"));

    static async Task<(string Body, HttpResponse Response)> Execute(IResult result, string? query = null, string? accept = null)
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        if (query is not null)
            context.Request.QueryString = new QueryString(query);
        if (accept is not null)
            context.Request.Headers.Accept = accept;
        await result.ExecuteAsync(context);
        return (Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()), context.Response);
    }

    static Task<V11Read> Read(string body, string? contentType) => Read(Encoding.UTF8.GetBytes(body), contentType);

    static Task<V11Read> Read(byte[] body, string? contentType)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentType = contentType;
        return V11Request.ReadAsync(context.Request);
    }

    [Fact]
    public async Task Issue_response_written_as_json_matches_the_spec_sample()
    {
        var (body, response) = await Execute(V11Result.Ok(IssueCoupon()));

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.ContentType);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(IssueResponseJson), JsonNode.Parse(body)), body);
    }

    [Fact]
    public async Task Issue_response_written_as_xml_has_the_same_structure()
    {
        var (body, response) = await Execute(V11Result.Ok(IssueCoupon()), query: "?format=xml");

        Assert.Equal("application/xml; charset=utf-8", response.ContentType);
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", body);
        var xml = XDocument.Parse(body).Root!;
        Assert.Equal("response", xml.Name.LocalName);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(IssueResponseJson)!["response"], ToJson(xml)), body);
    }

    [Fact]
    public async Task Xml_values_are_escaped()
    {
        var (body, _) = await Execute(V11Result.Ok(V11Node.Obj("coupon").Add("info", "a<b & \"c\"\u0001")), query: "?format=xml");

        Assert.Equal("a<b & \"c\"\uFFFD", XDocument.Parse(body).Root!.Element("coupon")!.Element("info")!.Value);
    }

    [Fact]
    public async Task Repeated_children_become_a_json_array_and_repeated_xml_elements()
    {
        var coupons = V11Node.Obj("coupons",
            V11Node.Obj("coupon").Add("id", 1),
            V11Node.Obj("coupon").Add("id", 2),
            V11Node.Obj("coupon").Add("id", 3));

        var (json, _) = await Execute(V11Result.Ok(coupons));
        var array = JsonNode.Parse(json)!["response"]!["coupons"]!["coupon"]!.AsArray();
        Assert.Equal(["1", "2", "3"], array.Select(c => c!["id"]!.GetValue<string>()));

        var (xml, _) = await Execute(V11Result.Ok(coupons), accept: "application/xml");
        var elements = XDocument.Parse(xml).Root!.Element("coupons")!.Elements("coupon");
        Assert.Equal(["1", "2", "3"], elements.Select(c => c.Element("id")!.Value));
    }

    [Fact]
    public async Task Scalars_are_strings_and_null_is_empty()
    {
        var node = V11Node.Obj("x")
            .Add("flag", false).Add("amount", 1234.50m).Add("when", new DateTimeOffset(2016, 8, 1, 15, 31, 44, TimeSpan.Zero))
            .Add("nothing", (string?)null).Add("none", (long?)null);

        var (body, _) = await Execute(V11Result.Ok(node));
        var x = JsonNode.Parse(body)!["response"]!["x"]!;

        Assert.Equal("false", x["flag"]!.GetValue<string>());
        Assert.Equal("1234.50", x["amount"]!.GetValue<string>());
        Assert.Equal("2016-08-01 15:31:44", x["when"]!.GetValue<string>());
        Assert.Equal("", x["nothing"]!.GetValue<string>());
        Assert.Equal("", x["none"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("?format=xml", null, null, V11WireFormat.Xml)]
    [InlineData("?format=XML", "application/json", null, V11WireFormat.Xml)]
    [InlineData("?format=json", "application/xml", "application/xml", V11WireFormat.Json)]
    [InlineData(null, "application/xml", null, V11WireFormat.Xml)]
    [InlineData(null, "text/xml", "application/json", V11WireFormat.Xml)]
    [InlineData(null, "application/json", "application/xml", V11WireFormat.Json)]
    [InlineData(null, "application/json;q=0.5, application/xml", null, V11WireFormat.Xml)]
    [InlineData(null, "*/*", "text/xml; charset=utf-8", V11WireFormat.Xml)]
    [InlineData(null, null, "application/xml", V11WireFormat.Xml)]
    [InlineData(null, null, "application/json", V11WireFormat.Json)]
    [InlineData(null, null, null, V11WireFormat.Json)]
    [InlineData("?format=yaml", null, null, V11WireFormat.Json)]
    public void Format_is_picked_from_query_then_accept_then_content_type(string? query, string? accept, string? contentType, V11WireFormat expected)
    {
        var context = new DefaultHttpContext();
        if (query is not null)
            context.Request.QueryString = new QueryString(query);
        if (accept is not null)
            context.Request.Headers.Accept = accept;
        context.Request.ContentType = contentType;

        Assert.Equal(expected, V11Format.Pick(context.Request));
    }

    [Fact]
    public async Task Issue_request_reads_the_same_from_json_and_xml()
    {
        var json = await Read(IssueRequestJson, "application/json");
        var xml = await Read(IssueRequestXml, "application/xml");

        Assert.True(json.Ok, json.Error);
        Assert.True(xml.Ok, xml.Error);
        Assert.Equal(V11WireFormat.Json, json.Format);
        Assert.Equal(V11WireFormat.Xml, xml.Format);
        foreach (var root in new[] { json.Root, xml.Root })
        {
            Assert.Equal("root", root.Name);
            var coupon = Assert.Single(root.Children("coupon"));
            Assert.Equal("832", coupon.Value("series_id"));
            Assert.Equal("447700900000", root.At("coupon", "customer")!.Value("mobile"));
        }
        Assert.Equal(json.Root.ToString(), xml.Root.ToString());
    }

    [Fact]
    public async Task Format_is_sniffed_when_the_content_type_says_nothing()
    {
        var xml = await Read("  \n" + IssueRequestXml, "text/plain");
        var json = await Read(IssueRequestJson, null);

        Assert.Equal(V11WireFormat.Xml, xml.Format);
        Assert.Equal("832", xml.Root?.At("coupon")?.Value("series_id"));
        Assert.Equal(V11WireFormat.Json, json.Format);
        Assert.Equal("832", json.Root?.At("coupon")?.Value("series_id"));
    }

    [Fact]
    public async Task Json_numbers_and_bools_read_as_strings()
    {
        var read = await Read("""{"root":{"coupon":{"series_id":832,"amount":1000.50,"flag":true,"none":null}}}""", "application/json");

        var coupon = read.Root!.Child("coupon")!;
        Assert.Equal("832", coupon.Value("series_id"));
        Assert.Equal("1000.50", coupon.Value("amount"));
        Assert.Equal("true", coupon.Value("flag"));
        Assert.Equal("", coupon.Value("none"));
        Assert.Null(coupon.Value("missing"));
    }

    [Fact]
    public async Task A_batch_reads_the_same_as_a_json_array_and_as_repeated_xml_elements()
    {
        var json = await Read("""{"root":{"coupon":[{"series_id":"1"},{"series_id":"2"}]}}""", "application/json");
        var xml = await Read("<root><coupon><series_id>1</series_id></coupon><coupon><series_id>2</series_id></coupon></root>", "application/xml");

        Assert.Equal(["1", "2"], json.Root!.Children("coupon").Select(c => c.Value("series_id")));
        Assert.Equal(["1", "2"], xml.Root!.Children("coupon").Select(c => c.Value("series_id")));
    }

    [Theory]
    [InlineData("<!DOCTYPE root [<!ENTITY a \"aaaa\">]><root>&a;</root>")]
    [InlineData("<?xml version=\"1.0\"?><!DOCTYPE root [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><root><coupon>&b;</coupon></root>")]
    [InlineData("<!DOCTYPE root SYSTEM \"file:///etc/passwd\"><root/>")]
    public async Task A_dtd_or_entity_is_refused_not_expanded(string body)
    {
        var read = await Read(body, "application/xml");

        Assert.False(read.Ok);
        Assert.Contains("DTD", read.Error);
    }

    [Theory]
    [InlineData("""{"root":{"coupon":{"series_id":"832"}""", "application/json")]
    [InlineData("""{"root":{"coupon":{"series_id":832,}}}""", "application/json")]
    [InlineData("""{"root":{}} trailing""", "application/json")]
    [InlineData("<root><coupon><series_id>832</coupon></root>", "application/xml")]
    [InlineData("<root><coupon>", "application/xml")]
    [InlineData("<root/><root/>", "application/xml")]
    public async Task Malformed_json_or_xml_is_refused_with_a_message(string body, string contentType)
    {
        var read = await Read(body, contentType);

        Assert.False(read.Ok);
        Assert.Contains("malformed", read.Error);
    }

    [Theory]
    [InlineData("", "application/json")]
    [InlineData("  \n ", "application/xml")]
    [InlineData("""{"coupon":{}}""", "application/json")]
    [InlineData("""{"root":"x"}""", "application/json")]
    [InlineData("""[{"root":{}}]""", "application/json")]
    [InlineData("<request><coupon/></request>", "application/xml")]
    public async Task A_missing_body_or_root_is_refused(string body, string contentType)
    {
        var read = await Read(body, contentType);

        Assert.False(read.Ok);
        Assert.False(string.IsNullOrWhiteSpace(read.Error));
        Assert.Null(read.Root);
    }

    [Fact]
    public async Task A_body_over_one_megabyte_is_refused_and_one_of_exactly_one_megabyte_is_read()
    {
        static byte[] Body(int size)
        {
            var head = Encoding.UTF8.GetBytes("""{"root":{"coupon":{"info":" """);
            var tail = Encoding.UTF8.GetBytes("\"}}}");
            var body = new byte[size];
            Array.Fill(body, (byte)'a');
            head.CopyTo(body, 0);
            tail.CopyTo(body, size - tail.Length);
            return body;
        }

        var over = await Read(Body(V11Request.MaxBodyBytes + 1), "application/json");
        var exact = await Read(Body(V11Request.MaxBodyBytes), "application/json");

        Assert.False(over.Ok);
        Assert.Contains("larger than 1 MB", over.Error);
        Assert.True(exact.Ok, exact.Error);
    }

    [Theory]
    [InlineData(new[] { true, true }, 200, "true")]
    [InlineData(new[] { true, false }, 201, "true")]
    [InlineData(new[] { false, false }, 500, "false")]
    public async Task Overall_status_follows_the_items(bool[] items, int expected, string success)
    {
        var result = V11Result.ForItems(items, V11Node.Obj("coupons"));
        var (body, response) = await Execute(result);
        var status = JsonNode.Parse(body)!["response"]!["status"]!;

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected.ToString(), status["code"]!.GetValue<string>());
        Assert.Equal(success, status["success"]!.GetValue<string>());
    }

    [Fact]
    public async Task Error_is_a_status_only_envelope()
    {
        var (body, response) = await Execute(V11Result.Error(401, 401, "Unauthorized"), query: "?format=xml");
        var root = XDocument.Parse(body).Root!;

        Assert.Equal(401, response.StatusCode);
        Assert.Equal(["status"], root.Elements().Select(e => e.Name.LocalName));
        Assert.Equal("false", root.Element("status")!.Element("success")!.Value);
        Assert.Equal("401", root.Element("status")!.Element("code")!.Value);
        Assert.Equal("Unauthorized", root.Element("status")!.Element("message")!.Value);
    }

    [Fact]
    public void Openapi_metadata_declares_both_content_types()
    {
        var builder = new RouteEndpointBuilder(_ => Task.CompletedTask, RoutePatternFactory.Parse("/x"), 0);
        V11Result.PopulateMetadata(typeof(V11FormatTests).GetMethod(nameof(Openapi_metadata_declares_both_content_types))!, builder);

        var produces = builder.Metadata.OfType<IProducesResponseTypeMetadata>().ToList();
        Assert.Equal([200, 201, 500], produces.Select(p => p.StatusCode));
        Assert.All(produces, p => Assert.Equal(["application/json", "application/xml"], p.ContentTypes));
    }

    // Element-only XML to the JSON shape the writer uses: a repeated name becomes an array, text a string.
    static JsonNode ToJson(XElement element)
    {
        if (!element.HasElements)
            return JsonValue.Create(element.Value);
        var obj = new JsonObject();
        foreach (var group in element.Elements().GroupBy(e => e.Name.LocalName))
            obj[group.Key] = group.Count() == 1
                ? ToJson(group.Single())
                : new JsonArray([.. group.Select(ToJson)]);
        return obj;
    }
}
