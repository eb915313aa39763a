using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Coupons.Server.Auth;

namespace Coupons.Server.Tests;

public sealed class AdminApiTests_Sqlite(SqliteApp app) : AdminApiTests<SqliteApp>(app);
public sealed class AdminApiTests_Postgres(PostgresApp app) : AdminApiTests<PostgresApp>(app);

public abstract class AdminApiTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    [Fact]
    public async Task Health_answers_200_when_the_database_does()
    {
        var response = await app.CreateClient().GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_bootstrap_till_of_organisation_1_can_sign_in()
    {
        var response = await app.Client(CouponsApp.BootstrapTill, CouponsApp.BootstrapPassword).GetAsync("/v2/stores");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("main", (await response.Json())["stores"]![0]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_wrong_password_gets_401_in_the_v2_envelope()
    {
        var org = await TestOrg.CreateAsync(app);
        var response = await app.Client(org.AdminTill, "not-the-password").GetAsync("/v2/stores");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await response.Json();
        Assert.Equal(401, body.ErrorCode());
        Assert.False(body["errors"]![0]!["status"]!.GetValue<bool>());
        Assert.Empty(body["warnings"]!.AsArray());
    }

    [Fact]
    public async Task No_credentials_get_401()
    {
        var response = await app.CreateClient().GetAsync("/v2/coupon/series");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(401, (await response.Json()).ErrorCode());
    }

    [Fact]
    public async Task The_MD5_hex_of_the_password_is_accepted_in_place_of_the_password()
    {
        var org = await TestOrg.CreateAsync(app);
        var md5 = app.Client(org.AdminTill, PasswordHasher.Md5Hex(org.Password));
        Assert.Equal(HttpStatusCode.OK, (await md5.GetAsync("/v2/stores")).StatusCode);
        var md5Upper = app.Client(org.AdminTill, PasswordHasher.Md5Hex(org.Password).ToUpperInvariant());
        Assert.Equal(HttpStatusCode.OK, (await md5Upper.GetAsync("/v2/stores")).StatusCode);
        var md5OfWrong = app.Client(org.AdminTill, PasswordHasher.Md5Hex("wrong"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await md5OfWrong.GetAsync("/v2/stores")).StatusCode);
    }

    [Fact]
    public async Task An_admin_creates_a_store_and_a_till_that_can_sign_in()
    {
        var org = await TestOrg.CreateAsync(app);
        var store = await org.Admin.PostAsJsonAsync("/v2/stores", new { code = "north", name = "North Street" });
        Assert.Equal(HttpStatusCode.OK, store.StatusCode);
        Assert.Equal("north", (await store.Json())["code"]!.GetValue<string>());

        var till = await org.Admin.PostAsJsonAsync("/v2/tills", new { code = $"pos-{org.OrgId}-1", password = "s3cret-pos", storeCode = "north", role = "till" });
        Assert.Equal(HttpStatusCode.OK, till.StatusCode);

        var stores = await (await org.Admin.GetAsync("/v2/stores")).Json();
        Assert.Equal(["main", "north"], stores["stores"]!.AsArray().Select(s => s!["code"]!.GetValue<string>()));
        var tills = await (await org.Admin.GetAsync("/v2/tills")).Json();
        Assert.Equal(2, tills["tills"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_duplicate_store_code_is_refused_and_the_first_store_kept()
    {
        var org = await TestOrg.CreateAsync(app);
        await org.Admin.PostAsJsonAsync("/v2/stores", new { code = "east", name = "First" });
        var again = await org.Admin.PostAsJsonAsync("/v2/stores", new { code = "east", name = "Second" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var stores = await (await org.Admin.GetAsync("/v2/stores")).Json();
        Assert.Equal("First", stores["stores"]!.AsArray().Single(s => s!["code"]!.GetValue<string>() == "east")!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_till_for_an_unknown_store_gets_404_and_a_taken_till_code_409()
    {
        var org = await TestOrg.CreateAsync(app);
        var unknown = await org.Admin.PostAsJsonAsync("/v2/tills", new { code = "x-" + org.OrgId, password = "password1", storeCode = "nowhere" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var taken = await org.Admin.PostAsJsonAsync("/v2/tills", new { code = org.AdminTill, password = "password1", storeCode = "main" });
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
    }

    [Fact]
    public async Task A_till_without_the_admin_role_may_not_use_the_admin_api()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync("till");
        var response = await till.PostAsJsonAsync("/v2/stores", new { code = "sneaky", name = "Sneaky" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(403, (await response.Json()).ErrorCode());
    }

    [Fact]
    public async Task A_customer_is_created_read_and_looked_up_by_each_identifier()
    {
        var org = await TestOrg.CreateAsync(app);
        var id = await org.CustomerAsync(mobile: "447700900001", email: "Ada@Example.com", externalId: "ext-1");
        var byId = await (await org.Admin.GetAsync($"/v2/customers/{id}")).Json();
        Assert.Equal("Ada", byId["profiles"]![0]!["firstName"]!.GetValue<string>());
        foreach (var (name, value) in new[] { ("mobile", "447700900001"), ("email", "ada@example.com"), ("externalId", "ext-1") })
        {
            var found = await org.Admin.GetAsync($"/v2/customers/lookup?identifierName={name}&identifierValue={value}");
            Assert.Equal(HttpStatusCode.OK, found.StatusCode);
            Assert.Equal(id, (await found.Json())["id"]!.GetValue<long>());
        }
        var missing = await org.Admin.GetAsync("/v2/customers/lookup?identifierName=mobile&identifierValue=000");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(701, (await missing.Json()).ErrorCode());
    }

    [Fact]
    public async Task Identifiers_are_unique_within_an_organisation_but_not_across()
    {
        var org = await TestOrg.CreateAsync(app);
        await org.CustomerAsync(mobile: "447700900002");
        var again = await org.Admin.PostAsJsonAsync("/v2/customers",
            new { profiles = new[] { new { firstName = "B", lastName = "B", identifiers = new[] { new { type = "mobile", value = "447700900002" } } } } });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var other = await TestOrg.CreateAsync(app);
        await other.CustomerAsync(mobile: "447700900002");
    }

    [Fact]
    public async Task A_customer_can_be_marked_fraud_and_blocked()
    {
        var org = await TestOrg.CreateAsync(app);
        var id = await org.CustomerAsync(mobile: "447700900003");
        var response = await org.Admin.PutAsJsonAsync($"/v2/customers/{id}/status", new { fraudStatus = "CONFIRMED", couponsBlocked = true });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await (await org.Admin.GetAsync($"/v2/customers/{id}")).Json();
        Assert.Equal("confirmed", stored["fraudStatus"]!.GetValue<string>());
        Assert.True(stored["couponsBlocked"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_generated_series_is_stored_with_every_field_as_sent()
    {
        var org = await TestOrg.CreateAsync(app);
        var series = await org.SeriesAsync(new
        {
            seriesCode = "SUMMER10",
            description = "Summer",
            discountCode = "SUM10",
            discountValue = 10.5,
            discountType = "PERC",
            maxCreate = 1000,
            maxRedeem = 500,
            isMultipleUseAllowed = true,
            validTillDate = "2030-05-29T00:00:00Z",
            storeIdsJson = "[-1]",
            alphaNumeric = true,
            randomCodeLength = 8,
            brands = new[] { "acme" },
        });
        var id = series["id"]!.GetValue<long>();
        Assert.True(id > 0);
        var read = await (await org.Admin.GetAsync($"/v2/coupon/series/{id}")).Json();
        Assert.Equal("SUMMER10", read["seriesCode"]!.GetValue<string>());
        Assert.Equal(10.5m, read["discountValue"]!.GetValue<decimal>());
        Assert.Equal("PERC", read["discountType"]!.GetValue<string>());
        Assert.Equal(1000, read["maxCreate"]!.GetValue<int>());
        Assert.True(read["isMultipleUseAllowed"]!.GetValue<bool>());
        Assert.Equal("2030-05-29T00:00:00Z", read["validTillDate"]!.GetValue<string>());
        Assert.Equal("2030-05-29", read["validTilldateFormat"]!.GetValue<string>());
        Assert.Equal(org.OrgId, read["orgId"]!.GetValue<long>());
        Assert.Equal("acme", read["brands"]![0]!.GetValue<string>());
        Assert.Equal(0, read["numIssued"]!.GetValue<int>());
    }

    [Fact]
    public async Task Series_are_listed_in_pages()
    {
        var org = await TestOrg.CreateAsync(app);
        for (var i = 0; i < 3; i++) await org.SeriesAsync(new { seriesCode = $"P{i}" });
        var page = await (await org.Admin.GetAsync("/v2/coupon/series?offset=1&limit=1")).Json();
        Assert.Equal("P1", page["series"]!.AsArray().Single()!["seriesCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_duplicate_series_code_gives_751()
    {
        var org = await TestOrg.CreateAsync(app);
        await org.SeriesAsync(new { seriesCode = "DUP" });
        var again = await org.Admin.PostAsJsonAsync("/v2/coupon/series", new { seriesCode = "DUP", description = "again" });
        Assert.Equal(751, (await again.Json()).ErrorCode());
    }

    [Fact]
    public async Task An_empty_series_code_gives_753()
    {
        var org = await TestOrg.CreateAsync(app);
        var response = await org.Admin.PostAsJsonAsync("/v2/coupon/series", new { seriesCode = "  ", description = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(753, (await response.Json()).ErrorCode());
    }

    [Fact]
    public async Task A_GENERIC_series_without_its_shared_code_gives_754_and_with_it_is_stored()
    {
        var org = await TestOrg.CreateAsync(app);
        var missing = await org.Admin.PostAsJsonAsync("/v2/coupon/series", new { seriesCode = "G1", seriesType = "GENERIC" });
        Assert.Equal(754, (await missing.Json()).ErrorCode());
        var stored = await org.SeriesAsync(new { seriesCode = "G2", seriesType = "GENERIC", generic = "WELCOME5" });
        Assert.Equal("WELCOME5", stored["generic"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_invalid_mutual_exclusion_gives_756()
    {
        var org = await TestOrg.CreateAsync(app);
        var response = await org.Admin.PostAsJsonAsync("/v2/coupon/series", new { seriesCode = "M1", mutualExclusiveSeriesIds = "[1, \"x\"" });
        Assert.Equal(756, (await response.Json()).ErrorCode());
    }

    [Fact]
    public async Task Updating_a_series_gives_745_and_an_unknown_one_707()
    {
        var org = await TestOrg.CreateAsync(app);
        var series = await org.SeriesAsync(new { seriesCode = "U1", description = "before" });
        var id = series["id"]!.GetValue<long>();
        var update = await org.Admin.PutAsJsonAsync($"/v2/coupon/series/{id}", new { seriesCode = "U1", description = "after" });
        var saved = await update.Json();
        Assert.Equal(745, saved["code"]!.GetValue<int>());
        Assert.Equal("after", (await (await org.Admin.GetAsync($"/v2/coupon/series/{id}")).Json())["description"]!.GetValue<string>());

        var unknown = await org.Admin.PutAsJsonAsync("/v2/coupon/series/987654321", new { seriesCode = "U2" });
        Assert.Equal(707, (await unknown.Json()).ErrorCode());
        var bad = await org.Admin.PutAsJsonAsync($"/v2/coupon/series/{id}", new { seriesCode = "" });
        Assert.Equal(744, (await bad.Json()).ErrorCode());
    }

    [Fact]
    public async Task Uploaded_codes_are_stored_once_with_duplicates_reported_and_counts_kept()
    {
        var org = await TestOrg.CreateAsync(app);
        var series = await org.SeriesAsync(new { seriesCode = "UP1", seriesType = "UPLOADED" });
        var id = series["id"]!.GetValue<long>();
        var first = await (await org.Admin.PostAsJsonAsync($"/v2/coupon/series/{id}/codes", new[] { "AAA111", "BBB222", "aaa111", "bad code" })).Json();
        Assert.Equal(2, first["stored"]!.GetValue<int>());
        Assert.Equal(1, first["duplicates"]!.GetValue<int>());
        Assert.Equal(1, first["rejected"]!.GetValue<int>());

        var csv = new StringContent("code\nBBB222\nCCC333\n", Encoding.UTF8, "text/csv");
        var second = await (await org.Admin.PostAsync($"/v2/coupon/series/{id}/codes", csv)).Json();
        Assert.Equal(1, second["stored"]!.GetValue<int>());
        Assert.Equal("BBB222", second["duplicateCodes"]![0]!.GetValue<string>());

        var read = await (await org.Admin.GetAsync($"/v2/coupon/series/{id}")).Json();
        Assert.Equal(3, read["numUploadedTotal"]!.GetValue<int>());
        Assert.Equal(3, read["numUploadedNonIssued"]!.GetValue<int>());
    }

    [Fact]
    public async Task Codes_cannot_be_uploaded_to_a_generated_series()
    {
        var org = await TestOrg.CreateAsync(app);
        var series = await org.SeriesAsync();
        var response = await org.Admin.PostAsJsonAsync($"/v2/coupon/series/{series["id"]}/codes", new[] { "AAA111" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Another_organisation_can_neither_read_nor_change_series_or_customers()
    {
        var one = await TestOrg.CreateAsync(app);
        var two = await TestOrg.CreateAsync(app);
        var series = await one.SeriesAsync(new { seriesCode = "MINE", seriesType = "UPLOADED" });
        var seriesId = series["id"]!.GetValue<long>();
        var customerId = await one.CustomerAsync(mobile: "447700900099");

        Assert.Equal(707, (await (await two.Admin.GetAsync($"/v2/coupon/series/{seriesId}")).Json()).ErrorCode());
        Assert.Equal(707, (await (await two.Admin.PutAsJsonAsync($"/v2/coupon/series/{seriesId}", new { seriesCode = "STOLEN", seriesType = "UPLOADED" })).Json()).ErrorCode());
        Assert.Equal(707, (await (await two.Admin.PostAsJsonAsync($"/v2/coupon/series/{seriesId}/codes", new[] { "ZZZ999" })).Json()).ErrorCode());
        Assert.Empty((await (await two.Admin.GetAsync("/v2/coupon/series")).Json())["series"]!.AsArray());
        Assert.Equal(701, (await (await two.Admin.GetAsync($"/v2/customers/{customerId}")).Json()).ErrorCode());
        Assert.Equal(701, (await (await two.Admin.GetAsync("/v2/customers/lookup?identifierName=mobile&identifierValue=447700900099")).Json()).ErrorCode());
        Assert.Equal(HttpStatusCode.NotFound, (await two.Admin.PutAsJsonAsync($"/v2/customers/{customerId}/status", new { couponsBlocked = true })).StatusCode);

        var mine = await (await one.Admin.GetAsync($"/v2/coupon/series/{seriesId}")).Json();
        Assert.Equal("MINE", mine["seriesCode"]!.GetValue<string>());
        Assert.Equal(0, mine["numUploadedTotal"]!.GetValue<int>());
        Assert.False((await (await one.Admin.GetAsync($"/v2/customers/{customerId}")).Json())["couponsBlocked"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Malformed_json_gets_400_in_the_envelope_not_a_500()
    {
        var org = await TestOrg.CreateAsync(app);
        foreach (var body in new[] { "{\"seriesCode\": ", "[1,2,3]", "{\"maxCreate\": \"lots\"}", "\u0000\u0001" })
        {
            var response = await org.Admin.PostAsync("/v2/coupon/series", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(400, (await response.Json()).ErrorCode());
        }
    }
}
