using Microsoft.OpenApi;

namespace Coupons.Server.V11;

/// <summary>
/// The request and answer bodies of the six v1.1 operations as OpenAPI schemas, one for JSON and XML alike (the two are
/// written from one tree, Formats/V11). They mirror what <see cref="V11Views"/> and <see cref="CouponApi"/> write: every
/// scalar is a string (absent values are empty strings), and an element that may repeat (coupon, item) is one object
/// when the answer holds one and an array (repeated elements in XML) when it holds several.
/// V11SchemaTests checks real answers against these, so the two cannot drift apart unseen.
/// </summary>
/// <summary>The v1.1 bodies of an endpoint: the names of its request schema (if it reads a body) and of its answer's.</summary>
public sealed record V11BodyMetadata(string? Request, string Response);

public static class V11Schemas
{
    public const string IssueRequest = "V11IssueRequest", IssueResponse = "V11IssueResponse", ResendResponse = "V11ResendResponse",
        RedeemRequest = "V11RedeemRequest", RedeemResponse = "V11RedeemResponse", GetResponse = "V11GetResponse",
        IsRedeemableResponse = "V11IsRedeemableResponse", SeriesResponse = "V11SeriesResponse";

    static OpenApiSchema S(string? description = null) => new() { Type = JsonSchemaType.String, Description = description };

    static OpenApiSchema Flag(string? description = null) =>
        new() { Type = JsonSchemaType.String, Enum = ["true", "false"], Description = description };

    static OpenApiSchema Obj(string xmlName, params (string Name, IOpenApiSchema Schema)[] properties) => new()
    {
        Type = JsonSchemaType.Object,
        Xml = new OpenApiXml { Name = xmlName },
        Properties = properties.ToDictionary(p => p.Name, p => p.Schema),
    };

    static OpenApiSchema OneOrMany(OpenApiSchema item) => new()
    {
        OneOf = [item, new OpenApiSchema { Type = JsonSchemaType.Array, Items = item }],
        Description = "One object, or an array when the request held several (XML: the element repeated).",
    };

    static OpenApiSchema Status(string flag) => Obj("status", (flag, Flag()), ("code", S()), ("message", S()));

    static OpenApiSchema ItemStatus(string flag = "success") => Obj("item_status", (flag, Flag()), ("code", S("A code of the v1.1 table (700 success, 7xx refusals)")), ("message", S()));

    static OpenApiSchema CustomerIn() => Obj("customer",
        ("mobile", S()), ("email", S()), ("external_id", S()), ("user_id", S("The customer's id")), ("id", S("The customer's id (as user_id)")));

    static OpenApiSchema CustomerOut() => Obj("customer",
        ("mobile", S()), ("email", S()), ("external_id", S()), ("user_id", S("Only when the query has user_id=true")));

    static OpenApiSchema SeriesInfo() => Obj("series_info",
        ("id", S("Issue answers only")), ("description", S()), ("discount_code", S()), ("valid_till", S("yyyy-MM-dd")),
        ("discount_type", S()), ("discount_value", S()), ("discount_on", S()), ("detailed_info", S()));

    static OpenApiSchema SeriesItem(string xmlName)
    {
        var names = new[]
        {
            "id", "description", "series_type", "campaign_name", "client_handling_type", "discount_code", "valid_till_date",
            "valid_days_from_create", "max_create", "max_redeem", "transferable", "transferrable", "any_user", "same_user_multiple_redeem",
            "allow_referral_existing_users", "multiple_use", "is_validation_required", "created_by", "created", "last_used", "series_code",
            "sms_template", "disable_sms", "info", "allow_multiple_vouchers_per_user", "do_not_resend_existing_voucher",
            "mutual_exclusive_series_ids", "store_ids_json", "dvs_enabled", "dvs_expiry_date", "priority", "short_sms_template",
            "max_vouchers_per_user", "min_days_between_vouchers", "max_referrals_per_referee", "discount_on", "discount_type",
            "discount_value", "dvs_items", "redemption_range", "min_bill_amount", "max_bill_amount", "redeem_at_store",
        };
        var item = Obj(xmlName, [.. names.Select(n => (n, (IOpenApiSchema)S()))]);
        item.Properties!["coupons"] = Obj("coupons", ("issued", S()), ("redeemed", S()));
        return item;
    }

    static OpenApiSchema Request(string name, OpenApiSchema coupon) => Obj("root", ("root", Obj("root", ("coupon", OneOrMany(coupon)))));

    static OpenApiSchema Response(string name, params (string Name, IOpenApiSchema Schema)[] resources) =>
        Obj("response", ("response", Obj("response", [("status", Status("success")), .. resources])));

    /// <summary>A refusal of the whole request: response → status.</summary>
    public const string Error = "V11Error";

    /// <summary>
    /// Every schema by name, built fresh for each document: the JSON form, an object holding the root element, and the
    /// XML form, the root element itself (its name + "Xml").
    /// </summary>
    public static IEnumerable<(string Name, OpenApiSchema Schema)> All() =>
        Trees().SelectMany(t => new[] { (t.Key, t.Value), (t.Key + "Xml", (OpenApiSchema)t.Value.Properties!.Values.Single()) });

    static Dictionary<string, OpenApiSchema> Trees() => new()
    {
        [Error] = Response(Error),
        [IssueRequest] = Request(IssueRequest, Obj("coupon", ("series_id", S("The series to issue from")), ("id", S("The series id, when series_id is absent")), ("customer", CustomerIn()))),
        [IssueResponse] = Response(IssueResponse, ("coupon", OneOrMany(Obj("coupon",
            ("code", S()), ("valid_till", S("yyyy-MM-dd")), ("id", S("The coupon's id, when issued")), ("series_info", SeriesInfo()),
            ("customer", CustomerOut()), ("item_status", ItemStatus()))))),
        [ResendResponse] = Response(ResendResponse, ("coupons", Obj("coupons", ("coupon", Obj("coupon", ("id", S()), ("code", S()), ("item_status", ItemStatus())))))),
        [RedeemRequest] = Request(RedeemRequest, Obj("coupon",
            ("code", S("The coupon's code (or id)")), ("id", S("The coupon's id, when code is absent")), ("validation_code", S()),
            ("customer", CustomerIn()), ("transaction", Obj("transaction", ("number", S()), ("amount", S("The bill amount, a decimal number")))),
            ("redemption_time", S("yyyy-MM-dd HH:mm:ss in the organisation's time zone")),
            ("custom_fields", Obj("custom_fields", ("field", OneOrMany(Obj("field", ("name", S()), ("value", S())))))))),
        [RedeemResponse] = Response(RedeemResponse, ("coupons", Obj("coupons", ("coupon", OneOrMany(Obj("coupon",
            ("code", S()), ("customer", CustomerOut()), ("transaction", Obj("transaction", ("number", S()), ("amount", S()))),
            ("discount_code", S()), ("series_code", S()), ("is_absolute", Flag()), ("coupon_value", S()),
            ("discount_amount", S("The discount for the bill amount, when one was given")),
            ("redemption_id", S("Present when redeemed: the id to reverse it with (v2)")),
            ("item_status", ItemStatus()))))))),
        [GetResponse] = Response(GetResponse, ("coupons", Obj("coupons", ("coupon", OneOrMany(Obj("coupon",
            ("code", S()), ("id", S()), ("valid_till", S("dd-MM-yyyy")), ("issued_on", S("yyyy-MM-dd HH:mm:ss")),
            ("customer", Obj("customer", ("user_id", S("Only when the query has user_id=true")), ("name", S()), ("mobile", S()), ("email", S()))),
            ("pincode", S()), ("issued_store", Obj("issued_store", ("code", S()), ("name", S()))), ("series_id", S()),
            ("is_absolute", Flag()), ("value", S()),
            ("redemption_info", Obj("redemption_info", ("redeemed", Flag()), ("redeemed_on", S()), ("redeemed_at", S()))),
            ("redeemed_by", Obj("redeemed_by", ("firstname", S()), ("lastname", S()), ("email", S()), ("mobile", S()))),
            ("store", Obj("store", ("code", S()), ("name", S()))),
            ("transaction", Obj("transaction", ("number", S()), ("id", S()))),
            ("item_status", ItemStatus("status")))))))),
        [IsRedeemableResponse] = Response(IsRedeemableResponse, ("coupons", Obj("coupons", ("redeemable", Obj("redeemable",
            ("mobile", S()), ("email", S()), ("external_id", S()), ("code", S()), ("is_redeemable", Flag()),
            ("discount_amount", S("The discount for bill_amount, when one was given")), ("item_status", ItemStatus("status")),
            ("series_info", SeriesInfo()), ("series_config", SeriesItem("series_config"))))))),
        [SeriesResponse] = Response(SeriesResponse, ("series", Obj("series", ("items", Obj("items", ("item", OneOrMany(WithItemStatus(SeriesItem("item"))))))))),
    };

    static OpenApiSchema WithItemStatus(OpenApiSchema item)
    {
        item.Properties!["item_status"] = ItemStatus();
        return item;
    }
}
