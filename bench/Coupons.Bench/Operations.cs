using System.Data.Common;
using System.Security.Cryptography;
using System.Text;

namespace Coupons.Bench;

/// <summary>
/// Each operation twice: as an HTTP request to the service, and as the same transaction written straight against the
/// database (no HTTP, no rules), so every line of the report has its service/raw ratio. Coupons consumed by redeems are
/// taken from shared cursors, so the raw run and the service run never redeem the same coupon.
/// </summary>
sealed class Operations(HttpClient http, Db db, DataSet data)
{
    long redeemCursor = -1, bulkCursor = -1, campaignCursor = -1;
    long RedeemPool => data.Customers * 7L / 10;

    public sealed record Op(string Name, string What, Func<long, Task<Outcome>> Service, Func<long, Task<Outcome>> Raw, bool UntilStop = false);

    public IReadOnlyList<Op> All =>
    [
        new("redeem", "v1.1 redeem of one coupon", RedeemService, RedeemRaw),
        new("redeem-campaign", $"v1.1 redeem of one coupon, all of one series ({data.Campaign:N0} coupons), each request a different customer", CampaignService, CampaignRaw),
        new("bulk-redeem-10", "v2 bulk redeem of a customer's 10 coupons", BulkService, BulkRaw),
        new("issue", "v1.1 issue, random series of all", k => IssueService(RandomSeries(), RandomCustomer(), flash: false), k => IssueRaw(RandomSeries(), RandomCustomer(), 1)),
        new("flash-sale", $"v1.1 issue, every client on one series with maxCreate {data.FlashMax:N0}, until sold out",
            k => IssueService(data.HotService, RandomCustomer(), flash: true), k => IssueRaw(data.HotRaw, RandomCustomer(), 1), UntilStop: true),
        new("issue-multiple-500", "v2 issue/multiple, count 500", IssueMultipleService, k => IssueRaw(RandomSeries(), RandomCustomer(), 500)),
        new("customer-coupons", "v2 customer coupons, a customer holding 1,000", CustomerCouponsService, CustomerCouponsRaw),
        new("isredeemable", "v1.1 isredeemable", IsRedeemableService, IsRedeemableRaw),
    ];

    long RandomSeries() => data.SeriesBase + Random.Shared.Next(data.Series);
    long RandomCustomer() => Random.Shared.Next(data.Customers);

    /// <summary>The next unused coupon of the redeem pool: one per customer in turn, so concurrent redeems never share a customer.</summary>
    (long Customer, int Slot)? NextRedeem()
    {
        var k = Interlocked.Increment(ref redeemCursor);
        var slot = (int)(k / RedeemPool);
        return slot >= DataSet.PerCustomer ? null : (k % RedeemPool, slot);
    }

    /// <summary>The next unused coupon of the campaign: customer i holds campaign coupon i.</summary>
    long? NextCampaign()
    {
        var k = Interlocked.Increment(ref campaignCursor);
        return k < data.Campaign ? k : null;
    }

    long? NextBulkCustomer()
    {
        var c = RedeemPool + Interlocked.Increment(ref bulkCursor);
        return c >= data.Customers ? null : c;
    }

    // ---- through the service -----------------------------------------------------------------

    static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    async Task<Outcome> SendAsync(HttpRequestMessage request, Func<int, string, Outcome> judge)
    {
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var o = judge((int)response.StatusCode, body);
        if (o == Outcome.Error) throw new InvalidOperationException($"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}");
        return o;
    }

    static Outcome OkIf200(int status, string _) => status == 200 ? Outcome.Ok : Outcome.Error;

    Task<Outcome> RedeemService(long _)
    {
        if (NextRedeem() is not var (customer, slot)) return Task.FromResult(Outcome.Stop);
        var body = $$$$$"""{"root":{"coupon":{"code":"{{{{{DataSet.Code(customer, slot)}}}}}","customer":{"mobile":"{{{{{DataSet.Mobile(customer)}}}}}"},"transaction":{"number":"b{{{{{customer}}}}}-{{{{{slot}}}}}"}}}}""";
        return SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1.1/coupon/redeem?format=json") { Content = Json(body) }, OkIf200);
    }

    Task<Outcome> CampaignService(long _)
    {
        if (NextCampaign() is not { } customer) return Task.FromResult(Outcome.Stop);
        var body = $$$$$"""{"root":{"coupon":{"code":"{{{{{DataSet.CampaignCode(customer)}}}}}","customer":{"mobile":"{{{{{DataSet.Mobile(customer)}}}}}"},"transaction":{"number":"c{{{{{customer}}}}}"}}}}""";
        return SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1.1/coupon/redeem?format=json") { Content = Json(body) }, OkIf200);
    }

    Task<Outcome> BulkService(long _)
    {
        if (NextBulkCustomer() is not { } customer) return Task.FromResult(Outcome.Stop);
        var codes = string.Join(",", Enumerable.Range(0, DataSet.PerCustomer).Select(s => $$$"""{"code":"{{{DataSet.Code(customer, s)}}}"}"""));
        var body = $$$"""{"redemptionRequestList":[{{{codes}}}],"transactionNumber":"bulk{{{customer}}}","user":{"mobile":"{{{DataSet.Mobile(customer)}}}"}}""";
        return SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v2/coupon/bulk/redeem") { Content = Json(body) }, OkIf200);
    }

    Task<Outcome> IssueService(long series, long customer, bool flash)
    {
        var body = $$$$$"""{"root":{"coupon":{"series_id":"{{{{{series}}}}}","customer":{"mobile":"{{{{{DataSet.Mobile(customer)}}}}}"}}}}""";
        return SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1.1/coupon/issue?format=json") { Content = Json(body) },
            (status, text) => status == 200 ? Outcome.Ok : flash && text.Contains("\"714\"") ? Outcome.Stop : Outcome.Error);
    }

    Task<Outcome> IssueMultipleService(long _)
    {
        var body = $$$"""{"seriesId":{{{RandomSeries()}}},"count":500,"customer":{"mobile":"{{{DataSet.Mobile(RandomCustomer())}}}"}}""";
        return SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v2/coupon/issue/multiple") { Content = Json(body) },
            (status, text) => status == 200 && text.Contains("\"successCount\":500") ? Outcome.Ok : Outcome.Error);
    }

    Task<Outcome> CustomerCouponsService(long _) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/v2/customers/{data.HeavyCustomerId}/coupons"), OkIf200);

    Task<Outcome> IsRedeemableService(long _)
    {
        var customer = RandomCustomer();
        return SendAsync(new HttpRequestMessage(HttpMethod.Get,
            $"/v1.1/coupon/isredeemable?format=json&code={DataSet.Code(customer, DataSet.PerCustomer - 1)}&mobile={DataSet.Mobile(customer)}"), OkIf200);
    }

    // ---- straight against the database ------------------------------------------------------

    async Task<bool> RedeemOneRawAsync(DbConnection c, DbTransaction tx, string code, string number, object now)
    {
        long couponId, seriesId, customerId;
        await using (var cmd = Db.Command(c, tx,
            "UPDATE coupons SET num_redemptions = num_redemptions + 1 WHERE org_id = 1 AND code_key = @k AND NOT is_generic AND num_redemptions = 0 RETURNING id, series_id, customer_id",
            ("k", code)))
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            if (!await r.ReadAsync()) return false;
            (couponId, seriesId, customerId) = (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2));
        }
        await Db.ExecAsync(c, tx,
            "INSERT INTO redemptions (org_id, coupon_id, series_id, customer_id, till_id, store_id, redeemed_at, transaction_number) VALUES (1, @c, @s, @u, @till, @store, @now, @n)",
            ("c", couponId), ("s", seriesId), ("u", customerId), ("till", data.TillId), ("store", data.StoreId), ("now", now), ("n", number));
        await Db.ExecAsync(c, tx, "UPDATE series SET num_redeemed = num_redeemed + 1, last_used = @now WHERE id = @s", ("now", now), ("s", seriesId));
        return true;
    }

    async Task<Outcome> RedeemRaw(long _)
    {
        if (NextRedeem() is not var (customer, slot)) return Outcome.Stop;
        var now = db.Time(DateTimeOffset.UtcNow);
        var ok = await db.WriteAsync((c, tx) => RedeemOneRawAsync(c, tx, DataSet.Code(customer, slot), $"b{customer}-{slot}", now));
        return ok ? Outcome.Ok : throw new InvalidOperationException($"raw redeem found coupon {DataSet.Code(customer, slot)} used");
    }

    async Task<Outcome> CampaignRaw(long _)
    {
        if (NextCampaign() is not { } customer) return Outcome.Stop;
        var now = db.Time(DateTimeOffset.UtcNow);
        var ok = await db.WriteAsync((c, tx) => RedeemOneRawAsync(c, tx, DataSet.CampaignCode(customer), $"c{customer}", now));
        return ok ? Outcome.Ok : throw new InvalidOperationException($"raw redeem found coupon {DataSet.CampaignCode(customer)} used");
    }

    async Task<Outcome> BulkRaw(long _)
    {
        if (NextBulkCustomer() is not { } customer) return Outcome.Stop;
        var now = db.Time(DateTimeOffset.UtcNow);
        // In series order: with --quick's 100 series, customers ten apart share all ten series, and two transactions
        // taking the same series rows in different orders deadlocked (40P01) on PostgreSQL.
        var slots = Enumerable.Range(0, DataSet.PerCustomer).OrderBy(s => data.SeriesOf(customer, s)).ToArray();
        var ok = await db.WriteAsync(async (c, tx) =>
        {
            foreach (var s in slots)
                if (!await RedeemOneRawAsync(c, tx, DataSet.Code(customer, s), $"bulk{customer}", now)) return false;
            return true;
        });
        return ok ? Outcome.Ok : Outcome.Error;
    }

    async Task<Outcome> IssueRaw(long series, long customer, int count)
    {
        var now = db.Time(DateTimeOffset.UtcNow);
        var issued = await db.WriteAsync(async (c, tx) =>
        {
            var bumped = await Db.ExecAsync(c, tx,
                "UPDATE series SET num_issued = num_issued + @n WHERE id = @s AND (max_create < 0 OR num_issued + @n <= max_create)", ("n", count), ("s", series));
            if (bumped == 0) return false;
            await using var insert = Db.Command(c, tx,
                """
                INSERT INTO coupons (org_id, series_id, code, code_key, customer_id, issued_by_till_id, issued_at_store_id, issued_on, pin_code, created_at)
                VALUES (1, @s, @code, @code, @u, @till, @store, @now, '0000', @now)
                """, ("s", series), ("code", ""), ("u", data.CustomerId(customer)), ("till", data.TillId), ("store", data.StoreId), ("now", now));
            for (var i = 0; i < count; i++)
            {
                insert.Parameters[1].Value = RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 12);
                await insert.ExecuteNonQueryAsync();
            }
            return true;
        });
        return issued ? Outcome.Ok : Outcome.Stop;
    }

    async Task<Outcome> CustomerCouponsRaw(long _)
    {
        await using var c = await db.OpenAsync();
        await using var cmd = Db.Command(c, null,
            """
            SELECT c.id, c.code, c.series_id, c.issued_on, c.valid_till, c.num_redemptions, c.pin_code, s.config, s.num_issued
            FROM coupons c JOIN series s ON s.id = c.series_id WHERE c.org_id = 1 AND c.customer_id = @u ORDER BY c.id DESC
            """, ("u", data.HeavyCustomerId));
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = 0;
        var values = new object[9];
        while (await r.ReadAsync()) { r.GetValues(values); rows++; }
        return rows == DataSet.HeavyCoupons ? Outcome.Ok : Outcome.Error;
    }

    async Task<Outcome> IsRedeemableRaw(long _)
    {
        var customer = RandomCustomer();
        await using var c = await db.OpenAsync();
        var values = new object[7];
        await using (var cmd = Db.Command(c, null,
            """
            SELECT c.id, c.customer_id, c.num_redemptions, c.valid_till, s.config, s.num_redeemed, s.max_redeem
            FROM coupons c JOIN series s ON s.id = c.series_id WHERE c.org_id = 1 AND c.code_key = @k AND NOT c.is_generic
            """, ("k", DataSet.Code(customer, DataSet.PerCustomer - 1))))
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            if (!await r.ReadAsync()) return Outcome.Error;
            r.GetValues(values);
        }
        var id = await Db.ScalarAsync(c, null, "SELECT id FROM customers WHERE org_id = 1 AND mobile = @m", ("m", DataSet.Mobile(customer)));
        return id is null ? Outcome.Error : Outcome.Ok;
    }
}
