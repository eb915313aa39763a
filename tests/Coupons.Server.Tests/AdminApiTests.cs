using System.Net;
using System.Net.Http.Json;
using System.Text;
using Coupons.Core;
using Coupons.Server.Auth;

namespace Coupons.Server.Tests;

public sealed class AdminApiTests_Sqlite(SqliteApp app) : AdminApiTests<SqliteApp>(app);
public sealed class AdminApiTests_Postgres(PostgresApp app) : AdminApiTests<PostgresApp>(app);

public abstract class AdminApiTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    /// <summary>A request any signed-in till may make (it answers 200 whatever the code), so a 200 means signed in.</summary>
    const string TillWork = "/v2/coupon/is_redeemable?code=NOSUCH&mobile=447700900321";

    [Fact]
    public async Task Health_answers_200_when_the_database_does()
    {
        var response = await app.CreateClient().GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_bootstrap_till_of_organisation_1_can_sign_in()
    {
        var root = app.Client(CouponsApp.BootstrapTill, CouponsApp.BootstrapPassword);
        var response = await root.GetAsync("/v2/stores");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("main", (await response.Json())["stores"]![0]!["code"]!.GetValue<string>());
        Assert.Equal(1, (await (await root.GetAsync("/v2/organisation")).Json())["id"]!.GetValue<long>());
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
        Assert.Equal(HttpStatusCode.Created, store.StatusCode);
        var north = await store.Json();
        Assert.Equal("north", north["code"]!.GetValue<string>());
        Assert.Equal("North Street", north["name"]!.GetValue<string>());

        var code = $"pos-{Guid.NewGuid():N}"[..14];
        var till = await org.Admin.PostAsJsonAsync("/v2/tills", new { code, password = "s3cret-pos", storeCode = "north", role = "till" });
        Assert.Equal(HttpStatusCode.Created, till.StatusCode);
        var created = await till.Json();
        Assert.Equal(north["id"]!.GetValue<long>(), created["storeId"]!.GetValue<long>());
        Assert.Equal("till", created["role"]!.GetValue<string>());

        Assert.Equal(["main", "north"], await StoreCodesAsync(org.Admin));
        Assert.Equal(new[] { org.AdminTill, code }.Order(), (await TillCodesAsync(org.Admin)).Order());

        // Signed in, the till does a till's work and is refused the admin API (403: known, but not an admin).
        var pos = app.Client(code, "s3cret-pos");
        Assert.Equal(HttpStatusCode.OK, (await pos.GetAsync(TillWork)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await pos.GetAsync("/v2/stores")).StatusCode);
        var token = await app.CreateClient().PostAsJsonAsync("/v2/oauth/token", new { key = code, secret = "s3cret-pos" });
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client(code, "not-its-password").GetAsync(TillWork)).StatusCode);
    }

    [Fact]
    public async Task Another_organisation_can_neither_see_nor_use_a_store_or_its_tills()
    {
        var one = await TestOrg.CreateAsync(app);
        var two = await TestOrg.CreateAsync(app);
        (await one.Admin.PostAsJsonAsync("/v2/stores", new { code = "north", name = "One's North" })).EnsureSuccessStatusCode();
        var onesTill = $"pos-{Guid.NewGuid():N}"[..14];
        (await one.Admin.PostAsJsonAsync("/v2/tills", new { code = onesTill, password = "one-password", storeCode = "north" })).EnsureSuccessStatusCode();

        Assert.Equal(["main"], await StoreCodesAsync(two.Admin));
        Assert.Equal([two.AdminTill], await TillCodesAsync(two.Admin));

        // One's store does not exist for two: two cannot put a till in it.
        var intoOnesStore = await two.Admin.PostAsJsonAsync("/v2/tills", new { code = $"pos-{Guid.NewGuid():N}"[..14], password = "two-password", storeCode = "north" });
        Assert.Equal(HttpStatusCode.NotFound, intoOnesStore.StatusCode);
        Assert.Equal(404, (await intoOnesStore.Json()).ErrorCode());

        // A till code is a sign-in name, unique across organisations: two cannot take one's, whose password stays one's.
        var takeOnesTill = await two.Admin.PostAsJsonAsync("/v2/tills", new { code = onesTill, password = "two-password", storeCode = "main" });
        Assert.Equal(HttpStatusCode.Conflict, takeOnesTill.StatusCode);
        Assert.Equal([two.AdminTill], await TillCodesAsync(two.Admin));
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client(onesTill, "two-password").GetAsync(TillWork)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client(onesTill, "one-password").GetAsync(TillWork)).StatusCode);

        // Store codes are per organisation: two may open a north of its own, and one's keeps its name.
        Assert.Equal(HttpStatusCode.Created, (await two.Admin.PostAsJsonAsync("/v2/stores", new { code = "north", name = "Two's North" })).StatusCode);
        Assert.Equal("One's North", await StoreNameAsync(one.Admin, "north"));
        Assert.Equal("Two's North", await StoreNameAsync(two.Admin, "north"));
        Assert.Equal(new[] { one.AdminTill, onesTill }.Order(), (await TillCodesAsync(one.Admin)).Order());
    }

    [Fact]
    public async Task A_duplicate_store_code_is_refused_and_the_first_store_kept()
    {
        var org = await TestOrg.CreateAsync(app);
        await org.Admin.PostAsJsonAsync("/v2/stores", new { code = "east", name = "First" });
        var again = await org.Admin.PostAsJsonAsync("/v2/stores", new { code = "east", name = "Second" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(409, (await again.Json()).ErrorCode());
        Assert.Equal("First", await StoreNameAsync(org.Admin, "east"));
        Assert.Equal(["main", "east"], await StoreCodesAsync(org.Admin));
    }

    [Fact]
    public async Task A_till_for_an_unknown_store_gets_404_and_a_taken_till_code_409()
    {
        var org = await TestOrg.CreateAsync(app);
        var unknown = await org.Admin.PostAsJsonAsync("/v2/tills", new { code = "x-" + org.OrgId, password = "password1", storeCode = "nowhere" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("nowhere", (await unknown.Json())["errors"]![0]!["message"]!.GetValue<string>());
        var taken = await org.Admin.PostAsJsonAsync("/v2/tills", new { code = org.AdminTill, password = "password1", storeCode = "main" });
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        var refusal = await taken.Json();
        Assert.Equal(409, refusal.ErrorCode());
        Assert.Contains("already taken", refusal["errors"]![0]!["message"]!.GetValue<string>());
        Assert.Equal([org.AdminTill], await TillCodesAsync(org.Admin));
        // The refused till did not replace the admin's password.
        Assert.Equal(HttpStatusCode.OK, (await app.Client(org.AdminTill, org.Password).GetAsync("/v2/tills")).StatusCode);
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
        var first = await org.CustomerAsync(mobile: "447700900002");
        var again = await org.Admin.PostAsJsonAsync("/v2/customers",
            new { profiles = new[] { new { firstName = "B", lastName = "B", identifiers = new[] { new { type = "mobile", value = "447700900002" } } } } });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var duplicate = await again.Json();
        Assert.Equal(409, duplicate.ErrorCode());
        Assert.Contains("mobile", duplicate["errors"]![0]!["message"]!.GetValue<string>());

        var other = await TestOrg.CreateAsync(app);
        var others = await other.CustomerAsync(mobile: "447700900002", firstName: "Grace");
        Assert.NotEqual(first, others);

        const string lookup = "/v2/customers/lookup?identifierName=mobile&identifierValue=447700900002";
        var found = await (await org.Admin.GetAsync(lookup)).Json();
        Assert.Equal(first, found["id"]!.GetValue<long>());
        Assert.Equal("Ada", found["profiles"]![0]!["firstName"]!.GetValue<string>());
        var foundByOther = await (await other.Admin.GetAsync(lookup)).Json();
        Assert.Equal(others, foundByOther["id"]!.GetValue<long>());
        Assert.Equal("Grace", foundByOther["profiles"]![0]!["firstName"]!.GetValue<string>());
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
        var stores = new List<long>();
        foreach (var code in new[] { "north", "south" })
            stores.Add((await (await org.Admin.PostAsJsonAsync("/v2/stores", new { code, name = code })).Json())["id"]!.GetValue<long>());
        var storeIdsJson = $"[{stores[0]},{stores[1]}]";
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
            storeIdsJson,
            alphaNumeric = true,
            randomCodeLength = 8,
            brands = new[] { "acme" },
        });
        var id = series["id"]!.GetValue<long>();
        Assert.True(id > 0);
        var read = await (await org.Admin.GetAsync($"/v2/coupon/series/{id}")).Json();
        Assert.Equal("SUMMER10", read["seriesCode"]!.GetValue<string>());
        Assert.Equal("Summer", read["description"]!.GetValue<string>());
        Assert.Equal("SUM10", read["discountCode"]!.GetValue<string>());
        Assert.Equal(10.5m, read["discountValue"]!.GetValue<decimal>());
        Assert.Equal("PERC", read["discountType"]!.GetValue<string>());
        Assert.Equal(1000, read["maxCreate"]!.GetValue<int>());
        Assert.Equal(500, read["maxRedeem"]!.GetValue<int>());
        Assert.True(read["isMultipleUseAllowed"]!.GetValue<bool>());
        Assert.Equal(storeIdsJson, read["storeIdsJson"]!.GetValue<string>());
        Assert.True(read["alphaNumeric"]!.GetValue<bool>());
        Assert.Equal(8, read["randomCodeLength"]!.GetValue<int>());
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
    public async Task A_duplicate_series_code_gives_751_and_only_the_first_series_is_stored()
    {
        var org = await TestOrg.CreateAsync(app);
        var first = await org.SeriesAsync(new { seriesCode = "DUP", description = "first" });
        foreach (var code in new[] { "DUP", "  DUP " })
        {
            var again = await org.Admin.PostAsJsonAsync("/v2/coupon/series", new { seriesCode = code, description = "again", discountValue = 5 });
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            var body = await again.Json();
            Assert.Equal(Status.DuplicateSeriesCode, body.ErrorCode());
            Assert.Equal(Status.V2Message(Status.DuplicateSeriesCode), body["errors"]![0]!["message"]!.GetValue<string>());
        }
        var stored = Assert.Single((await (await org.Admin.GetAsync("/v2/coupon/series")).Json())["series"]!.AsArray());
        Assert.Equal(first["id"]!.GetValue<long>(), stored!["id"]!.GetValue<long>());
        Assert.Equal("first", stored["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task Renaming_a_series_to_a_taken_code_gives_752_and_changes_neither_series()
    {
        var org = await TestOrg.CreateAsync(app);
        await org.SeriesAsync(new { seriesCode = "TAKEN", description = "the holder" });
        var other = await org.SeriesAsync(new { seriesCode = "MOVER", description = "before" });
        var id = other["id"]!.GetValue<long>();
        var rename = await org.Admin.PutAsJsonAsync($"/v2/coupon/series/{id}", new { seriesCode = "TAKEN", description = "after" });
        Assert.Equal(HttpStatusCode.Conflict, rename.StatusCode);
        Assert.Equal(Status.DuplicateSeriesCodeOnUpdate, (await rename.Json()).ErrorCode());
        var series = (await (await org.Admin.GetAsync("/v2/coupon/series")).Json())["series"]!.AsArray()
            .Select(s => (s!["seriesCode"]!.GetValue<string>(), s["description"]!.GetValue<string>()));
        Assert.Equal([("TAKEN", "the holder"), ("MOVER", "before")], series);
    }

    [Fact]
    public async Task An_empty_series_code_gives_753()
    {
        var org = await TestOrg.CreateAsync(app);
        var response = await org.Admin.PostAsJsonAsync("/v2/coupon/series", new { seriesCode = "  ", description = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(753, (await response.Json()).ErrorCode());
        Assert.Empty((await (await org.Admin.GetAsync("/v2/coupon/series")).Json())["series"]!.AsArray());
    }

    [Fact]
    public async Task A_GENERIC_series_without_its_shared_code_gives_754_and_with_it_is_stored()
    {
        var org = await TestOrg.CreateAsync(app);
        var missing = await org.Admin.PostAsJsonAsync("/v2/coupon/series", new { seriesCode = "G1", seriesType = "GENERIC" });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(754, (await missing.Json()).ErrorCode());
        var created = await org.SeriesAsync(new { seriesCode = "G2", seriesType = "GENERIC", generic = "WELCOME5" });
        var stored = await (await org.Admin.GetAsync($"/v2/coupon/series/{created["id"]}")).Json();
        Assert.Equal("GENERIC", stored["seriesType"]!.GetValue<string>());
        Assert.Equal("WELCOME5", stored["generic"]!.GetValue<string>());
        var listed = Assert.Single((await (await org.Admin.GetAsync("/v2/coupon/series")).Json())["series"]!.AsArray());
        Assert.Equal("G2", listed!["seriesCode"]!.GetValue<string>());
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
        Assert.Equal(753, (await bad.Json()).ErrorCode());
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
        Assert.Contains("UPLOADED", (await response.Json())["errors"]![0]!["message"]!.GetValue<string>());
        var read = await (await org.Admin.GetAsync($"/v2/coupon/series/{series["id"]}")).Json();
        Assert.Equal(0, read["numUploadedTotal"]!.GetValue<int>());
        Assert.Equal(0, read["numUploadedNonIssued"]!.GetValue<int>());
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
    public async Task Malformed_json_gets_400_in_the_envelope_naming_the_problem_and_stores_nothing()
    {
        var org = await TestOrg.CreateAsync(app);
        // Each body beside what its message must name: where the JSON breaks, or the field that cannot be read.
        (string Body, string Named)[] cases =
        [
            ("{\"seriesCode\": \"M1\", \"description\": ", "description: "),
            ("[1,2,3]", "the body must be an object"),
            ("{\"seriesCode\": \"M2\", \"maxCreate\": \"lots\"}", "maxCreate must be an integer"),
            ("\u0000\u0001", "invalid start of a value"),
        ];
        foreach (var (body, named) in cases)
        {
            var response = await org.Admin.PostAsync("/v2/coupon/series", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var envelope = await response.Json();
            Assert.Equal(400, envelope.ErrorCode());
            Assert.False(envelope["errors"]![0]!["status"]!.GetValue<bool>());
            var message = envelope["errors"]![0]!["message"]!.GetValue<string>();
            Assert.StartsWith("malformed request: ", message);
            Assert.Contains(named, message);
            Assert.Empty(envelope["warnings"]!.AsArray());
        }
        Assert.Empty((await (await org.Admin.GetAsync("/v2/coupon/series")).Json())["series"]!.AsArray());
    }

    static async Task<List<string>> StoreCodesAsync(HttpClient admin) =>
        (await (await admin.GetAsync("/v2/stores")).Json())["stores"]!.AsArray().Select(s => s!["code"]!.GetValue<string>()).ToList();

    static async Task<string> StoreNameAsync(HttpClient admin, string code) =>
        (await (await admin.GetAsync("/v2/stores")).Json())["stores"]!.AsArray().Single(s => s!["code"]!.GetValue<string>() == code)!["name"]!.GetValue<string>();

    static async Task<List<string>> TillCodesAsync(HttpClient admin) =>
        (await (await admin.GetAsync("/v2/tills")).Json())["tills"]!.AsArray().Select(t => t!["code"]!.GetValue<string>()).ToList();
}
