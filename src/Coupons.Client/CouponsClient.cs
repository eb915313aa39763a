using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Coupons.Client;

/// <summary>How the client signs in: HTTP Basic with a till's code and password, or OAuth client credentials.</summary>
public abstract record CouponsCredentials
{
    public static CouponsCredentials Basic(string till, string password) => new BasicCredentials(till, password);

    /// <summary>A bearer token from POST /v2/oauth/token, fetched when needed and renewed before it expires or when refused.</summary>
    public static CouponsCredentials OAuth(string key, string secret) => new OAuthCredentials(key, secret);
}

sealed record BasicCredentials(string Till, string Password) : CouponsCredentials;

sealed record OAuthCredentials(string Key, string Secret) : CouponsCredentials;

public sealed class CouponsClientOptions
{
    /// <summary>Retries of a request answered 429 or 503 (or 409 for an Idempotency-Key still running).</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>A Retry-After longer than this is not waited for: the refusal is thrown.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(60);

    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// The Coupons API, typed: v2 coupon operations, the admin API and v1.1 (JSON). Every POST carries an Idempotency-Key,
/// the same on each of its retries, so a retry after a lost answer never issues or redeems twice. Refusals are thrown
/// as <see cref="CouponsApiException"/> with the envelope's codes. Thread-safe; share one per base address.
/// </summary>
public sealed partial class CouponsClient : IDisposable
{
    readonly HttpClient http;
    readonly bool ownsHttp;
    readonly CouponsCredentials credentials;
    readonly CouponsClientOptions options;
    readonly SemaphoreSlim tokenLock = new(1, 1);
    (string Token, DateTimeOffset RenewAt)? token;

    /// <summary>A client of the service at <paramref name="baseAddress"/>.</summary>
    public CouponsClient(Uri baseAddress, CouponsCredentials credentials, CouponsClientOptions? options = null)
        : this(new HttpClient { BaseAddress = baseAddress }, credentials, options) => ownsHttp = true;

    /// <summary>A client over an HttpClient whose BaseAddress is the service (e.g. from IHttpClientFactory).</summary>
    public CouponsClient(HttpClient http, CouponsCredentials credentials, CouponsClientOptions? options = null)
    {
        this.http = http;
        this.credentials = credentials;
        this.options = options ?? new CouponsClientOptions();
    }

    public void Dispose()
    {
        if (ownsHttp) http.Dispose();
        tokenLock.Dispose();
    }

    // ---- the pipeline --------------------------------------------------------------------

    async Task<T> CallAsync<T>(HttpMethod method, string path, byte[]? body, JsonTypeInfo<T> answer, CancellationToken ct, string contentType = "application/json")
    {
        using var response = await SendAsync(method, path, body, contentType, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) throw Refusal(response.StatusCode, text);
        return JsonSerializer.Deserialize(text, answer) ?? throw new CouponsApiException(response.StatusCode, [], text);
    }

    static byte[] Json<T>(T value, JsonTypeInfo<T> info) => JsonSerializer.SerializeToUtf8Bytes(value, info);

    async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, byte[]? body, string contentType, CancellationToken ct)
    {
        // One key per call, reused by its retries: the server answers a retry with the first answer and changes nothing.
        var idempotencyKey = method == HttpMethod.Post ? Guid.NewGuid().ToString("N") : null;
        var renewed = false;
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }
            if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
            request.Headers.Authorization = await AuthorizationAsync(renew: false, ct);
            var response = await http.SendAsync(request, ct);

            if (response.StatusCode == HttpStatusCode.Unauthorized && credentials is OAuthCredentials && !renewed)
            {
                // The token was revoked or expired early: one fresh token, one more try.
                renewed = true;
                response.Dispose();
                await AuthorizationAsync(renew: true, ct);
                continue;
            }
            var retriable = response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable ||
                (response.StatusCode == HttpStatusCode.Conflict && idempotencyKey is not null && response.Headers.RetryAfter is not null);
            if (!retriable || attempt >= options.MaxRetries) return response;
            var wait = RetryAfter(response) ?? TimeSpan.FromSeconds(Math.Pow(2, attempt));
            if (wait > options.MaxRetryDelay) return response;
            response.Dispose();
            await Task.Delay(wait, options.Time, ct);
        }
    }

    TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - options.Time.GetUtcNow() is var d && d > TimeSpan.Zero ? d : TimeSpan.Zero,
        _ => null,
    };

    async Task<AuthenticationHeaderValue> AuthorizationAsync(bool renew, CancellationToken ct)
    {
        if (credentials is BasicCredentials basic)
            return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{basic.Till}:{basic.Password}")));
        var oauth = (OAuthCredentials)credentials;
        var now = options.Time.GetUtcNow();
        if (!renew && token is { } t && t.RenewAt > now) return new AuthenticationHeaderValue("Bearer", t.Token);
        await tokenLock.WaitAsync(ct);
        try
        {
            if (!renew && token is { } again && again.RenewAt > now) return new AuthenticationHeaderValue("Bearer", again.Token);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/oauth/token")
            {
                Content = new ByteArrayContent(Json(new TokenBody(oauth.Key, oauth.Secret), ClientJson.Default.TokenBody))
                {
                    Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
                },
            };
            using var response = await http.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode) throw Refusal(response.StatusCode, text);
            var answer = JsonSerializer.Deserialize(text, ClientJson.Default.TokenAnswer)!;
            // Renewed a tenth of its life (at most a minute) before it expires, so no request goes out with a dying token.
            var margin = TimeSpan.FromSeconds(Math.Min(60, answer.ExpiresIn / 10.0));
            token = (answer.AccessToken, options.Time.GetUtcNow() + TimeSpan.FromSeconds(answer.ExpiresIn) - margin);
            return new AuthenticationHeaderValue("Bearer", answer.AccessToken);
        }
        finally
        {
            tokenLock.Release();
        }
    }

    /// <summary>The refusal as an exception carrying the envelope's codes: v2 <c>errors</c>, or v1.1's <c>response.status</c>.</summary>
    static CouponsApiException Refusal(HttpStatusCode status, string text)
    {
        IReadOnlyList<ApiError> errors = [];
        try
        {
            if (JsonNode.Parse(text) is JsonObject root)
            {
                if (root["errors"] is JsonArray) errors = JsonSerializer.Deserialize(root, ClientJson.Default.ErrorAnswer)?.Errors ?? [];
                else if (root["response"]?["status"] is JsonObject s)
                    errors = [new ApiError(false, int.Parse(s["code"]!.GetValue<string>(), CultureInfo.InvariantCulture), s["message"]?.GetValue<string>() ?? "")];
            }
        }
        catch (JsonException)
        {
            // Not an envelope (a proxy's page): the status alone says what happened.
        }
        return CouponsApiException.For(status, errors, text);
    }

    static string Q(string value) => Uri.EscapeDataString(value);
}
