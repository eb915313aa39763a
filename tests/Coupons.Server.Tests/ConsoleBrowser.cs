using System.Net;
using System.Text.RegularExpressions;

namespace Coupons.Server.Tests;

public static class LocationExtensions
{
    public static string PathOf(this Uri location) => ConsoleBrowser.PathOf(location)!;
}

/// <summary>What a browser without JavaScript does with the console: keeps its cookies, reads a form's anti-forgery token, posts forms.</summary>
public sealed class ConsoleBrowser
{
    public CookieContainer Cookies { get; } = new();
    public HttpClient Http { get; }

    public ConsoleBrowser(CouponsApp app)
    {
        Http = app.CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(Cookies));
    }

    public static async Task<ConsoleBrowser> SignedInAsync(CouponsApp app, string till, string password)
    {
        var browser = new ConsoleBrowser(app);
        var result = await browser.PostFormAsync("/console/login", "/console/login", new() { ["Till"] = till, ["Password"] = password });
        Assert.True(result.Status == HttpStatusCode.Redirect, result.Html);
        return browser;
    }

    public Task<HttpResponseMessage> GetAsync(string path) => Http.GetAsync(path);

    public async Task<string> GetHtmlAsync(string path)
    {
        var response = await Http.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {response.Headers.Location} {html}");
        return html;
    }

    /// <summary>Loads <paramref name="pagePath"/>, takes its anti-forgery token, and posts <paramref name="fields"/> to <paramref name="action"/>.</summary>
    public async Task<(HttpStatusCode Status, string? Location, string Html)> PostFormAsync(string pagePath, string action, Dictionary<string, string> fields)
    {
        var token = Token(await GetHtmlAsync(pagePath));
        return await PostAsync(action, new FormUrlEncodedContent(fields.Append(new("__RequestVerificationToken", token))));
    }

    public async Task<(HttpStatusCode Status, string? Location, string Html)> PostAsync(string action, HttpContent content)
    {
        var response = await Http.PostAsync(action, content);
        return (response.StatusCode, PathOf(response.Headers.Location), await response.Content.ReadAsStringAsync());
    }

    /// <summary>A redirect's target as a path and query, whether the server wrote it absolute or relative.</summary>
    public static string? PathOf(Uri? location) => location is null ? null : location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;

    public static string Token(string html) =>
        Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value is { Length: > 0 } t
            ? t : throw new InvalidOperationException("no anti-forgery token in the page");

    /// <summary>The values a form would post as it stands: inputs, checked boxes, textareas and selected options, by name.</summary>
    public static Dictionary<string, string> FormValues(string html, string formId)
    {
        var form = Regex.Match(html, $"<form[^>]*id=\"{formId}\".*?</form>", RegexOptions.Singleline).Value;
        var values = new Dictionary<string, string>();
        foreach (Match m in Regex.Matches(form, "<input([^>]*)>"))
        {
            var attrs = m.Groups[1].Value;
            var name = Attr(attrs, "name");
            if (name is null || name == "__RequestVerificationToken") continue;
            if (Attr(attrs, "type") == "checkbox" && !Regex.IsMatch(attrs, "\\schecked")) continue;
            values[name] = Attr(attrs, "value") ?? "";
        }
        foreach (Match m in Regex.Matches(form, "<textarea([^>]*)>(.*?)</textarea>", RegexOptions.Singleline))
            values[Attr(m.Groups[1].Value, "name")!] = WebUtility.HtmlDecode(m.Groups[2].Value);
        foreach (Match m in Regex.Matches(form, "<select([^>]*)>(.*?)</select>", RegexOptions.Singleline))
        {
            var selected = Regex.Match(m.Groups[2].Value, "<option value=\"([^\"]*)\" selected");
            values[Attr(m.Groups[1].Value, "name")!] = WebUtility.HtmlDecode(selected.Success ? selected.Groups[1].Value
                : Regex.Match(m.Groups[2].Value, "<option value=\"([^\"]*)\"").Groups[1].Value);
        }
        return values;
    }

    static string? Attr(string attrs, string name) =>
        Regex.Match(attrs, $"\\s{name}=\"([^\"]*)\"") is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : null;

    sealed class CookieContainerHandler(CookieContainer cookies) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var header = cookies.GetCookieHeader(request.RequestUri!);
            if (header.Length > 0) request.Headers.Add("Cookie", header);
            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var set))
                foreach (var c in set) cookies.SetCookies(request.RequestUri!, c);
            return response;
        }
    }
}
