using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Xml;

namespace Coupons.Server.Formats.V11;

/// <summary>A read request body: the <c>root</c> element, or why it could not be read (and the HTTP status that says so).</summary>
public sealed record V11Read(V11Node? Root, string? Error, V11WireFormat Format, int HttpStatus = StatusCodes.Status400BadRequest)
{
    [MemberNotNullWhen(true, nameof(Root))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Ok => Root is not null;
}

/// <summary>Reads a v1.1 request body, JSON or XML, into the same <see cref="V11Node"/> tree.</summary>
public static class V11Request
{
    public const int MaxBodyBytes = 1024 * 1024;
    const int MaxDepth = 64;

    static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = MaxDepth };

    static readonly XmlReaderSettings XmlSettings = new()
    {
        // A DOCTYPE is refused outright, so no entity is ever expanded and nothing is fetched.
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = MaxBodyBytes,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = false,
    };

    public static async Task<V11Read> ReadAsync(HttpRequest request)
    {
        var format = IsXmlContentType(request.ContentType) ? V11WireFormat.Xml : V11WireFormat.Json;
        if (request.ContentLength > MaxBodyBytes)
            return TooLarge(format);

        byte[] body;
        try
        {
            body = await ReadLimitedAsync(request.Body, request.HttpContext.RequestAborted);
        }
        catch (BadHttpRequestException e)
        {
            return e.StatusCode == StatusCodes.Status413PayloadTooLarge ? TooLarge(format) : Fail($"The request body could not be read: {e.Message}", format);
        }
        if (body.Length > MaxBodyBytes)
            return TooLarge(format);

        return Parse(body, request.ContentType);
    }

    /// <summary>Content-Type decides (xml → XML, json → JSON); otherwise a body starting with '&lt;' is XML.</summary>
    public static V11Read Parse(ReadOnlySpan<byte> body, string? contentType)
    {
        if (body.StartsWith("\uFEFF"u8))
            body = body[3..];
        var start = 0;
        while (start < body.Length && body[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            start++;

        var format = IsXmlContentType(contentType) ? V11WireFormat.Xml
            : V11Format.IsJson(contentType) ? V11WireFormat.Json
            : start < body.Length && body[start] == '<' ? V11WireFormat.Xml
            : V11WireFormat.Json;

        if (start == body.Length)
            return Fail("The request body is empty.", format);

        return format == V11WireFormat.Xml ? ParseXml(body, format) : ParseJson(body[start..], format);
    }

    static V11Read TooLarge(V11WireFormat format) =>
        new(null, $"The request body is larger than {MaxBodyBytes / 1024 / 1024} MB.", format, StatusCodes.Status413PayloadTooLarge);

    static bool IsXmlContentType(string? contentType) => V11Format.IsXml(contentType);

    static V11Read Fail(string error, V11WireFormat format) => new(null, error, format);

    // Reads at most one byte past the limit, so an oversized body is known without buffering all of it.
    static async Task<byte[]> ReadLimitedAsync(Stream body, CancellationToken cancel)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (buffer.Length <= MaxBodyBytes)
        {
            var wanted = (int)Math.Min(chunk.Length, MaxBodyBytes + 1 - buffer.Length);
            var read = await body.ReadAsync(chunk.AsMemory(0, wanted), cancel);
            if (read == 0)
                break;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    static V11Read ParseJson(ReadOnlySpan<byte> body, V11WireFormat format)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = JsonOptions.MaxDepth });
            document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
                return Fail("The JSON body has content after its end.", format);
        }
        catch (JsonException e)
        {
            return Fail($"The JSON body is malformed: {e.Message}", format);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("root", out var root))
                return Fail("The JSON body must be an object with a \"root\" member.", format);
            if (root.ValueKind != JsonValueKind.Object)
                return Fail("\"root\" must be an object.", format);
            var node = V11Node.Obj("root");
            AddJsonMembers(node, root);
            return new V11Read(node, null, format);
        }
    }

    static void AddJsonMembers(V11Node parent, JsonElement obj)
    {
        foreach (var member in obj.EnumerateObject())
            AddJsonValue(parent, member.Name, member.Value);
    }

    // An array becomes repeated children of the array's name, exactly as XML writes a list.
    static void AddJsonValue(V11Node parent, string name, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var child = V11Node.Obj(name);
                AddJsonMembers(child, value);
                parent.Add(child);
                break;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                    AddJsonValue(parent, name, item);
                break;
            case JsonValueKind.String:
                parent.Add(name, value.GetString()!.Trim());
                break;
            case JsonValueKind.Null:
                parent.Add(name, "");
                break;
            default:
                // Numbers keep their written form ("1000.50" stays "1000.50"); true/false as text.
                parent.Add(name, value.GetRawText());
                break;
        }
    }

    static V11Read ParseXml(ReadOnlySpan<byte> body, V11WireFormat format)
    {
        try
        {
            using var stream = new MemoryStream(body.ToArray(), writable: false);
            using var reader = XmlReader.Create(stream, XmlSettings);
            if (reader.MoveToContent() != XmlNodeType.Element)
                return Fail("The XML body has no root element.", format);
            if (reader.LocalName != "root")
                return Fail($"The XML root element must be <root>, not <{reader.LocalName}>.", format);
            var root = ReadXmlElement(reader, 0);
            if (root is null)
                return Fail("The XML body is nested too deeply.", format);
            while (reader.Read())
            {
                // Only comments, whitespace and processing instructions may follow the root; the reader refuses anything else.
            }
            return new V11Read(root.IsScalar ? V11Node.Obj("root") : root, null, format);
        }
        catch (XmlException e)
        {
            return Fail($"The XML body is malformed or not allowed: {e.Message}", format);
        }
    }

    // Positioned on a start element; returns positioned on its end. Null when nested beyond MaxDepth.
    static V11Node? ReadXmlElement(XmlReader reader, int depth)
    {
        if (depth > MaxDepth)
            return null;
        var name = reader.LocalName;
        if (reader.IsEmptyElement)
            return V11Node.Leaf(name, "");

        List<V11Node>? children = null;
        var text = new System.Text.StringBuilder();
        while (reader.Read())
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    var child = ReadXmlElement(reader, depth + 1);
                    if (child is null)
                        return null;
                    (children ??= []).Add(child);
                    break;
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                    text.Append(reader.Value);
                    break;
                case XmlNodeType.EndElement:
                    // Stray text beside child elements (mixed content) carries no field and is dropped.
                    return children is null ? V11Node.Leaf(name, text.ToString().Trim()) : V11Node.Obj(name, children);
            }
        }
        throw new XmlException($"Unexpected end of document inside <{name}>.");
    }
}
