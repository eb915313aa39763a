using System.Net;
using System.Net.Http.Json;
using Dapper;

namespace Coupons.Server.Tests;

public sealed class IdentifierTests_Sqlite(SqliteApp app) : IdentifierTests<SqliteApp>(app);
public sealed class IdentifierTests_Postgres(PostgresApp app) : IdentifierTests<PostgresApp>(app);

/// <summary>Mobiles (E.164 digits) and emails (lower case) normalised on write and on look-up: any form a till types finds the customer.</summary>
public abstract class IdentifierTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : CouponsApp
{
    static async Task<HttpStatusCode> LookupAsync(TestOrg org, string name, string value) =>
        (await org.Admin.GetAsync($"/v2/customers/lookup?identifierName={name}&identifierValue={Uri.EscapeDataString(value)}")).StatusCode;

    [Fact]
    public async Task A_customer_stored_from_an_international_form_is_found_by_every_form_of_the_number_and_email()
    {
        var org = await TestOrg.CreateAsync(app);
        var customerId = await org.CustomerAsync(mobile: "+44 7700 900001", email: "Ada.Lovelace@Example.COM");
        var stored = await (await org.Admin.GetAsync($"/v2/customers/{customerId}")).Json();
        Assert.Contains(stored["profiles"]![0]!["identifiers"]!.AsArray(), i => i!["value"]!.GetValue<string>() == "447700900001");
        Assert.Contains(stored["profiles"]![0]!["identifiers"]!.AsArray(), i => i!["value"]!.GetValue<string>() == "ada.lovelace@example.com");

        foreach (var form in new[] { "447700900001", "+447700900001", "0044 7700 900001", "+44 (0)7700 900-001" })
            Assert.Equal(HttpStatusCode.OK, await LookupAsync(org, "mobile", form));
        Assert.Equal(HttpStatusCode.OK, await LookupAsync(org, "email", " ADA.LOVELACE@EXAMPLE.COM"));
        // A national form needs the organisation's country.
        Assert.Equal(HttpStatusCode.NotFound, await LookupAsync(org, "mobile", "07700 900001"));

        var set = await org.Admin.PutAsJsonAsync("/v2/organisation", new { defaultCountry = "gb" });
        Assert.Equal("GB", (await set.Json())["defaultCountry"]!.GetValue<string>());
        Assert.Equal("GB", (await (await org.Admin.GetAsync("/v2/organisation")).Json())["defaultCountry"]!.GetValue<string>());
        foreach (var form in new[] { "07700 900001", "07700900001", "447700900001", "+44 7700 900001" })
            Assert.Equal(HttpStatusCode.OK, await LookupAsync(org, "mobile", form));

        // Another customer typed in the national form is the same number: refused as taken.
        var again = await org.Admin.PostAsJsonAsync("/v2/customers", new { profiles = new[] { new { identifiers = new[] { new { type = "mobile", value = "07700 900001" } } } } });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Issue_redeem_and_isredeemable_find_the_customer_by_any_form()
    {
        var org = await TestOrg.CreateAsync(app);
        await org.Admin.PutAsJsonAsync("/v2/organisation", new { defaultCountry = "GB" });
        var till = await org.TillAsync();
        var customerId = await org.CustomerAsync(mobile: "07700 900002", email: "grace@example.com");
        var seriesId = (await org.SeriesAsync(new { isMultipleVouchersPerUserAllowed = true, smsTemplate = "{{voucher}}" }))["id"]!.GetValue<long>();

        var issued = await (await till.PostAsJsonAsync("/v2/coupon/issue/multiple", new { seriesId, count = 2, customer = new { mobile = "+44 7700 900002" } })).Json();
        Assert.Equal(customerId, issued["customer"]!["id"]!.GetValue<long>());
        var codes = issued["coupons"]!.AsArray().Select(c => c!["code"]!.GetValue<string>()).ToList();

        var v11 = await V11.IssueAsync(till, seriesId, "0044 7700 900002");
        Assert.Equal(700, v11.ItemCode);

        var redeemable = await (await till.GetAsync($"/v2/coupon/is_redeemable?code={codes[0]}&mobile={Uri.EscapeDataString("07700 900 002")}")).Json();
        Assert.True(redeemable["coupons"]![0]!["isRedeemable"]!.GetValue<bool>(), redeemable.ToJsonString());
        var redeemed = await (await till.PostAsJsonAsync("/v2/coupon/bulk/redeem", new
        {
            redemptionRequestList = new[] { new { code = codes[0] } },
            billAmount = 20,
            user = new { mobile = "7700 900002" },
        })).Json();
        Assert.True(redeemed["redemptionResponseList"]![0]!["isRedeemed"]!.GetValue<bool>(), redeemed.ToJsonString());
        V11.AssertRedeemed(await V11.RedeemAsync(till, codes[1], "+447700900002"));
        Assert.Equal(2, (await org.Store.ListCustomerCouponsAsync(org.OrgId, customerId)).Count(d => d.Coupon.NumRedemptions == 1));
    }

    [Fact]
    public async Task What_cannot_be_a_phone_number_is_refused_with_721_naming_the_mobile()
    {
        var org = await TestOrg.CreateAsync(app);
        var till = await org.TillAsync();
        var create = await org.Admin.PostAsJsonAsync("/v2/customers", new { profiles = new[] { new { identifiers = new[] { new { type = "mobile", value = "call me" } } } } });
        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        var body = await create.Json();
        Assert.Equal(721, body.ErrorCode());
        Assert.Contains("mobile 'call me'", body["errors"]![0]!["message"]!.GetValue<string>());

        var seriesId = (await org.SeriesAsync())["id"]!.GetValue<long>();
        var issue = await till.PostAsJsonAsync("/v2/coupon/issue/multiple", new { seriesId, count = 1, customer = new { mobile = "+44 77OO" } });
        Assert.Equal(HttpStatusCode.BadRequest, issue.StatusCode);
        Assert.Equal(721, (await issue.Json()).ErrorCode());
        V11.AssertRefused(await V11.IssueAsync(till, seriesId, "not-a-number"), 721);
        var country = await org.Admin.PutAsJsonAsync("/v2/organisation", new { defaultCountry = "XX" });
        Assert.Equal(HttpStatusCode.BadRequest, country.StatusCode);
    }

    [Fact]
    public async Task Migration_0008_rewrites_stored_mobiles_and_emails_it_can_and_leaves_a_clash_alone()
    {
        var org = await TestOrg.CreateAsync(app);
        await using var db = await app.OpenDatabaseAsync();
        var rows = new (string Mobile, string? Email)[]
        {
            ("+44 7700 900101", null), ("0044-7700-900102", null), ("447700900103", null), ("+44 7700 900103", null),
            ("07700 900104", "Grace@Example.COM"), ("(0)20 7946 0105", " x@example.com "),
        };
        foreach (var (mobile, email) in rows)
            await db.ExecuteAsync("INSERT INTO customers (org_id, first_name, last_name, mobile, email, created_at) VALUES (@orgId, 'A', 'B', @mobile, @email, @now)",
                new { orgId = org.OrgId, mobile, email, now = DateTime.UtcNow });

        // The data part of the migration as the store ran it (its first statement, the column, is already applied).
        var resource = typeof(Storage.ICouponStore).Assembly.GetManifestResourceNames()
            .Single(n => n.Contains(app.Provider == "sqlite" ? ".Sqlite." : ".Postgres.", StringComparison.Ordinal) && n.EndsWith("0008_identifiers.sql", StringComparison.Ordinal));
        using var reader = new StreamReader(typeof(Storage.ICouponStore).Assembly.GetManifestResourceStream(resource)!);
        var sql = await reader.ReadToEndAsync();
        var column = sql.IndexOf("ADD COLUMN default_country", StringComparison.Ordinal);
        await db.ExecuteAsync(sql[(sql.IndexOf(';', column) + 1)..]);

        var after = (await db.QueryAsync<(string Mobile, string? Email)>(
            "SELECT mobile, email FROM customers WHERE org_id = @orgId ORDER BY id", new { orgId = org.OrgId })).ToArray();
        Assert.Equal(
            [("447700900101", null), ("447700900102", null), ("447700900103", null), ("+44 7700 900103", null),
             ("07700900104", "grace@example.com"), ("02079460105", "x@example.com")],
            after);
        Assert.Equal(HttpStatusCode.OK, await LookupAsync(org, "mobile", "+44 7700 900102"));
        Assert.Equal(HttpStatusCode.OK, await LookupAsync(org, "email", "GRACE@example.com"));
        Assert.Equal(HttpStatusCode.OK, await LookupAsync(org, "mobile", "07700 900104"));
    }
}
