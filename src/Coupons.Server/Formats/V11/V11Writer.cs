using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Xml;

namespace Coupons.Server.Formats.V11;

public enum V11WireFormat { Json, Xml }

/// <summary>Writes one <see cref="V11Node"/> tree as v1.1 JSON or XML.</summary>
public static class V11Writer
{
    // Relaxed escaping keeps values such as "[“-1”]" readable; the body is served as application/json, never inlined in HTML.
    static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    static readonly XmlWriterSettings XmlSettings = new()
    {
        Encoding = new UTF8Encoding(false),
        OmitXmlDeclaration = true,
        ConformanceLevel = ConformanceLevel.Document,
        CloseOutput = false,
    };

    // XmlWriter would write encoding="utf-8"; the spec's documents say UTF-8.
    static readonly byte[] XmlDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"u8.ToArray();

    public static byte[] ToBytes(V11Node document, V11WireFormat format)
    {
        using var buffer = new MemoryStream();
        if (format == V11WireFormat.Xml)
            WriteXml(document, buffer);
        else
            WriteJson(document, buffer);
        return buffer.ToArray();
    }

    /// <summary>{"response": {...}}: scalars as strings, a repeated child name as an array, a single one as itself.</summary>
    public static void WriteJson(V11Node document, Stream output)
    {
        using var json = new Utf8JsonWriter(output, JsonOptions);
        json.WriteStartObject();
        WriteJsonMember(json, document.Name, [document]);
        json.WriteEndObject();
    }

    public static void WriteXml(V11Node document, Stream output)
    {
        output.Write(XmlDeclaration);
        using var xml = XmlWriter.Create(output, XmlSettings);
        WriteXmlElement(xml, document);
        xml.WriteEndDocument();
    }

    static void WriteJsonMember(Utf8JsonWriter json, string name, List<V11Node> sameName)
    {
        json.WritePropertyName(name);
        if (sameName.Count == 1)
        {
            WriteJsonValue(json, sameName[0]);
            return;
        }
        json.WriteStartArray();
        foreach (var node in sameName)
            WriteJsonValue(json, node);
        json.WriteEndArray();
    }

    static void WriteJsonValue(Utf8JsonWriter json, V11Node node)
    {
        if (node.IsScalar)
        {
            json.WriteStringValue(node.Scalar);
            return;
        }
        // Group by name in order of first appearance, so a list is one array wherever its items sit.
        var groups = new Dictionary<string, List<V11Node>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var child in node.Items)
        {
            if (!groups.TryGetValue(child.Name, out var list))
            {
                groups[child.Name] = list = [];
                order.Add(child.Name);
            }
            list.Add(child);
        }
        json.WriteStartObject();
        foreach (var name in order)
            WriteJsonMember(json, name, groups[name]);
        json.WriteEndObject();
    }

    static void WriteXmlElement(XmlWriter xml, V11Node node)
    {
        xml.WriteStartElement(XmlConvert.EncodeLocalName(node.Name));
        if (node.IsScalar)
            xml.WriteString(XmlSafe(node.Scalar!));
        else
            foreach (var child in node.Items)
                WriteXmlElement(xml, child);
        xml.WriteFullEndElement();
    }

    // A stored value may hold a control character XML 1.0 cannot carry; replace it rather than fail the response.
    static string XmlSafe(string value)
    {
        var firstBad = -1;
        for (var i = 0; i < value.Length; i++)
        {
            if (!IsXmlCharAt(value, i, out var width))
            {
                firstBad = i;
                break;
            }
            i += width - 1;
        }
        if (firstBad < 0)
            return value;

        var sb = new StringBuilder(value.Length);
        sb.Append(value, 0, firstBad);
        for (var i = firstBad; i < value.Length; i++)
        {
            if (IsXmlCharAt(value, i, out var width))
            {
                sb.Append(value, i, width);
                i += width - 1;
            }
            else
                sb.Append('\uFFFD');
        }
        return sb.ToString();
    }

    static bool IsXmlCharAt(string s, int i, out int width)
    {
        width = 1;
        if (XmlConvert.IsXmlChar(s[i]))
            return true;
        if (i + 1 < s.Length && XmlConvert.IsXmlSurrogatePair(s[i + 1], s[i]))
        {
            width = 2;
            return true;
        }
        return false;
    }
}
