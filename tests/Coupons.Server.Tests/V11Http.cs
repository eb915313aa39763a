using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Coupons.Server.Tests;

/// <summary>A v1.1 answer as the tests read it: the HTTP status and the JSON body.</summary>
public sealed record V11Answer(HttpStatusCode Http, JsonNode Body)
{
    public JsonNode Response => Body["response"] ?? throw new InvalidOperationException($"no response element: {Body.ToJsonString()}");
    public JsonNode Status => Response["status"]!;

    /// <summary>response → coupon (issue); response → coupons → coupon (redeem, get, resend); response → coupons → redeemable.</summary>
    public JsonNode Item => V11.Single(Response["coupon"] ?? Response["coupons"]!["coupon"] ?? Response["coupons"]!["redeemable"]!);

    public int ItemCode => V11.Code(Item);

    public override string ToString() => $"{(int)Http}: {Body.ToJsonString()}";
}

/// <summary>Requests and readings shared by the v1.1 suites. Every scalar in a v1.1 body is a string.</summary>
public static class V11
{
    public static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");
    public static StringContent XmlBody(string xml) => new(xml, Encoding.UTF8, "application/xml");

    public static async Task<V11Answer> SendAsync(Task<HttpResponseMessage> request)
    {
        var response = await request;
        return new V11Answer(response.StatusCode, await response.Json());
    }

    public static Task<V11Answer> PostAsync(HttpClient client, string path, JsonNode body) =>
        SendAsync(client.PostAsync(path, JsonBody(body.ToJsonString())));

    public static Task<V11Answer> GetAsync(HttpClient client, string pathAndQuery) => SendAsync(client.GetAsync(pathAndQuery));

    public static JsonObject Customer(string? mobile = null, string? email = null, string? externalId = null)
    {
        var c = new JsonObject();
        if (mobile is not null) c["mobile"] = mobile;
        if (email is not null) c["email"] = email;
        if (externalId is not null) c["external_id"] = externalId;
        return c;
    }

    public static JsonObject Root(JsonNode coupon) => new() { ["root"] = new JsonObject { ["coupon"] = coupon } };

    public static Task<V11Answer> IssueAsync(HttpClient till, long seriesId, string mobile, string query = "format=json") =>
        PostAsync(till, $"/v1.1/coupon/issue?{query}",
            Root(new JsonObject { ["series_id"] = seriesId.ToString(), ["customer"] = Customer(mobile) }));

    /// <summary>Issues and asserts success; returns the coupon's code.</summary>
    public static async Task<string> IssuedCodeAsync(HttpClient till, long seriesId, string mobile)
    {
        var answer = await IssueAsync(till, seriesId, mobile);
        Assert.True(answer.Http == HttpStatusCode.OK && answer.ItemCode == 700, answer.ToString());
        var code = Text(answer.Item["code"]);
        Assert.False(string.IsNullOrEmpty(code), answer.ToString());
        return code;
    }

    /// <summary>A redemption; a transaction number is sent unless <paramref name="number"/> is "" (then the element is left out).</summary>
    public static Task<V11Answer> RedeemAsync(HttpClient till, string code, string mobile, string? validationCode = null,
        string? number = null, string? amount = null)
    {
        var coupon = new JsonObject { ["code"] = code, ["customer"] = Customer(mobile) };
        if (validationCode is not null) coupon["validation_code"] = validationCode;
        var transaction = new JsonObject();
        number ??= $"bill-{Guid.NewGuid():N}"[..13];
        if (number.Length > 0) transaction["number"] = number;
        if (amount is not null) transaction["amount"] = amount;
        coupon["transaction"] = transaction;
        return PostAsync(till, "/v1.1/coupon/redeem?format=json", Root(coupon));
    }

    public static string Text(JsonNode? node) => node?.GetValue<string>() ?? "";

    public static int Code(JsonNode item) => int.Parse(Text(item["item_status"]!["code"]));

    /// <summary>One item, or the first of a list (a repeated element is an array in JSON).</summary>
    public static JsonNode Single(JsonNode node) => node is JsonArray a ? a.Single()! : node;

    public static IReadOnlyList<JsonNode> List(JsonNode? node) => node switch
    {
        null => [],
        JsonArray a => a.Select(n => n!).ToList(),
        _ => [node],
    };

    /// <summary>The answer for one failed item: HTTP 500 with the overall status 500, and the item's code.</summary>
    public static void AssertRefused(V11Answer answer, int itemCode)
    {
        Assert.True(itemCode == answer.ItemCode, $"expected item code {itemCode}: {answer}");
        Assert.Equal(HttpStatusCode.InternalServerError, answer.Http);
        Assert.Equal("500", Text(answer.Status["code"]));
        Assert.Equal("false", Text(answer.Status["success"]));
        Assert.Equal("false", Text(answer.Item["item_status"]!["success"] ?? answer.Item["item_status"]!["status"]));
    }

    /// <summary>An issue that succeeded: HTTP 200, overall 200, item 700.</summary>
    public static void AssertIssued(V11Answer answer)
    {
        Assert.True(answer.Http == HttpStatusCode.OK && answer.ItemCode == 700, answer.ToString());
        Assert.Equal("200", Text(answer.Status["code"]));
        Assert.Equal("true", Text(answer.Item["item_status"]!["success"]));
    }

    /// <summary>A redemption that succeeded: HTTP 200, overall 200; the item's status as the spec's example gives it (success true, 200 SUCCESS).</summary>
    public static void AssertRedeemed(V11Answer answer)
    {
        Assert.True(answer.Http == HttpStatusCode.OK, answer.ToString());
        Assert.Equal("200", Text(answer.Status["code"]));
        Assert.Equal("true", Text(answer.Item["item_status"]!["success"]));
        Assert.Equal("200", Text(answer.Item["item_status"]!["code"]));
    }

    public static async Task SetCustomerStatusAsync(TestOrg org, long customerId, string fraudStatus = "NONE", bool blocked = false)
    {
        var response = await org.Admin.PutAsJsonAsync($"/v2/customers/{customerId}/status", new { fraudStatus, couponsBlocked = blocked });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static async Task<JsonNode> SeriesV2Async(TestOrg org, long seriesId) =>
        await (await org.Admin.GetAsync($"/v2/coupon/series/{seriesId}")).Json();

    public static long Id(JsonObject series) => series["id"]!.GetValue<long>();

    public static string Day(int daysFromToday) => DateTime.UtcNow.Date.AddDays(daysFromToday).ToString("yyyy-MM-dd") + "T00:00:00Z";

    /// <summary>The child element names of the node at <paramref name="path"/> in a JSON or XML body.</summary>
    public static ISet<string> NamesAt(string body, bool xml, params string[] path)
    {
        if (xml)
        {
            var element = XDocument.Parse(body).Root!;
            Assert.Equal(path[0], element.Name.LocalName);
            foreach (var name in path.Skip(1))
                element = element.Element(name) ?? throw new Xunit.Sdk.XunitException($"no <{name}> in {body}");
            return element.Elements().Select(e => e.Name.LocalName).ToHashSet();
        }
        var node = JsonNode.Parse(body)!;
        foreach (var name in path)
            node = Single(node[name] ?? throw new Xunit.Sdk.XunitException($"no \"{name}\" in {body}"));
        return node.AsObject().Select(p => p.Key).ToHashSet();
    }
}
