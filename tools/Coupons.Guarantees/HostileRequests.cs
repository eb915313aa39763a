using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Coupons.Guarantees;

/// <summary>One generated request and what it belongs to.</summary>
public sealed record HostileRequest(string Endpoint, string Category, HttpMethod Method, string Path, byte[]? Body, string? ContentType,
    bool V11, bool Anonymous, Dictionary<string, string> Headers, int? ExpectStatus = null);

/// <summary>An endpoint of the service: how a valid request to it looks, so that it can be broken in every way.</summary>
public sealed record Endpoint(string Name, HttpMethod Method, string Path, Func<JsonObject>? Body = null, Dictionary<string, string>? Query = null,
    bool V11 = false, bool Csv = false)
{
    public bool HasBody => Body is not null || Csv;
}

/// <summary>
/// A seeded, reproducible generator of hostile requests over every endpoint: malformed and truncated JSON and XML, DTD
/// and entity bombs, wrong types, huge and negative numbers, counts of 0 and 10^9, 10 MB bodies, control and
/// non-ASCII characters in codes and identifiers, SQL metacharacters, deep nesting, wrong content types, bad credentials.
/// </summary>
public sealed class HostileRequests(IReadOnlyList<Endpoint> endpoints, int seed)
{
    public const int HugeBodyBytes = 10 * 1024 * 1024;

    readonly Random rng = new(seed);

    public static readonly string[] Categories =
    [
        "valid", "truncated", "malformed", "wrong-type", "numbers", "strings", "nesting", "content-type", "empty", "credentials",
        "xml-dtd", "xml-malformed", "hostile-path", "query",
    ];

    static readonly string[] HostileStrings =
    [
        "' OR '1'='1", "'; DROP TABLE coupons; --", "\" OR \"\"=\"", "1; DELETE FROM redemptions", "%", "_", "\\", "\\'", "' UNION SELECT password_hash FROM tills --",
        "\u0000", "A\u0000B", "\u0001\u0002\u0003\u001f\u007f", "\r\n\r\nX-Injected: 1", "\t", "\u200b\u200e\u202e", "ÄÖÜßé", "ＡＢＣ１２３", "😀🎉", "\ud83d",
        "שלום", "مرحبا", "中文优惠券", "${jndi:ldap://x}", "<script>alert(1)</script>", "../../etc/passwd", "%00", "%s%s%s%n", "null", "undefined",
        "", " ", new string('A', 10_000), new string('9', 400), "-1", "0", "1e309", "NaN", "true", "[]", "{}",
    ];

    static readonly string[] HostileNumbers =
    [
        "0", "-1", "-0", "1000000000", "-1000000000", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
        "-9223372036854775809", "1e309", "-1e309", "1e-400", "1.5", "0.0000001", "1E9", "100000000000000000000000000000000000000", "0x10", "01",
    ];

    public IEnumerable<HostileRequest> Generate(int count, int hugeBodies)
    {
        // 10 MB bodies are spread evenly, one per body endpoint in turn.
        var bodyEndpoints = endpoints.Where(e => e.HasBody).ToList();
        var hugeEvery = hugeBodies == 0 ? int.MaxValue : Math.Max(1, count / hugeBodies);
        var huge = 0;
        for (var i = 0; i < count; i++)
        {
            if (i % hugeEvery == hugeEvery - 1 && huge < hugeBodies)
            {
                yield return Huge(bodyEndpoints[huge++ % bodyEndpoints.Count]);
                continue;
            }
            var e = endpoints[rng.Next(endpoints.Count)];
            yield return One(e, Categories[rng.Next(Categories.Length)]);
        }
    }

    HostileRequest Huge(Endpoint e)
    {
        var body = new byte[HugeBodyBytes];
        var pattern = e.V11 && rng.Next(2) == 0 ? "<root><coupon><code>AAAA</code></coupon></root>"u8.ToArray() : "{\"root\":[1,2,3,\"xxxxxxxx\"],"u8.ToArray();
        for (var i = 0; i < body.Length; i++) body[i] = pattern[i % pattern.Length];
        return Request(e, "10MB-body", body, e.V11 && body[0] == '<' ? "application/xml" : "application/json", expect: 413);
    }

    HostileRequest One(Endpoint e, string category)
    {
        switch (category)
        {
            case "credentials":
                var auth = Pick(["Basic", "Basic !!!notbase64", "Basic " + B64("nocolon"), "Basic " + B64("ghost-till:whatever"),
                    "Basic " + B64("'; DROP TABLE tills; --:x"), "Basic " + B64("\u0000:\u0000"), "Bearer ", "Bearer a.b.c", "Bearer " + new string('x', 5000),
                    "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJib290LWFkbWluIn0.", "Digest x", ""]);
                return Request(e, category, ValidBody(e), e.Csv ? "text/csv" : "application/json", anonymous: true,
                    headers: auth.Length == 0 ? [] : new() { ["Authorization"] = auth });
            case "hostile-path":
                return Request(e, category, ValidBody(e), e.Csv ? "text/csv" : "application/json", path: HostilePath(e.Path));
            case "query":
                return Request(e, category, ValidBody(e), e.Csv ? "text/csv" : "application/json", path: WithQuery(e, hostile: true));
        }
        if (!e.HasBody)
        {
            // A GET: its query is what can be hostile; a body it does not expect is sent too now and then.
            var junk = category is "malformed" or "nesting" ? Encoding.UTF8.GetBytes("{\"x\":" + new string('[', 5000)) : null;
            return Request(e, category, junk, junk is null ? null : "application/json", path: WithQuery(e, hostile: category != "valid"));
        }
        var xml = e.V11 && rng.Next(3) == 0;
        switch (category)
        {
            case "valid":
                return xml ? Request(e, category, Encoding.UTF8.GetBytes(ToXml(e.Body!())), "application/xml")
                    : Request(e, category, ValidBody(e), e.Csv ? "text/csv" : "application/json");
            case "truncated":
                var full = xml ? Encoding.UTF8.GetBytes(ToXml(e.Body!())) : ValidBody(e);
                return Request(e, category, full[..rng.Next(Math.Max(1, full.Length))], xml ? "application/xml" : "application/json");
            case "malformed":
                return Request(e, category, Malformed(xml ? Encoding.UTF8.GetBytes(ToXml(e.Body!())) : ValidBody(e)), xml ? "application/xml" : "application/json");
            case "wrong-type":
                return Request(e, category, Json(Mutate(e, WrongType)), "application/json");
            case "numbers":
                // Written as raw tokens, since 01, 0x10 or 1e309 are no JSON numbers a JsonNode can hold.
                var text = Encoding.UTF8.GetString(Json(Mutate(e, _ => JsonValue.Create(NumberMark))));
                while (text.Contains(NumberMark)) text = new System.Text.RegularExpressions.Regex($"\"{NumberMark}\"").Replace(text, Pick(HostileNumbers), 1);
                return Request(e, category, Encoding.UTF8.GetBytes(text), "application/json");
            case "strings":
                var s = Mutate(e, _ => JsonValue.Create(Pick(HostileStrings)));
                return xml ? Request(e, category, Encoding.UTF8.GetBytes(ToXml(s)), "application/xml") : Request(e, category, Json(s), "application/json");
            case "nesting":
                var depth = rng.Next(2) == 0 ? 100 : 20_000;
                return xml
                    ? Request(e, category, Encoding.UTF8.GetBytes("<root>" + string.Concat(Enumerable.Repeat("<a>", depth)) + string.Concat(Enumerable.Repeat("</a>", depth)) + "</root>"), "application/xml")
                    : Request(e, category, Encoding.UTF8.GetBytes(new string('[', depth) + new string(']', depth)), "application/json");
            case "content-type":
                var ct = Pick(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/json; charset=utf-16",
                    "image/png", "application/json; charset=x-no-such", ";;;", "application/vnd.api+json", "text/xml"]);
                var bodyBytes = ct.Contains("xml") && e.V11 ? Encoding.UTF8.GetBytes(ToXml(e.Body!())) : ValidBody(e);
                return Request(e, category, bodyBytes, ct);
            case "empty":
                return Request(e, category, rng.Next(2) == 0 ? [] : Encoding.UTF8.GetBytes(Pick(["null", "0", "\"\"", "[]", "true", " ", "\uFEFF", "{}"])), "application/json");
            case "xml-dtd":
                return Request(e, category, Encoding.UTF8.GetBytes(Pick(XmlBombs)), "application/xml");
            case "xml-malformed":
                return Request(e, category, Encoding.UTF8.GetBytes(Pick(XmlMalformed)), Pick(["application/xml", "text/xml", "application/json"]));
        }
        throw new InvalidOperationException(category);
    }

    const string NumberMark = "@@number@@";

    static readonly string[] XmlBombs =
    [
        """<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]><root><coupon><code>&lol9;</code></coupon></root>""",
        """<?xml version="1.0"?><!DOCTYPE root [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><root><coupon><code>&xxe;</code></coupon></root>""",
        """<?xml version="1.0"?><!DOCTYPE root [<!ENTITY % remote SYSTEM "http://127.0.0.1:1/evil.dtd">%remote;]><root/>""",
        """<?xml version="1.0"?><!DOCTYPE root SYSTEM "http://127.0.0.1:1/x.dtd"><root><coupon><code>A</code></coupon></root>""",
        """<!DOCTYPE root [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">]><root><coupon><code>&a;&a;&a;&a;&a;&a;</code></coupon></root>""",
        """<?xml version="1.0"?><!DOCTYPE q [<!ELEMENT q ANY>]><root/>""",
    ];

    static readonly string[] XmlMalformed =
    [
        "<root>", "<root><coupon><code>A</code></coupon>", "<root><coupon><code>A</coupon></code></root>", "<?xml version=\"1.0\"?>", "<", "<<<>>>",
        "<root><coupon code=\"x\" code=\"y\"/></root>", "<root>&undefined;</root>", "<root><coupon><code>\u0001\u0002</code></coupon></root>",
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?><root/>", "<?xml version=\"1.0\" encoding=\"no-such\"?><root/>", "<response><status/></response>",
        "<root><![CDATA[ ]]><coupon><code><![CDATA[' OR 1=1 --]]></code></coupon></root>", "<root xmlns:x=\"urn:x\"><x:coupon><x:code>A</x:code></x:coupon></root>",
        "<root><coupon><code>A</code></coupon></root><root/>", "<root><coupon><series_id>99999999999999999999999</series_id></coupon></root>",
        "<?xml-stylesheet href=\"http://127.0.0.1:1/x.xsl\"?><root/>", "\uFEFF\uFEFF<root/>", "<root/>garbage",
    ];

    HostileRequest Request(Endpoint e, string category, byte[]? body, string? contentType, bool anonymous = false,
        Dictionary<string, string>? headers = null, string? path = null, int? expect = null)
    {
        headers ??= [];
        if (e.V11 && rng.Next(3) == 0) headers["Accept"] = Pick(["application/xml", "text/xml", "application/json", "*/*", "application/xml;q=0", "garbage/;;"]);
        var method = e.Method;
        if (category == "valid" && rng.Next(20) == 0) method = Pick([HttpMethod.Delete, HttpMethod.Patch, HttpMethod.Options]);
        return new HostileRequest(e.Name, category, method, path ?? WithQuery(e, hostile: false), e.Method == HttpMethod.Get && body is null ? null : body,
            contentType, e.V11, anonymous, headers, expect);
    }

    byte[] ValidBody(Endpoint e) => e.Csv ? Encoding.UTF8.GetBytes("code\n" + string.Join("\n", Enumerable.Range(0, rng.Next(1, 20)).Select(_ => Pick(HostileStrings).Replace("\n", "") + rng.Next())))
        : e.Body is null ? [] : Json(e.Body());

    static byte[] Json(JsonNode n) => Encoding.UTF8.GetBytes(n.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));

    static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    T Pick<T>(IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    /// <summary>The valid body with one value (at any depth) replaced by what <paramref name="replace"/> makes of it.</summary>
    JsonNode Mutate(Endpoint e, Func<JsonNode?, JsonNode?> replace)
    {
        if (e.Csv) return JsonValue.Create(Pick(HostileStrings))!;
        var root = e.Body!();
        var slots = new List<(JsonNode Parent, object Key)>();
        void Walk(JsonNode? n)
        {
            switch (n)
            {
                case JsonObject o:
                    foreach (var (k, v) in o.ToList()) { slots.Add((o, k)); Walk(v); }
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++) { slots.Add((a, i)); Walk(a[i]); }
                    break;
            }
        }
        Walk(root);
        if (slots.Count == 0) return root;
        for (var times = 1 + rng.Next(2); times > 0; times--)
        {
            var (parent, key) = slots[rng.Next(slots.Count)];
            if (parent is JsonObject o && key is string k) o[k] = replace(o[k])?.DeepClone();
            else if (parent is JsonArray a && key is int i && i < a.Count) a[i] = replace(a[i])?.DeepClone();
        }
        return root;
    }

    JsonNode? WrongType(JsonNode? current) => current switch
    {
        JsonObject => Pick<JsonNode?>([JsonValue.Create("obj"), new JsonArray(1, 2), null, JsonValue.Create(7)]),
        JsonArray => Pick<JsonNode?>([new JsonObject { ["a"] = 1 }, JsonValue.Create("list"), null, JsonValue.Create(false)]),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => Pick<JsonNode?>([JsonValue.Create(123), new JsonObject(), new JsonArray("x"), null, JsonValue.Create(true)]),
        _ => Pick<JsonNode?>([JsonValue.Create("12abc"), new JsonObject { ["$gt"] = "" }, new JsonArray(), null, JsonValue.Create(true), JsonValue.Create("")]),
    };

    byte[] Malformed(byte[] valid)
    {
        var b = valid.ToList();
        switch (rng.Next(6))
        {
            case 0: if (b.Count > 0) b[rng.Next(b.Count)] = (byte)rng.Next(256); break;
            case 1: b.InsertRange(rng.Next(b.Count + 1), Encoding.UTF8.GetBytes(Pick([",", "}", "]", "\"", ":", "{{", "<", "&", "\\u00"]))); break;
            case 2: b.AddRange(Encoding.UTF8.GetBytes(Pick(["}", "garbage", "{\"x\":1}", "\u0000"]))); break;
            case 3: b.InsertRange(rng.Next(b.Count + 1), [0xC3, 0x28, 0xFF, 0xFE, 0xED, 0xA0, 0x80]); break; // invalid UTF-8
            case 4: return Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(valid)); // UTF-16 where UTF-8 is expected
            default: if (b.Count > 2) b.RemoveAt(rng.Next(b.Count)); break;
        }
        return b.ToArray();
    }

    /// <summary>A v1.1 JSON body ({"root":{…}}) written as the XML document the spec shows.</summary>
    static string ToXml(JsonNode body)
    {
        var s = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        void Write(string name, JsonNode? n)
        {
            switch (n)
            {
                case JsonArray a: foreach (var item in a) Write(name, item); return;
                case JsonObject o:
                    s.Append('<').Append(name).Append('>');
                    foreach (var (k, v) in o) Write(k, v);
                    s.Append("</").Append(name).Append('>');
                    return;
                default:
                    s.Append('<').Append(name).Append('>').Append(System.Security.SecurityElement.Escape(n?.ToString() ?? "")).Append("</").Append(name).Append('>');
                    return;
            }
        }
        var root = body is JsonObject o && o["root"] is { } r ? r : body;
        Write("root", root);
        return s.ToString();
    }

    string HostilePath(string path)
    {
        var ids = Pick(["0", "-1", "9223372036854775808", "99999999999999999999", "abc", "%00", "1%27%20OR%201=1", "%E2%80%AE", "..%2F..%2Fetc", "1.5", "%20", "１２３"]);
        var replaced = System.Text.RegularExpressions.Regex.Replace(path, @"/\d+(/|$)", $"/{ids}$1");
        return replaced == path ? path + "/" + ids : replaced;
    }

    string WithQuery(Endpoint e, bool hostile)
    {
        var q = new Dictionary<string, string>(e.Query ?? []);
        if (hostile)
        {
            var keys = q.Keys.ToList();
            if (keys.Count == 0 || rng.Next(4) == 0) q[Pick(["code", "id", "mobile", "format", "details", "limit", "offset", "identifierName", "expired", "coupon_code_case"])] = "";
            keys = q.Keys.ToList();
            var key = keys[rng.Next(keys.Count)];
            q[key] = rng.Next(3) == 0 ? Pick(HostileNumbers) : Pick(HostileStrings);
            if (rng.Next(10) == 0) q[key] = string.Join(",", Enumerable.Range(0, 500).Select(i => $"C{i}"));
        }
        if (q.Count == 0) return e.Path;
        // Lone surrogates cannot be percent-encoded as UTF-8: they go as raw bytes the server must refuse or ignore.
        return e.Path + "?" + string.Join("&", q.Select(kv => $"{Uri.EscapeDataString(kv.Key)}={Escape(kv.Value)}"));
    }

    static string Escape(string s)
    {
        try
        {
            return Uri.EscapeDataString(s);
        }
        catch (UriFormatException)
        {
            return "%ED%A0%BD";
        }
    }
}
