using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Coupons.Server.OpenApi;

/// <summary>
/// The OpenAPI document at /openapi/v1.json, generated from the endpoints: what each declares (name, summary, typed
/// results, <see cref="ErrorResponses"/> on its group, <see cref="QueryParameterMetadata"/>) plus what the whole API
/// shares, added here: the two security schemes, the headers of the idempotency and rate-limit machinery, and the
/// schema corrections of <see cref="SchemaFixes"/>. Checked by Redocly and Spectral in the tests (OpenApiTests).
/// </summary>
public static class ApiDocument
{
    public const string Basic = "basic";
    public const string Bearer = "bearer";

    static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["v1.1 coupon"] = "The v1.1 coupon API of coupon-v1.1-api.txt, in JSON or XML (?format=json|xml, or Accept / Content-Type). Scalars are strings.",
        ["v2: coupons"] = "The v2 coupon endpoints a till uses: issue several, a customer's coupons, bulk redeem, is_redeemable, reverse, amend a redemption.",
        ["v2: OAuth"] = "The client-credentials grant: a till's code and password for a bearer token.",
        ["Admin: organisation"] = "The caller's own organisation. Admin tills only.",
        ["Admin: stores and tills"] = "Stores and tills of the organisation. Admin tills only.",
        ["Admin: customers"] = "Customers, their look-up and their fraud status. Admin tills only.",
        ["Admin: coupon series"] = "Coupon series and their uploaded code lists. Admin tills only.",
        ["Admin: coupons"] = "What customer care does to one coupon. Admin tills only.",
        ["Admin: outgoing messages"] = "The notification outbox: SMS, email and webhook deliveries, their attempts, retries. Admin tills only.",
        ["v2: campaign figures"] = "A series' figures per day, week or store. Admin tills only.",
        ["v2: exports"] = "CSV exports of coupons and redemptions, streamed. Admin tills only.",
        ["Admin: webhooks"] = "Webhook endpoints of the organisation, each receiving the events it subscribes to, signed. Admin tills only.",
    };

    public static IServiceCollection AddCouponsOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer(DescribeAsync);
            o.AddOperationTransformer(OperationDefaults.ApplyAsync);
            o.AddSchemaTransformer(SchemaFixes.ApplyAsync);
        });

    static Task DescribeAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Coupons API",
            Version = "2",
            Description = "Coupon series, issuing coupons to customers, redeeming them at a till, checking redeemability, " +
                "customer listings (the published coupon API v1.1 and v2), and the admin API. Errors come in the v2 envelope " +
                "{\"errors\":[{\"status\":false,\"code\":N,\"message\":\"…\"}],\"warnings\":[]}, or v1.1's response.status under /v1.1.",
            License = new OpenApiLicense { Name = "Proprietary", Url = new Uri("https://example.org/coupons/license") },
            Contact = new OpenApiContact { Name = "Coupons team" },
        };
        // The framework names the server from the request's base address, with a slash the linters refuse.
        foreach (var server in document.Servers ?? []) server.Url = server.Url?.TrimEnd('/');
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [Basic] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "basic",
                Description = "HTTP Basic: a till's code as the username, its password (or the password's MD5 hex) as the password.",
            },
            [Bearer] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A token from POST /v2/oauth/token (client credentials), valid expires_in seconds.",
            },
        };
        var used = document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []).SelectMany(o => o.Tags ?? new HashSet<OpenApiTagReference>())
            .Select(t => t.Name).OfType<string>().Distinct().ToList();
        document.Tags = new HashSet<OpenApiTag>(used.Select(t => new OpenApiTag
        {
            Name = t,
            Description = TagDescriptions.GetValueOrDefault(t, t),
        }));
        return Task.CompletedTask;
    }
}
