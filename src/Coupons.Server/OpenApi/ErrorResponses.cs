using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.RateLimiting;

namespace Coupons.Server.OpenApi;

/// <summary>The statuses an endpoint refuses with beyond what the whole group shares (404, 409, …).</summary>
public sealed record RefusalMetadata(IReadOnlyList<int> Statuses);

/// <summary>A refusal that may also come as the operation's own answer type (bulk redeem's 400 lists each code's fate).</summary>
public sealed record AlternativeAnswerMetadata(int Status, Type Type);

/// <summary>The body every refusal of a group comes in: the v2 envelope, v1.1's response in JSON or XML, or OAuth's error.</summary>
public sealed record ErrorBodyMetadata(Type Body, IReadOnlyList<string> ContentTypes);

/// <summary>
/// Declares to OpenAPI the refusals an endpoint can answer, from what the pipeline does to it, so that the document
/// cannot forget one: 400 when it reads input, 401 when it needs a till (Auth/TillAuthentication), 403 when an admin
/// one, 429 when it is rate-limited (Auth/TillRateLimit, Auth/CodeGuessGuard), 409 and 422 on every POST (the
/// Idempotency-Key machinery), 413 and 415 when it reads a body (ErrorHandler, Formats/RequestCharset), 404 for a
/// path with an id; plus what <see cref="Refuses{TBuilder}"/> adds. Statuses the endpoint declares itself win.
/// </summary>
public static class ErrorResponses
{
    /// <summary>Every refusal of this group's endpoints comes in <typeparamref name="TBody"/>.</summary>
    public static RouteGroupBuilder WithErrorBody<TBody>(this RouteGroupBuilder group, params string[] contentTypes) =>
        WithErrorBody(group, typeof(TBody), contentTypes);

    /// <summary>Every refusal of this endpoint comes in <typeparamref name="TBody"/>.</summary>
    public static RouteHandlerBuilder WithErrorBody<TBody>(this RouteHandlerBuilder endpoint, params string[] contentTypes) =>
        WithErrorBody(endpoint, typeof(TBody), contentTypes);

    static TBuilder WithErrorBody<TBuilder>(TBuilder builder, Type type, string[] contentTypes) where TBuilder : IEndpointConventionBuilder
    {
        var body = new ErrorBodyMetadata(type, contentTypes.Length == 0 ? ["application/json"] : contentTypes);
        builder.Add(b => b.Metadata.Add(body));
        builder.Finally(Declare);
        return builder;
    }

    /// <summary>Statuses this endpoint refuses with besides the group's (e.g. 404 for an unknown customer, 409 for a duplicate).</summary>
    public static TBuilder Refuses<TBuilder>(this TBuilder builder, params int[] statuses) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RefusalMetadata(statuses));

    /// <summary>This status may also answer with <typeparamref name="T"/> (documented as anyOf it and the error envelope).</summary>
    public static RouteHandlerBuilder MayAnswer<T>(this RouteHandlerBuilder builder, int status) =>
        builder.WithMetadata(new AlternativeAnswerMetadata(status, typeof(T)));

    static readonly Type[] Scalars = [typeof(string), typeof(string[]), typeof(decimal), typeof(bool), typeof(DateTimeOffset)];

    static void Declare(EndpointBuilder endpoint)
    {
        var metadata = endpoint.Metadata;
        if (metadata.OfType<ErrorBodyMetadata>().LastOrDefault() is not { } body) return;
        var declared = metadata.OfType<IProducesResponseTypeMetadata>().Select(m => m.StatusCode).ToHashSet();
        var statuses = new SortedSet<int>();
        var methods = metadata.OfType<IHttpMethodMetadata>().LastOrDefault()?.HttpMethods ?? [];
        var hasBody = metadata.OfType<IAcceptsMetadata>().Any();
        var routeParameters = (endpoint as RouteEndpointBuilder)?.RoutePattern.Parameters.Count ?? 0;
        var reads = hasBody || routeParameters > 0 || metadata.OfType<QueryParameterMetadata>().Any() ||
            metadata.OfType<IParameterBindingMetadata>().Any(p => IsInput(p.ParameterInfo.ParameterType));
        if (reads) statuses.Add(StatusCodes.Status400BadRequest);
        var policies = metadata.OfType<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Select(a => a.Policy).ToList();
        if (policies.Count > 0) statuses.Add(StatusCodes.Status401Unauthorized);
        if (policies.Contains(Auth.TillAuth.Admin)) statuses.Add(StatusCodes.Status403Forbidden);
        if (routeParameters > 0) statuses.Add(StatusCodes.Status404NotFound);
        if (methods.Contains("POST") && policies.Count > 0)
        {
            statuses.Add(StatusCodes.Status409Conflict);
            statuses.Add(StatusCodes.Status422UnprocessableEntity);
        }
        if (hasBody)
        {
            statuses.Add(StatusCodes.Status413PayloadTooLarge);
            statuses.Add(StatusCodes.Status415UnsupportedMediaType);
        }
        if (metadata.OfType<EnableRateLimitingAttribute>().Any()) statuses.Add(StatusCodes.Status429TooManyRequests);
        foreach (var extra in metadata.OfType<RefusalMetadata>()) statuses.UnionWith(extra.Statuses);
        foreach (var status in statuses.Where(s => !declared.Contains(s)))
            metadata.Add(new ProducesResponseTypeMetadata(status, body.Body, [.. body.ContentTypes]));
    }

    static bool IsInput(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        return t.IsPrimitive || Scalars.Contains(t);
    }
}

/// <summary>A query parameter an endpoint reads from the query string itself (v1.1 reads every one by hand).</summary>
public sealed record QueryParameterMetadata(string Name, string Description, Type Type, IReadOnlyList<string>? Values = null);

public static class QueryParameters
{
    public static TBuilder Query<TBuilder>(this TBuilder builder, string name, string description, IReadOnlyList<string>? values = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new QueryParameterMetadata(name, description, typeof(string), values));

    public static TBuilder Query<TBuilder, TValue>(this TBuilder builder, string name, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new QueryParameterMetadata(name, description, typeof(TValue)));
}

/// <summary>A request body the handler reads by hand, for the document only (Accepts&lt;T&gt; would also make routing refuse other content types).</summary>
public sealed record DocumentedBodyMetadata(Type Type, IReadOnlyList<string> ContentTypes);

/// <summary>A link from this operation's 201 answer to the operation that reads what it created.</summary>
public sealed record CreatedLinkMetadata(string OperationId, string Parameter, string Expression);

public static class Describing
{
    /// <summary>The created resource is read by <paramref name="operationId"/>, its <paramref name="parameter"/> taken from <paramref name="expression"/>.</summary>
    public static RouteHandlerBuilder LinksTo(this RouteHandlerBuilder builder, string operationId, string parameter, string expression) =>
        builder.WithMetadata(new CreatedLinkMetadata(operationId, parameter, expression));

    public static RouteHandlerBuilder DocumentsBody<T>(this RouteHandlerBuilder builder, params string[] contentTypes) =>
        builder.WithMetadata(new DocumentedBodyMetadata(typeof(T), contentTypes));

    /// <summary>Adds a piece of metadata that only the OpenAPI document reads (e.g. <see cref="V11.V11BodyMetadata"/>).</summary>
    public static TBuilder Describes<TBuilder>(this TBuilder builder, object metadata) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(metadata);
}
