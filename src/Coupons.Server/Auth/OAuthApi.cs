using System.Text.Json;
using System.Text.Json.Serialization;
using Coupons.Core;
using Coupons.Server.Formats;
using Coupons.Server.OpenApi;

namespace Coupons.Server.Auth;

public sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn);

/// <summary>What the token endpoint reads, as JSON or as a form: the RFC's names, or the spec's key and secret.</summary>
public sealed record TokenRequest(
    [property: JsonPropertyName("grant_type")] string? GrantType,
    [property: JsonPropertyName("client_id")] string? ClientId,
    [property: JsonPropertyName("client_secret")] string? ClientSecret,
    string? Key,
    string? Secret);

/// <summary>An OAuth error (RFC 6749 §5.2) that also carries the v2 errors list, so either kind of client can read it.</summary>
public sealed record TokenError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string ErrorDescription,
    IReadOnlyList<StatusItem> Errors,
    IReadOnlyList<StatusItem> Warnings);

/// <summary>
/// <c>POST /v2/oauth/token</c>: the client-credentials grant. A till's code is the client id (the "key") and its
/// password, or the password's MD5 hex, the secret. Accepted as a form (grant_type=client_credentials, client_id,
/// client_secret, or the client in a Basic header) or as JSON ({"key","secret"} or {"client_id","client_secret"}).
/// </summary>
public static class OAuthApi
{
    public static IEndpointConventionBuilder MapOAuth(this IEndpointRouteBuilder app) =>
        app.MapPost("/v2/oauth/token", Token).WithTags("v2: OAuth").DisableAntiforgery()
            .WithName("createToken").WithSummary("A bearer token for a till (OAuth 2.0 client credentials)")
            // Not Accepts<>: routing would then refuse other content types with 415 before the handler could say 400.
            .DocumentsBody<TokenRequest>("application/json", "application/x-www-form-urlencoded")
            .Produces<TokenResponse>().WithErrorBody<TokenError>().Refuses(401);

    static async Task<IResult> Token(HttpContext http, Authenticator auth, TokenService tokens)
    {
        string? grant = null, id = null, secret = null;
        var request = http.Request;
        if (request.HasFormContentType)
        {
            try
            {
                var form = await request.ReadFormAsync();
                (grant, id, secret) = (form["grant_type"], form["client_id"], form["client_secret"]);
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                return Error(400, "invalid_request", "the form body is malformed");
            }
        }
        else if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            try
            {
                using var doc = await JsonDocument.ParseAsync(request.Body, default, http.RequestAborted);
                if (doc.RootElement.ValueKind != JsonValueKind.Object) return Error(400, "invalid_request", "the body must be a JSON object");
                string? Field(string name) =>
                    doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                grant = Field("grant_type");
                id = Field("client_id") ?? Field("key");
                secret = Field("client_secret") ?? Field("secret");
            }
            catch (JsonException)
            {
                return Error(400, "invalid_request", "the body is neither a form nor JSON");
            }
        }
        if (string.IsNullOrEmpty(id) && Authenticator.ParseBasic(request.Headers.Authorization.ToString()) is var (user, password))
            (id, secret) = (user, password);

        if (grant is { Length: > 0 } && grant != "client_credentials")
            return Error(400, "unsupported_grant_type", "only grant_type=client_credentials is supported");
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret))
            return Error(400, "invalid_request", "client_id (key) and client_secret (secret) are required");

        var login = await auth.VerifyPasswordAsync(id, secret);
        if (login is null)
        {
            http.Response.Headers.WWWAuthenticate = "Basic realm=\"coupons\"";
            return Error(401, "invalid_client", "unknown till or wrong secret");
        }
        var (token, _) = tokens.Create(login.Caller.Till.Code, login.PasswordHash);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new TokenResponse(token, "Bearer", (int)tokens.Lifetime.TotalSeconds));
    }

    static IResult Error(int status, string error, string description)
    {
        var code = status == 401 ? Status.Unauthorized : Status.BadRequest;
        return TypedResults.Json(new TokenError(error, description, [StatusItem.Of(new Outcome(code, description))], []), statusCode: status);
    }
}
