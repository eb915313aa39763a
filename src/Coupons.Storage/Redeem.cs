using System.Data.Common;
using Coupons.Core;
using Dapper;

namespace Coupons.Storage;

/// <summary>
/// Redeeming coupons at a till (v1.1 redeem, v2 coupon/redeem and bulk/redeem) and the same rules changing nothing
/// (isredeemable): read the facts under the customer's and the coupon's locks, ask <see cref="RedeemRules"/>, then
/// write the redemption in one command whose first statement enforces the series' maxRedeem
/// (<see cref="RedemptionWritePostgres"/>, <see cref="RedemptionWriteSqlite"/>).
/// </summary>
public abstract partial class SqlStore
{
    public Task<RedeemResult> RedeemAsync(Caller caller, CustomerRef who, IReadOnlyList<RedeemRequest> items, bool allOrNothing) =>
        // A request under an Idempotency-Key marks its key in its own transaction: it commits alone.
        StoreTelemetry.Observe(RedeemBatches is { } batches && items.Count > 0 && CustomerCondition(who) is not null && IdempotencyScope.Current is null
            ? Enqueued(batches, new PendingRedeem(caller, who, items, allOrNothing)).Answer.Task
            : RedeemAloneAsync(caller, who, items, allOrNothing));

    /// <summary>Redeems in a write of its own (or the group committer's savepoint): the reads, rules and writes of each item in turn.</summary>
    async Task<RedeemResult> RedeemAloneAsync(Caller caller, CustomerRef who, IReadOnlyList<RedeemRequest> items, bool allOrNothing)
    {
        try
        {
            return await WriteAsync(async (c, tx) =>
            {
                var (customer, first) = await RedeemStartAsync(c, tx, caller.OrgId, who, items, lockRows: true);
                var results = new List<RedeemItemResult>();
                foreach (var item in items)
                {
                    var result = await EvaluateAsync(c, tx, caller, customer, item, lockRows: true, results.Count == 0 ? first : null);
                    if (result.Outcome.Ok) result = await WriteRedemptionAsync(c, tx, caller, customer!, result);
                    results.Add(result);
                }
                var answer = new RedeemResult(customer, results);
                if (allOrNothing && !answer.AllOk) throw new Abort(FailBatch(answer));
                return answer;
            });
        }
        catch (Abort a)
        {
            return (RedeemResult)a.Result;
        }
    }

    /// <summary>A refused batch: the items that failed keep their code, every other item reports 749, and none keeps a redemption id.</summary>
    static RedeemResult FailBatch(RedeemResult r) => r with
    {
        Items = r.Items.Select(i => i.Outcome.Ok ? i with { Outcome = new Outcome(Status.FailedBecauseOfOthers), RedemptionId = null, Discount = null } : i).ToList(),
    };

    public Task<RedeemResult> CheckRedeemableAsync(Caller caller, CustomerRef who, IReadOnlyList<RedeemRequest> items) =>
        StoreTelemetry.Observe(check: true, answer: ReadAsync(async c =>
        {
            var (customer, first) = await RedeemStartAsync(c, null, caller.OrgId, who, items, lockRows: false);
            var results = new List<RedeemItemResult>();
            foreach (var item in items) results.Add(await EvaluateAsync(c, null, caller, customer, item, lockRows: false, results.Count == 0 ? first : null));
            return new RedeemResult(customer, results);
        }));

    /// <summary>
    /// The usual case's facts in one statement (a coupon of its own code): the coupon (locked: the customer's row is
    /// already locked, so the order stays customer, coupon), its series (not locked: the conditional UPDATE on its
    /// counter decides the series limit) and the customer's live redemptions in that series, counted for the customer
    /// whose id <paramref name="customerId"/> gives. The customer's lock is taken by an earlier statement, so this
    /// statement's snapshot already sees every redemption of theirs. A request that names the coupon by id (v1.1
    /// redeem and isredeemable accept <c>id</c>) finds it by id, whatever its kind; else by its code (parameter key).
    /// </summary>
    string FactsSql(string customerId, bool lockRows, bool byId) =>
        $"""
        SELECT {CouponColumns}, s.{SeriesColumns.Replace(", ", ", s.")},
               (SELECT COUNT(*) FROM redemptions r WHERE r.customer_id = {customerId} AND r.series_id = c.series_id AND r.reversed_at IS NULL) AS in_series,
               (SELECT COUNT(*) FROM redemptions r WHERE r.customer_id = {customerId} AND r.series_id = c.series_id AND r.reversed_at IS NULL AND r.coupon_id = c.id) AS of_coupon,
               (SELECT MAX(r.redeemed_at) FROM redemptions r WHERE r.customer_id = {customerId} AND r.series_id = c.series_id AND r.reversed_at IS NULL) AS last_at
        FROM coupons c JOIN series s ON s.id = c.series_id
        WHERE c.org_id = @orgId AND {(byId ? "c.id = @couponId" : "c.code_key = @key AND NOT c.is_generic")}{(lockRows ? ForUpdateOf("c") : "")}
        """;

    static readonly int CouponColumnCount = CouponColumns.Split(", ").Length;
    static readonly int SeriesColumnCount = SeriesColumns.Split(", ").Length;

    /// <summary>One statement's facts: the coupon of a code with its series and the customer's redemption counts (all null when no such coupon).</summary>
    sealed record Facts(Coupon? Coupon, SeriesRow? Series, RedemptionStats? Stats);

    /// <summary>
    /// The customer (locked when <paramref name="lockRows"/>) and the facts of the first item, in one command: one
    /// round trip on PostgreSQL instead of two. At READ COMMITTED the facts statement takes its snapshot after the
    /// customer statement has finished, so with the customer's lock held, as when they were sent one by one.
    /// </summary>
    async Task<(Customer? Customer, Facts? First)> RedeemStartAsync(DbConnection c, DbTransaction? tx, long orgId, CustomerRef who, IReadOnlyList<RedeemRequest> items, bool lockRows)
    {
        if (items.Count == 0 || CustomerCondition(who) is not (string column, object value))
            return (await FindCustomerAsync(c, tx, orgId, who, lockRows), null);
        await using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText =
            $"SELECT {CustomerColumns} FROM customers WHERE org_id = @orgId AND {column} = @value{(lockRows ? ForUpdate : "")};\n" +
            FactsSql($"COALESCE((SELECT id FROM customers WHERE org_id = @orgId AND {column} = @value), 0)", lockRows, items[0].CouponId is not null);
        foreach (var (name, v) in new (string, object)[]
                 { ("orgId", orgId), ("value", value), ("key", CodeGenerator.Normalize(items[0].Code)), ("couponId", items[0].CouponId ?? 0) })
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = v;
            cmd.Parameters.Add(p);
        }
        await using var reader = await cmd.ExecuteReaderAsync();
        var customer = await reader.ReadAsync() ? reader.GetRowParser<Customer>()(reader) : null;
        if (customer is not null && await reader.ReadAsync()) throw new InvalidOperationException("more than one customer matches");
        await reader.NextResultAsync();
        return (customer, await ReadFactsAsync(reader));
    }

    /// <summary>The facts of one <see cref="FactsSql"/> result: its one row, or all null when no coupon matched.</summary>
    static async Task<Facts> ReadFactsAsync(DbDataReader reader)
    {
        if (!await reader.ReadAsync()) return new Facts(null, null, null);
        var facts = new Facts(
            reader.GetRowParser<Coupon>(typeof(Coupon), 0, CouponColumnCount)(reader),
            reader.GetRowParser<SeriesRow>(typeof(SeriesRow), CouponColumnCount, SeriesColumnCount)(reader),
            reader.GetRowParser<RedemptionStats>(typeof(RedemptionStats), CouponColumnCount + SeriesColumnCount, 3)(reader));
        if (await reader.ReadAsync()) throw new InvalidOperationException("more than one coupon matches");
        return facts;
    }

    async Task<RedeemItemResult> EvaluateAsync(DbConnection c, DbTransaction? tx, Caller caller, Customer? customer, RedeemRequest item, bool lockRows, Facts? prefetched = null)
    {
        var orgId = caller.OrgId;
        var key = CodeGenerator.Normalize(item.Code);
        var forUpdate = lockRows ? ForUpdate : "";
        var customerId = customer?.Id ?? 0;
        var found = prefetched ?? (await c.QueryAsync<Coupon, SeriesRow, RedemptionStats, Facts>(
            FactsSql("@customerId", lockRows, item.CouponId is not null), (k, s, st) => new Facts(k, s, st),
            new { orgId, key, couponId = item.CouponId ?? 0, customerId }, tx, splitOn: "id,in_series"))
            .SingleOrDefault() ?? new Facts(null, null, null);
        if (found.Coupon is not null || item.CouponId is not null) return Decide(caller, customer, item, found);

        // No coupon of its own code: a GENERIC code, held by this customer or not.
        Coupon? coupon = null;
        Series? series = null;
        var genericNotHeld = false;
        int ofCoupon = 0, inSeries = 0;
        DateTimeOffset? last = null;
        if (customer is not null)
            coupon = await c.QuerySingleOrDefaultAsync<Coupon>(
                $"SELECT {CouponColumns} FROM coupons c WHERE c.org_id = @orgId AND c.code_key = @key AND c.is_generic AND c.customer_id = @customerId{forUpdate}",
                new { orgId, key, customerId = customer.Id }, tx);
        if (coupon is null)
            genericNotHeld = await c.ExecuteScalarAsync<long?>(
                "SELECT id FROM coupons WHERE org_id = @orgId AND code_key = @key AND is_generic LIMIT 1", new { orgId, key }, tx) is not null;
        else
        {
            series = await GetSeriesAsync(c, tx, orgId, coupon.SeriesId, lockRow: false);
            var stats = await c.QuerySingleAsync<RedemptionStats>(
                """
                SELECT COUNT(*) AS in_series, COALESCE(SUM(CASE WHEN coupon_id = @couponId THEN 1 ELSE 0 END), 0) AS of_coupon, MAX(redeemed_at) AS last_at
                FROM redemptions WHERE customer_id = @customerId AND series_id = @seriesId AND reversed_at IS NULL
                """, new { couponId = coupon.Id, customerId = customer!.Id, seriesId = coupon.SeriesId }, tx);
            (ofCoupon, inSeries, last) = ((int)stats.OfCoupon, (int)stats.InSeries, stats.LastAt);
        }
        return Check(caller, customer, item, coupon, series, unissued: false, genericNotHeld, ofCoupon, inSeries, last);
    }

    /// <summary>
    /// The rules on the facts of one <see cref="FactsSql"/> row. A batch (RedeemBatch.cs) adds what its earlier
    /// redemptions changed: <paramref name="seriesRedeemedBefore"/> of the series, <paramref name="ownInSeries"/>
    /// redemptions of this customer in the series, the latest at <paramref name="ownLast"/>.
    /// </summary>
    RedeemItemResult Decide(Caller caller, Customer? customer, RedeemRequest item, Facts found,
        int seriesRedeemedBefore = 0, int ownInSeries = 0, DateTimeOffset? ownLast = null)
    {
        var coupon = found.Coupon;
        var series = found.Series?.ToSeries();
        if (series is not null && seriesRedeemedBefore != 0) series = series with { NumRedeemed = series.NumRedeemed + seriesRedeemedBefore };
        int ofCoupon = 0, inSeries = 0;
        DateTimeOffset? last = null;
        if (coupon is not null && customer is not null && found.Stats is { } counted) (ofCoupon, inSeries, last) = ((int)counted.OfCoupon, (int)counted.InSeries, counted.LastAt);
        inSeries += ownInSeries;
        if (ownLast is not null && (last is null || ownLast > last)) last = ownLast;
        // An uploaded code nobody was given yet: 719, and nothing of its series is shown.
        var unissued = coupon is { CustomerId: null };
        if (unissued) (coupon, series) = (null, null);
        return Check(caller, customer, item, coupon, series, unissued, genericNotHeld: false, ofCoupon, inSeries, last);
    }

    RedeemItemResult Check(Caller caller, Customer? customer, RedeemRequest item, Coupon? coupon, Series? series, bool unissued, bool genericNotHeld,
        int ofCoupon, int inSeries, DateTimeOffset? last)
    {
        var outcome = RedeemRules.Check(new RedeemFacts
        {
            Request = item,
            Customer = customer,
            Coupon = coupon,
            Series = series,
            CodeUnissued = unissued,
            GenericNotIssuedToCustomer = genericNotHeld,
            Caller = caller,
            Now = Now,
            CustomerRedemptionsOfCoupon = ofCoupon,
            CustomerRedemptionsInSeries = inSeries,
            LastCustomerRedemptionInSeries = last,
        });
        var discount = outcome.Ok ? Discounts.For(series!, item.BillAmount, caller.Org.CurrencyDecimals) : null;
        return new RedeemItemResult(item, outcome, coupon, series, null, discount);
    }

    /// <summary>
    /// The writes of one redemption in one command (one round trip), in this order and each only if the one before it
    /// took effect: the series counter's conditional UPDATE (<c>num_redeemed &lt; max_redeem</c>: the statement that
    /// enforces a series' maxRedeem, the only thing that decides it), the coupon counter (<c>num_redemptions = @seen</c>),
    /// the redemption row, its outbox row (the event's payload around the redemption id: <c>@before || id || @after</c>).
    /// Answers the redemption id, or nothing when something did not take effect.
    /// </summary>
    string RedemptionWriteSql => IsPostgres ? RedemptionWritePostgres : RedemptionWriteSqlite;

    // PostgreSQL: data-modifying CTEs, each fed by the one before it. The series UPDATE is an ordinary conditional
    // UPDATE (it waits for a concurrent one and rechecks).
    const string RedemptionWritePostgres =
        $"""
        WITH s AS (
            UPDATE series SET num_redeemed = num_redeemed + 1, last_used = @at
            WHERE org_id = @orgId AND id = @seriesId AND (max_redeem <= 0 OR num_redeemed < max_redeem) RETURNING id),
        k AS (
            UPDATE coupons SET num_redemptions = num_redemptions + 1
            WHERE id = @couponId AND num_redemptions = @seen AND EXISTS (SELECT 1 FROM s) RETURNING id),
        r AS (
            INSERT INTO redemptions (org_id, coupon_id, series_id, customer_id, till_id, store_id, redeemed_at, transaction_number, bill_amount, custom_fields, discount_amount)
            SELECT @orgId, @couponId, @seriesId, @customerId, @tillId, @storeId, @at, CAST(@number AS text), CAST(@amount AS numeric), CAST(@custom AS text), CAST(@discount AS numeric) FROM k
            RETURNING id),
        o AS (
            {InsertOutbox}
            SELECT @orgId, @kind, CAST(@before AS text) || r.id || CAST(@after AS text), @now, @now FROM r WHERE {OutboxWanted})
        SELECT id FROM r
        """;

    // SQLite: statements in one command, each after the first running only if the one before changed a row
    // (changes() counts the rows of the last INSERT/UPDATE/DELETE). The redemption INSERT answers its id; the outbox
    // INSERT after it reads the same id as last_insert_rowid().
    const string RedemptionWriteSqlite =
        $"""
        UPDATE series SET num_redeemed = num_redeemed + 1, last_used = @at
        WHERE org_id = @orgId AND id = @seriesId AND (max_redeem <= 0 OR num_redeemed < max_redeem);
        UPDATE coupons SET num_redemptions = num_redemptions + 1 WHERE id = @couponId AND num_redemptions = @seen AND changes() = 1;
        INSERT INTO redemptions (org_id, coupon_id, series_id, customer_id, till_id, store_id, redeemed_at, transaction_number, bill_amount, custom_fields, discount_amount)
        SELECT @orgId, @couponId, @seriesId, @customerId, @tillId, @storeId, @at, @number, @amount, @custom, @discount WHERE changes() = 1
        RETURNING id;
        {InsertOutbox}
        SELECT @orgId, @kind, @before || last_insert_rowid() || @after, @now, @now WHERE changes() = 1 AND {OutboxWanted};
        """;

    async Task<RedeemItemResult> WriteRedemptionAsync(DbConnection c, DbTransaction tx, Caller caller, Customer customer, RedeemItemResult checkedItem)
    {
        var coupon = checkedItem.Coupon!;
        var series = checkedItem.Series!;
        var now = Now;
        var r = checkedItem.Request;
        var at = r.RedemptionTime ?? now;
        var (before, after) = CouponEvent.Of(CouponEvents.Redeemed, coupon, customer.Id).AroundRedemptionId();
        var redemptionId = await c.ExecuteScalarAsync<long?>(RedemptionWriteSql, new
        {
            orgId = caller.OrgId,
            seriesId = series.Id,
            couponId = coupon.Id,
            seen = coupon.NumRedemptions,
            customerId = customer.Id,
            tillId = caller.Till.Id,
            storeId = caller.Store.Id,
            at,
            number = r.TransactionNumber,
            amount = r.BillAmount,
            custom = r.CustomFields,
            discount = checkedItem.Discount,
            kind = CouponEvents.Redeemed,
            messages = false,
            before,
            after,
            now,
        }, tx);
        if (redemptionId is null)
        {
            // Nothing after the series counter ran unless it moved; if the coupon's counter is where it was, the
            // series limit refused (nothing was written). Otherwise the coupon moved under its lock: roll it all back.
            var seen = await c.ExecuteScalarAsync<int>("SELECT num_redemptions FROM coupons WHERE id = @id", new { id = coupon.Id }, tx);
            if (seen != coupon.NumRedemptions) throw new InvalidOperationException($"coupon {coupon.Id} changed under its row lock");
            return checkedItem with { Outcome = new Outcome(Status.MaxRedemptionsReached) };
        }
        return checkedItem with
        {
            RedemptionId = redemptionId,
            Coupon = coupon with { NumRedemptions = coupon.NumRedemptions + 1 },
            Series = series with { NumRedeemed = series.NumRedeemed + 1 },
        };
    }

    sealed class RedemptionStats
    {
        public long InSeries { get; set; }
        public long OfCoupon { get; set; }
        public DateTimeOffset? LastAt { get; set; }
    }
}
