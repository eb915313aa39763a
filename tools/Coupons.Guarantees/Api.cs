using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Coupons.Guarantees;

/// <summary>An answer: HTTP status and body text, or Failed when no answer came (connection refused or reset, timeout).</summary>
public sealed record Answer(int Status, string Body, string? ContentType, string? Failure = null, TimeSpan Took = default)
{
    public bool Failed => Failure is not null;
    public bool TimedOut => Failure == "timeout";

    public JsonNode? Json()
    {
        try
        {
            return JsonNode.Parse(Body);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>A till's credentials as the Authorization header value.</summary>
public sealed record Credentials(string Till, string Password)
{
    public string Header => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Till}:{Password}"));
}

/// <summary>HTTP to one or more server nodes. Requests go round-robin over the nodes unless a node is named.</summary>
public sealed class Api : IDisposable
{
    readonly HttpClient http;
    readonly Uri[] nodes;
    int next;

    public Api(IEnumerable<Uri> nodes, TimeSpan? timeout = null)
    {
        this.nodes = nodes.ToArray();
        http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };
    }

    public TimeSpan Timeout => http.Timeout;

    Uri Node() => nodes[(Interlocked.Increment(ref next) & int.MaxValue) % nodes.Length];

    public Task<Answer> GetAsync(Credentials? who, string path) => SendAsync(HttpMethod.Get, path, who, null, null);

    public Task<Answer> PostJsonAsync(Credentials? who, string path, object body) =>
        SendAsync(HttpMethod.Post, path, who, JsonSerializer.SerializeToUtf8Bytes(body), "application/json");

    public Task<Answer> PutJsonAsync(Credentials? who, string path, object body) =>
        SendAsync(HttpMethod.Put, path, who, JsonSerializer.SerializeToUtf8Bytes(body), "application/json");

    public async Task<Answer> SendAsync(HttpMethod method, string path, Credentials? who, byte[]? body, string? contentType,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(Node(), path));
        if (who is not null) request.Headers.TryAddWithoutValidation("Authorization", who.Header);
        foreach (var (k, v) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(k, v);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            // As curl does for large bodies: the server can refuse one (413) before it is sent.
            if (body.Length > 1024 * 1024) request.Headers.ExpectContinue = true;
            if (contentType is not null && MediaTypeHeaderValue.TryParse(contentType, out var ct)) request.Content.Headers.ContentType = ct;
            else if (contentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        var started = DateTime.UtcNow;
        try
        {
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return new Answer((int)response.StatusCode, text, response.Content.Headers.ContentType?.MediaType, null, DateTime.UtcNow - started);
        }
        catch (TaskCanceledException)
        {
            return new Answer(0, "", null, "timeout", DateTime.UtcNow - started);
        }
        catch (HttpRequestException e)
        {
            return new Answer(0, "", null, e.HttpRequestError == HttpRequestError.Unknown ? e.Message : e.HttpRequestError.ToString(), DateTime.UtcNow - started);
        }
    }

    public void Dispose() => http.Dispose();

    /// <summary>Throws unless the answer is 2xx: for setting up, where anything else is the harness's own mistake.</summary>
    public static JsonNode Ok(Answer a, string what)
    {
        if (a.Status is < 200 or > 299) throw new InvalidOperationException($"{what}: HTTP {a.Status} {a.Failure} {Shorten(a.Body)}");
        return a.Json() ?? throw new InvalidOperationException($"{what}: not JSON: {Shorten(a.Body)}");
    }

    public static string Shorten(string s, int max = 300) => s.Length <= max ? s : s[..max] + "…";

    public static bool IsSuccess(HttpStatusCode s) => (int)s is >= 200 and < 300;
}
