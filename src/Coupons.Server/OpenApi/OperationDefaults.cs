using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Coupons.Server.OpenApi;

/// <summary>
/// What every operation shares and the endpoint metadata cannot say by itself: its security (Basic or Bearer, when it
/// needs a till), the headers of the machinery around it (Idempotency-Key and Idempotent-Replayed on POST, Retry-After
/// with 429 and with the 409 of a key still running, WWW-Authenticate with 401), and the query parameters v1.1 reads by hand.
/// </summary>
static class OperationDefaults
{
    public static async Task ApplyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var document = context.Document!;
        var needsTill = metadata.OfType<IAuthorizeData>().Any();
        var isPost = string.Equals(context.Description.HttpMethod, "POST", StringComparison.OrdinalIgnoreCase);
        operation.Parameters ??= [];

        // A {id:long} route constraint adds the integer pattern of a string to a parameter that is already an integer.
        foreach (var p in operation.Parameters)
            if (p.Schema is OpenApiSchema { Type: JsonSchemaType.Integer, Pattern: not null } integer) integer.Pattern = null;

        foreach (var alternative in metadata.OfType<AlternativeAnswerMetadata>())
        {
            var status = alternative.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (operation.Responses is { } all && all.TryGetValue(status, out var found) && found is OpenApiResponse { Content: { } content } &&
                content.TryGetValue("application/json", out var media) && media.Schema is { } usual)
                media.Schema = new OpenApiSchema { AnyOf = [new OpenApiSchemaReference(alternative.Type.Name, document), usual] };
        }

        foreach (var q in metadata.OfType<QueryParameterMetadata>())
        {
            if (operation.Parameters.Any(p => p.Name == q.Name && p.In == ParameterLocation.Query)) continue;
            var schema = SchemaFixes.ScalarSchema(q.Type);
            if (q.Values is { } values) schema.Enum = [.. values.Select(v => (System.Text.Json.Nodes.JsonNode)v)];
            operation.Parameters.Add(new OpenApiParameter { Name = q.Name, In = ParameterLocation.Query, Description = q.Description, Schema = schema });
        }

        if (needsTill)
        {
            operation.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiDocument.Basic, document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiDocument.Bearer, document)] = [] },
            ];
        }
        else if (metadata.OfType<ErrorBodyMetadata>().Any())
        {
            // The token endpoint: anonymous, or the client's credentials in a Basic header instead of the body.
            operation.Security =
            [
                new OpenApiSecurityRequirement(),
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiDocument.Basic, document)] = [] },
            ];
        }
        if (isPost && needsTill)
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "Idempotency-Key",
                In = ParameterLocation.Header,
                Description = "Makes a retry safe: the same key with the same request gets the first answer again (Idempotent-Replayed: true) " +
                    "and changes nothing; with another request 422; while the first still runs 409 with Retry-After. Scoped to the organisation, kept 24 hours.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 255, Pattern = "^[\\x20-\\x7E]+$" },
            });
        }

        if (metadata.OfType<V11.V11BodyMetadata>().LastOrDefault() is { } v11) DescribeV11(operation, document, v11, metadata);

        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response is not OpenApiResponse r) continue;
            r.Headers ??= new Dictionary<string, IOpenApiHeader>();
            if (status == "401")
                r.Headers["WWW-Authenticate"] = Header("The schemes to sign in with: Basic and Bearer (realm \"coupons\").", JsonSchemaType.String);
            if (status == "429" || (status == "409" && isPost && needsTill))
                r.Headers["Retry-After"] = Header(status == "429"
                    ? "Seconds until a request of this till (or customer) will be accepted again."
                    : "Seconds to wait before retrying a request whose Idempotency-Key is still being answered.", JsonSchemaType.Integer);
            if (isPost && needsTill && status.StartsWith('2'))
                r.Headers["Idempotent-Replayed"] = Header("\"true\" when this is the stored answer to an earlier request with the same Idempotency-Key.", JsonSchemaType.String);
            if (r.Headers.Count == 0) r.Headers = null;
        }

        if (metadata.OfType<CreatedLinkMetadata>().LastOrDefault() is { } link &&
            operation.Responses?.TryGetValue("201", out var created) == true && created is OpenApiResponse createdResponse)
        {
            createdResponse.Links = new Dictionary<string, IOpenApiLink>
            {
                [link.OperationId] = new OpenApiLink
                {
                    OperationId = link.OperationId,
                    Parameters = new Dictionary<string, RuntimeExpressionAnyWrapper>
                    {
                        [link.Parameter] = new() { Expression = RuntimeExpression.Build(link.Expression) },
                    },
                },
            };
            createdResponse.Headers ??= new Dictionary<string, IOpenApiHeader>();
            createdResponse.Headers["Location"] = Header("The URL of what was created.", JsonSchemaType.String);
        }

        if (metadata.OfType<DocumentedBodyMetadata>().LastOrDefault() is { } body)
        {
            var schema = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken);
            document.AddComponent(body.Type.Name, schema);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = false,
                Content = body.ContentTypes.ToDictionary(t => t, _ => new OpenApiMediaType { Schema = new OpenApiSchemaReference(body.Type.Name, document) }),
            };
        }
    }

    static readonly string[] V11Formats = ["json", "xml"];

    /// <summary>v1.1 reads its bodies and query by hand and writes JSON or XML from one tree: its schemas come from V11Schemas.</summary>
    static void DescribeV11(OpenApiOperation operation, OpenApiDocument document, V11.V11BodyMetadata bodies, IList<object> metadata)
    {
        var schemas = document.Components!.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        if (!schemas.ContainsKey(V11.V11Schemas.Error))
            foreach (var (name, schema) in V11.V11Schemas.All()) schemas[name] = schema;
        OpenApiMediaType Media(string name) => new() { Schema = new OpenApiSchemaReference(name, document) };
        Dictionary<string, OpenApiMediaType> Both(string name) => new() { ["application/json"] = Media(name), ["application/xml"] = Media(name + "Xml") };

        operation.Parameters!.Insert(0, new OpenApiParameter
        {
            Name = "format",
            In = ParameterLocation.Query,
            Description = "json or xml; else the Accept header, else the request's Content-Type, else JSON.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. V11Formats.Select(f => (System.Text.Json.Nodes.JsonNode)f)] },
        });
        if (bodies.Request is { } request)
            operation.RequestBody = new OpenApiRequestBody { Required = true, Content = Both(request) };
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response is not OpenApiResponse r) continue;
            var answer = status is "200" or "201" or "500" ? bodies.Response : V11.V11Schemas.Error;
            r.Content = Both(answer);
            r.Description = status switch
            {
                "200" => "Every item succeeded (response.status 200 SUCCESS)",
                "201" => "Some items failed (response.status 201); each item says why in item_status",
                "500" => "Every item failed (response.status 500, as the spec fixes it); each item says why in item_status. Also an unexpected failure (code 730)",
                _ => r.Description,
            };
        }
    }

    static OpenApiHeader Header(string description, JsonSchemaType type) => new()
    {
        Description = description,
        Schema = type == JsonSchemaType.Integer ? new OpenApiSchema { Type = type, Format = "int32", Minimum = "1" } : new OpenApiSchema { Type = type },
    };
}
