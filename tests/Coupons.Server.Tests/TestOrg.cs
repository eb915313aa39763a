using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coupons.Server.Auth;
using Coupons.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Coupons.Server.Tests;

/// <summary>An organisation of its own for one test, with an admin till logged in over HTTP.</summary>
public sealed class TestOrg
{
    public required CouponsApp App { get; init; }
    public required long OrgId { get; init; }
    public required string AdminTill { get; init; }
    public required string Password { get; init; }
    public required HttpClient Admin { get; init; }

    public static async Task<TestOrg> CreateAsync(CouponsApp app)
    {
        var store = app.Services.GetRequiredService<ICouponStore>();
        var till = $"adm-{Guid.NewGuid():N}"[..16];
        var password = $"pw-{Guid.NewGuid():N}";
        var result = await store.CreateOrganisationAsync($"Org {till}", "main", "Main store", till, PasswordHasher.Hash(password));
        Assert.True(result.Ok, result.Outcome.Message);
        return new TestOrg { App = app, OrgId = result.Value, AdminTill = till, Password = password, Admin = app.Client(till, password) };
    }

    public ICouponStore Store => App.Services.GetRequiredService<ICouponStore>();

    /// <summary>Creates a till of the given role in a new or existing store, and a client logged in as it.</summary>
    public async Task<HttpClient> TillAsync(string role = "till", string storeCode = "main")
    {
        if (storeCode != "main")
            await Admin.PostAsJsonAsync("/v2/stores", new { code = storeCode, name = storeCode });
        var code = $"till-{Guid.NewGuid():N}"[..14];
        var response = await Admin.PostAsJsonAsync("/v2/tills", new { code, password = "till-password", storeCode, role });
        response.EnsureSuccessStatusCode();
        return App.Client(code, "till-password");
    }

    public async Task<long> CustomerAsync(string? mobile = null, string? email = null, string? externalId = null, string firstName = "Ada", string lastName = "Lovelace")
    {
        var identifiers = new List<object>();
        if (mobile is not null) identifiers.Add(new { type = "mobile", value = mobile });
        if (email is not null) identifiers.Add(new { type = "email", value = email });
        if (externalId is not null) identifiers.Add(new { type = "externalId", value = externalId });
        var response = await Admin.PostAsJsonAsync("/v2/customers", new { profiles = new[] { new { firstName, lastName, identifiers } } });
        var body = await response.Json();
        Assert.True(response.IsSuccessStatusCode, body.ToJsonString());
        return body["createdId"]!.GetValue<long>();
    }

    /// <summary>Creates a series from JSON fields laid over a valid default; returns the stored series.</summary>
    public async Task<JsonObject> SeriesAsync(object? fields = null)
    {
        var body = JsonSerializer.SerializeToNode(fields ?? new { })!.AsObject();
        body["seriesCode"] ??= $"S-{Guid.NewGuid():N}"[..12];
        body["description"] ??= "Ten off";
        body["discountValue"] ??= 10;
        var response = await Admin.PostAsJsonAsync("/v2/coupon/series", body);
        var stored = await response.Json();
        Assert.True(response.IsSuccessStatusCode, stored.ToJsonString());
        return stored.AsObject();
    }

    /// <summary>
    /// A series whose validTillDate is already past: created valid (a new series may not start expired), then edited
    /// to end <paramref name="daysAgo"/> days ago, as an admin ends a campaign early.
    /// </summary>
    public async Task<JsonObject> EndedSeriesAsync(int daysAgo, object? fields = null)
    {
        var stored = await SeriesAsync(fields);
        stored["validTillDate"] = DateTime.UtcNow.Date.AddDays(-daysAgo).ToString("yyyy-MM-dd") + "T00:00:00Z";
        var response = await Admin.PutAsJsonAsync($"/v2/coupon/series/{stored["id"]}", stored);
        var saved = await response.Json();
        Assert.True(response.IsSuccessStatusCode, saved.ToJsonString());
        return saved["series"]!.AsObject();
    }
}

public static class HttpTestExtensions
{
    public static HttpClient Client(this CouponsApp app, string user, string password)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return client;
    }

    public static async Task<JsonNode> Json(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonNode.Parse(text) ?? throw new InvalidOperationException("empty body");
        }
        catch (JsonException)
        {
            throw new InvalidOperationException($"not JSON ({(int)response.StatusCode}): {text}");
        }
    }

    /// <summary>The first error code of a v2 error envelope.</summary>
    public static int ErrorCode(this JsonNode body) => body["errors"]![0]!["code"]!.GetValue<int>();
}
