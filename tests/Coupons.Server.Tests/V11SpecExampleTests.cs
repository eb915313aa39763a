using System.Net;
using System.Net.Http.Json;
using System.Xml.Linq;

namespace Coupons.Server.Tests;

public sealed class V11SpecExampleTests_Sqlite(SqliteApp app) : V11SpecExampleTests<SqliteApp>(app);
public sealed class V11SpecExampleTests_Postgres(PostgresApp app) : V11SpecExampleTests<PostgresApp>(app);

/// <summary>
/// The spec's sample requests sent as written (ids the sample invents replaced by real ones), in JSON and XML;
/// each answer has the element names of the spec's sample response at its top levels. Also: refused bodies and logins.
/// </summary>
public abstract class V11SpecExampleTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    const string IssueJson = """
        {
          "root": {
            "coupon": {
              "series_id": "832",
              "customer": { "mobile": "447700900000" }
            }
          }
        }
        """;

    const string IssueXml = """
        <root>
            <coupon>
                <series_id>832</series_id>
                <customer>
                    <mobile>447700900000</mobile>
                    <email></email>
                    <external_id></external_id>
                </customer>
            </coupon>
        </root>

        """;

    const string RedeemJson = """
        {
          "root": {
            "coupon": {
              "code": "06000041",
              "validation_code": "XYZ123",
              "customer": { "mobile": "447700900000" },
              "custom_fields": {
                "field": {
                  "name": "Sport",
                  "value": "[“Soccer”]"
                }
              },
              "transaction": {
                "number": "bill-110",
                "amount": "1000"
              }
            }
          }
        }
        """;

    const string RedeemXml = """
        <root>
        <coupon>
        <code>06000041</code>
        <!-- validation_code needed only if the brand is using validation code based redemption, can be left out -->
        <validation_code>XYZ123</validation_code>
        <customer>
        <mobile>447700900000</mobile>
        <email></email>
        <external_id></external_id>
        </customer>
        <custom_fields>
        <!-- Optional, as Specified by the Brand -->
        <field>
            <name>Sport</name>
            <value>[“Soccer”]</value>
        </field>
        </custom_fields>
        <redemption_time></redemption_time>
        <transaction>
        <number>bill-110</number>
        <amount>1000</amount>
        </transaction>
        </coupon>
        </root>
        """;

    // The element names of the spec's sample responses.
    static readonly string[] StatusNames = ["success", "code", "message"];
    static readonly string[] IssueCouponNames = ["code", "valid_till", "series_info", "customer", "item_status"];
    static readonly string[] SeriesInfoNames = ["id", "description", "discount_code", "valid_till", "discount_type", "discount_value", "detailed_info"];
    static readonly string[] RedeemCouponNames = ["code", "customer", "transaction", "series_code", "is_absolute", "coupon_value", "item_status"];
    static readonly string[] GetCouponNames =
    [
        "code", "id", "valid_till", "issued_on", "customer", "pincode", "issued_store", "series_id", "is_absolute", "value",
        "redemption_info", "redeemed_by", "store", "transaction", "item_status",
    ];
    static readonly string[] RedeemableNames = ["mobile", "code", "is_redeemable", "item_status", "series_info"];
    static readonly string[] SeriesItemNames =
    [
        "id", "description", "series_type", "campaign_name", "client_handling_type", "discount_code", "valid_till_date",
        "valid_days_from_create", "max_create", "max_redeem", "any_user", "same_user_multiple_redeem",
        "allow_referral_existing_users", "multiple_use", "is_validation_required", "created_by", "created", "last_used",
        "series_code", "sms_template", "disable_sms", "info", "allow_multiple_vouchers_per_user", "do_not_resend_existing_voucher",
        "mutual_exclusive_series_ids", "store_ids_json", "dvs_enabled", "dvs_expiry_date", "priority", "short_sms_template",
        "max_vouchers_per_user", "min_days_between_vouchers", "max_referrals_per_referee", "discount_type", "discount_value",
        "redemption_range", "min_bill_amount", "max_bill_amount", "redeem_at_store", "coupons", "item_status",
    ];

    static void AssertNames(string[] expected, ISet<string> actual, string body) =>
        Assert.True(expected.All(actual.Contains), $"missing {string.Join(", ", expected.Where(n => !actual.Contains(n)))} in {body}");

    static void AssertExactly(string[] expected, ISet<string> actual, string body) =>
        Assert.True(actual.SetEquals(expected), $"expected exactly {string.Join(", ", expected)}; got {string.Join(", ", actual)} in {body}");

    /// <summary>Sends a sample request; asserts 200, the asked-for format, and the status element.</summary>
    static async Task<string> CallAsync(Task<HttpResponseMessage> request, bool xml)
    {
        var response = await request;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        Assert.Contains(xml ? "xml" : "json", response.Content.Headers.ContentType?.MediaType ?? "");
        AssertExactly(StatusNames, V11.NamesAt(body, xml, "response", "status"), body);
        return body;
    }

    [Theory]
    [InlineData("json")]
    [InlineData("xml")]
    public async Task The_resend_sample_names_the_coupon_by_id_alone(string format)
    {
        var xml = format == "xml";
        var org = await TestOrg.CreateAsync(app);
        await org.CustomerAsync(mobile: "447700900000");
        var till = await org.TillAsync();
        var code = await V11.IssuedCodeAsync(till, V11.Id(await org.SeriesAsync(new { smsTemplate = "Code {{voucher}}" })), "447700900000");
        var couponId = V11.Text((await V11.GetAsync(till, $"/v1.1/coupon/get?format=json&code={code}")).Item["id"]);

        // http://us.intouch.capillarytech.com/v1.1/coupon/resend?format=xml&id=13596576
        var resent = await CallAsync(till.GetAsync($"/v1.1/coupon/resend?format={format}&id={couponId}"), xml);
        AssertExactly(["status", "coupons"], V11.NamesAt(resent, xml, "response"), resent);
        AssertExactly(["coupon"], V11.NamesAt(resent, xml, "response", "coupons"), resent);
        AssertNames(["id", "item_status"], V11.NamesAt(resent, xml, "response", "coupons", "coupon"), resent);
        AssertExactly(StatusNames, V11.NamesAt(resent, xml, "response", "coupons", "coupon", "item_status"), resent);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("xml")]
    public async Task Every_sample_request_gets_an_answer_shaped_like_the_samples(string format)
    {
        var xml = format == "xml";
        var org = await TestOrg.CreateAsync(app);
        await org.CustomerAsync(mobile: "447700900000");
        var till = await org.TillAsync();
        var seriesId = V11.Id(await org.SeriesAsync(new { seriesType = "UPLOADED", discountCode = "XYZ123", description = "Sample description" }));
        var upload = await org.Admin.PostAsJsonAsync($"/v2/coupon/series/{seriesId}/codes", new[] { "06000041" });
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);

        Task<string> Call(Task<HttpResponseMessage> request) => CallAsync(request, xml);

        // Issue
        var issueBody = (xml ? IssueXml : IssueJson).Replace("832", seriesId.ToString());
        var issued = await Call(till.PostAsync($"/v1.1/coupon/issue?format={format}", xml ? V11.XmlBody(issueBody) : V11.JsonBody(issueBody)));
        AssertExactly(["status", "coupon"], V11.NamesAt(issued, xml, "response"), issued);
        AssertNames(IssueCouponNames, V11.NamesAt(issued, xml, "response", "coupon"), issued);
        AssertNames(SeriesInfoNames, V11.NamesAt(issued, xml, "response", "coupon", "series_info"), issued);
        AssertNames(["mobile"], V11.NamesAt(issued, xml, "response", "coupon", "customer"), issued);
        AssertExactly(StatusNames, V11.NamesAt(issued, xml, "response", "coupon", "item_status"), issued);
        Assert.Contains("06000041", issued);

        // Get: http://api.capillary.co.in/v1.1/coupon/get?code=06000041&format=xml
        var got = await Call(till.GetAsync($"/v1.1/coupon/get?code=06000041&format={format}"));
        AssertExactly(["status", "coupons"], V11.NamesAt(got, xml, "response"), got);
        AssertExactly(["coupon"], V11.NamesAt(got, xml, "response", "coupons"), got);
        AssertNames(GetCouponNames, V11.NamesAt(got, xml, "response", "coupons", "coupon"), got);
        AssertNames(["redeemed", "redeemed_on", "redeemed_at"], V11.NamesAt(got, xml, "response", "coupons", "coupon", "redemption_info"), got);
        AssertNames(["code", "name"], V11.NamesAt(got, xml, "response", "coupons", "coupon", "issued_store"), got);
        AssertExactly(["status", "code", "message"], V11.NamesAt(got, xml, "response", "coupons", "coupon", "item_status"), got);

        // Is redeemable: ?format=xml&details=true&code=06000041&mobile=447700900000
        var redeemable = await Call(till.GetAsync($"/v1.1/coupon/isredeemable?format={format}&details=true&code=06000041&mobile=447700900000"));
        AssertExactly(["status", "coupons"], V11.NamesAt(redeemable, xml, "response"), redeemable);
        AssertExactly(["redeemable"], V11.NamesAt(redeemable, xml, "response", "coupons"), redeemable);
        AssertNames(RedeemableNames, V11.NamesAt(redeemable, xml, "response", "coupons", "redeemable"), redeemable);
        AssertExactly(["status", "code", "message"], V11.NamesAt(redeemable, xml, "response", "coupons", "redeemable", "item_status"), redeemable);
        AssertNames(["description", "discount_code", "valid_till", "discount_type", "discount_value", "detailed_info"],
            V11.NamesAt(redeemable, xml, "response", "coupons", "redeemable", "series_info"), redeemable);

        // Series: ?format=json&id=2302
        var series = await Call(till.GetAsync($"/v1.1/coupon/series?format={format}&id={seriesId}"));
        AssertExactly(["status", "series"], V11.NamesAt(series, xml, "response"), series);
        AssertExactly(["items"], V11.NamesAt(series, xml, "response", "series"), series);
        AssertExactly(["item"], V11.NamesAt(series, xml, "response", "series", "items"), series);
        var item = V11.NamesAt(series, xml, "response", "series", "items", "item");
        AssertNames(SeriesItemNames, item, series);
        // The sample spells it "transferable" in JSON and "transferrable" in XML.
        Assert.Contains(xml ? "transferrable" : "transferable", item);
        AssertNames(["issued", "redeemed"], V11.NamesAt(series, xml, "response", "series", "items", "item", "coupons"), series);

        // Redeem
        var redeemed = await Call(till.PostAsync($"/v1.1/coupon/redeem?format={format}", xml ? V11.XmlBody(RedeemXml) : V11.JsonBody(RedeemJson)));
        AssertExactly(["status", "coupons"], V11.NamesAt(redeemed, xml, "response"), redeemed);
        AssertExactly(["coupon"], V11.NamesAt(redeemed, xml, "response", "coupons"), redeemed);
        AssertNames(RedeemCouponNames, V11.NamesAt(redeemed, xml, "response", "coupons", "coupon"), redeemed);
        AssertNames(["number", "amount"], V11.NamesAt(redeemed, xml, "response", "coupons", "coupon", "transaction"), redeemed);
        AssertExactly(StatusNames, V11.NamesAt(redeemed, xml, "response", "coupons", "coupon", "item_status"), redeemed);
    }

    [Theory]
    [InlineData("""<?xml version="1.0"?><!DOCTYPE root [<!ENTITY x SYSTEM "file:///etc/passwd">]><root><coupon><series_id>&x;</series_id><customer><mobile>447700900000</mobile></customer></coupon></root>""")]
    [InlineData("""<?xml version="1.0"?><!DOCTYPE root [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><root><coupon><series_id>&c;</series_id></coupon></root>""")]
    public async Task Xml_with_a_dtd_gets_400_in_the_v11_envelope_and_is_not_expanded(string body)
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        foreach (var path in new[] { "/v1.1/coupon/issue", "/v1.1/coupon/redeem" })
        {
            var json = await till.PostAsync($"{path}?format=json", V11.XmlBody(body));
            var text = await json.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
            var status = (await json.Json())["response"]!["status"]!;
            Assert.Equal("400", V11.Text(status["code"]));
            Assert.Equal("false", V11.Text(status["success"]));
            Assert.DoesNotContain("root:", text);
            Assert.DoesNotContain("aaaaaaaaaaaaaaaaaaaa", text);

            var xml = await till.PostAsync($"{path}?format=xml", V11.XmlBody(body));
            Assert.Equal(HttpStatusCode.BadRequest, xml.StatusCode);
            var doc = XDocument.Parse(await xml.Content.ReadAsStringAsync());
            Assert.Equal("response", doc.Root!.Name.LocalName);
            Assert.Equal("400", doc.Root.Element("status")!.Element("code")!.Value);
        }
    }

    [Fact]
    public async Task Malformed_bodies_get_400_in_the_v11_envelope()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        foreach (var (body, content) in new[] { ("{\"root\": ", "json"), ("[1,2]", "json"), ("<root><coupon>", "xml"), ("{\"root\":{}}", "json") })
        {
            var response = await till.PostAsync("/v1.1/coupon/issue?format=json", content == "xml" ? V11.XmlBody(body) : V11.JsonBody(body));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("400", V11.Text((await response.Json())["response"]!["status"]!["code"]));
        }
    }

    [Fact]
    public async Task A_wrong_password_gets_401_in_the_v11_envelope_as_json_and_as_xml()
    {
        var org = await TestOrg.CreateAsync(app);
        var wrong = app.Client(org.AdminTill, "not-the-password");

        var json = await wrong.PostAsync("/v1.1/coupon/issue?format=json", V11.JsonBody(IssueJson));
        Assert.Equal(HttpStatusCode.Unauthorized, json.StatusCode);
        var status = (await json.Json())["response"]!["status"]!;
        Assert.Equal("401", V11.Text(status["code"]));
        Assert.Equal("false", V11.Text(status["success"]));

        var xml = await wrong.GetAsync("/v1.1/coupon/series?format=xml");
        Assert.Equal(HttpStatusCode.Unauthorized, xml.StatusCode);
        Assert.Contains("xml", xml.Content.Headers.ContentType?.MediaType ?? "");
        var doc = XDocument.Parse(await xml.Content.ReadAsStringAsync());
        Assert.Equal("response", doc.Root!.Name.LocalName);
        Assert.Equal("401", doc.Root.Element("status")!.Element("code")!.Value);
        Assert.Equal("false", doc.Root.Element("status")!.Element("success")!.Value);

        var none = await app.CreateClient().GetAsync("/v1.1/coupon/get?format=json&code=X");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("401", V11.Text((await none.Json())["response"]!["status"]!["code"]));
    }
}
