using System.Data.Common;
using System.Security.Cryptography;
using Coupons.Core;
using Dapper;

namespace Coupons.Storage;

/// <summary>
/// Issuing coupons of a series to a customer (v1.1 issue, v2 issue and issue/multiple): read the facts under the
/// customer's lock, ask <see cref="IssueRules"/>, then take each coupon with a conditional UPDATE of the series'
/// issued counter (<see cref="UnderMaxCreate"/>, the only place maxCreate is enforced) and write its outbox event.
/// </summary>
public abstract partial class SqlStore
{
    /// <summary>
    /// The condition that enforces a series' maxCreate: the issued counter may move by <c>@n</c> only while the
    /// result stays within it (a negative maxCreate is no limit). Every statement that issues coupons moves the
    /// counter with it, so two requests cannot both slip under the limit.
    /// </summary>
    const string UnderMaxCreate = "(max_create < 0 OR num_issued + @n <= max_create)";

    public Task<IssueResult> IssueAsync(Caller caller, long seriesId, CustomerRef who, int count = 1, string? metadata = null) =>
        // A request under an Idempotency-Key marks its key in its own transaction: it commits alone.
        StoreTelemetry.Observe(IssueBatches is { } batches && count == 1 && CustomerCondition(who) is not null && IdempotencyScope.Current is null
            ? Enqueued(batches, new PendingIssue(caller, seriesId, who, metadata)).Answer.Task
            : IssueAloneAsync(caller, seriesId, who, count, metadata));

    /// <summary>Issues in a write of its own (or the group committer's savepoint, keyed by the series).</summary>
    async Task<IssueResult> IssueAloneAsync(Caller caller, long seriesId, CustomerRef who, int count, string? metadata) =>
        await WriteAsync(async (c, tx) =>
        {
            var orgId = caller.OrgId;
            var (customer, series, held) = await IssueStartAsync(c, tx, orgId, who, seriesId);
            var issued = new List<IssuedCoupon>();
            var refusal = Outcome.Success;
            var zone = TimeZones.FindOrUtc(caller.Org.TimeZone);
            IssueFacts? facts = null;
            // The outbox rows of the whole request go in one statement at the end (same transaction).
            var events = new List<CouponEvent>();
            // Several coupons of a generated series: decide them all first, then take them in two statements
            // (the series counter, one multi-row INSERT) instead of a counter UPDATE and an INSERT each.
            var bulk = count > 1 && series is { Kind: SeriesKind.Generated };
            var planned = 0;
            var start = series;
            var bulkNow = Now;
            for (var i = 0; i < count; i++)
            {
                var now = bulk ? bulkNow : Now;
                // Read once; after that this transaction's own coupons are the only change (the customer's row is locked).
                facts = facts is null ? await IssueFactsAsync(c, tx, orgId, series, customer, now, held) : facts with { Series = series, Now = now };
                var decision = IssueRules.Check(facts);
                if (decision.Action == IssueAction.Refuse) { refusal = decision.Outcome; break; }
                // Within one call the "existing" coupon is the one just issued: sending it again would count it twice.
                if (decision.Action == IssueAction.ResendExisting && (issued.Count > 0 || planned > 0)) { refusal = new Outcome(Status.OnlyOneCoupon); break; }
                if (decision.Action == IssueAction.ResendExisting)
                {
                    var existing = facts.ActiveCouponInSeries!;
                    events.Add(CouponEvent.ToCustomer(CouponEvents.Resent, existing, series!, customer!));
                    issued.Add(new IssuedCoupon(existing, Resent: true));
                    break;
                }
                if (bulk)
                {
                    // Only its validity matters to the rules' next turn (an active coupon now held).
                    var validTill = IssueRules.ValidTill(series!, now, zone);
                    planned++;
                    series = series! with { NumIssued = series.NumIssued + 1 };
                    facts = facts with { CouponsHeldInSeries = facts.CouponsHeldInSeries + 1, LastIssuedInSeries = now, ActiveCouponInSeries = facts.ActiveCouponInSeries ?? (validTill is null || validTill > now ? new Coupon { ValidTill = validTill } : null) };
                    continue;
                }
                var (coupon, outboxWritten) = await TakeCouponAsync(c, tx, caller, series!, customer!, now, zone, metadata);
                if (coupon is null) { refusal = new Outcome(Status.MaxCreateReached); break; }
                if (!outboxWritten) events.Add(CouponEvent.ToCustomer(CouponEvents.Issued, coupon, series!, customer!));
                issued.Add(new IssuedCoupon(coupon, Resent: false));
                series = series! with { NumIssued = series.NumIssued + 1 };
                facts = facts with { CouponsHeldInSeries = facts.CouponsHeldInSeries + 1, LastIssuedInSeries = now, ActiveCouponInSeries = facts.ActiveCouponInSeries ?? (coupon.ValidTill is null || coupon.ValidTill > now ? coupon : null) };
            }
            if (planned > 0)
            {
                var taken = await TakeCouponsAsync(c, tx, caller, start!, customer!, planned, bulkNow, zone, metadata);
                foreach (var coupon in taken)
                {
                    events.Add(CouponEvent.ToCustomer(CouponEvents.Issued, coupon, start!, customer!));
                    issued.Add(new IssuedCoupon(coupon, Resent: false));
                }
                series = start! with { NumIssued = start.NumIssued + taken.Count };
                if (taken.Count < planned) refusal = new Outcome(Status.MaxCreateReached);
            }
            await OutboxAsync(c, tx, orgId, events, Now);
            return new IssueResult { Series = series, Customer = customer, Coupons = issued, Refusal = refusal, Requested = count };
        }, key: seriesId, large: count > 10);

    /// <summary>
    /// The customer (row locked), the series and the customer's coupons of that series, in one command: one round trip
    /// on PostgreSQL instead of three. At READ COMMITTED each statement of the command takes its snapshot when it
    /// starts, after the one before has finished, so the coupons are read with the customer's lock already held and
    /// include every issue of theirs committed before it.
    /// </summary>
    async Task<(Customer? Customer, Series? Series, List<Coupon> Held)> IssueStartAsync(DbConnection c, DbTransaction tx, long orgId, CustomerRef who, long seriesId)
    {
        if (CustomerCondition(who) is not (string column, object value))
            return (null, await GetSeriesAsync(c, tx, orgId, seriesId, lockRow: false), []);
        using var grid = await c.QueryMultipleAsync(
            $"""
            SELECT {CustomerColumns} FROM customers WHERE org_id = @orgId AND {column} = @value{ForUpdate};
            SELECT {SeriesColumns} FROM series WHERE org_id = @orgId AND id = @seriesId;
            SELECT {CouponColumns} FROM coupons c WHERE c.org_id = @orgId AND c.series_id = @seriesId AND NOT c.revoked
              AND c.customer_id = (SELECT id FROM customers WHERE org_id = @orgId AND {column} = @value) ORDER BY c.id;
            """, new { orgId, value, seriesId }, tx);
        var customer = await grid.ReadSingleOrDefaultAsync<Customer>();
        var series = (await grid.ReadSingleOrDefaultAsync<SeriesRow>())?.ToSeries();
        var held = (await grid.ReadAsync<Coupon>()).ToList();
        return (customer, series, customer is null ? [] : held);
    }

    async Task<IssueFacts> IssueFactsAsync(DbConnection c, DbTransaction tx, long orgId, Series? series, Customer? customer, DateTimeOffset now, List<Coupon> held)
    {
        if (series is null || customer is null) return new IssueFacts { Series = series, Customer = customer, Now = now };
        var exclusive = MutuallyExclusiveIds(series);
        var holdsExclusive = exclusive.Length > 0 && await c.ExecuteScalarAsync<long?>(
            $"""
            SELECT id FROM coupons WHERE org_id = @orgId AND customer_id = @customerId AND NOT revoked
              AND {InList("series_id", "@exclusive")} AND (valid_till IS NULL OR valid_till > @now) LIMIT 1
            """, new { orgId, customerId = customer.Id, exclusive, now }, tx) is not null;
        return IssueFactsOf(series, customer, now, held, holdsExclusive);
    }

    /// <summary>The rules' facts from the customer's coupons of the series (<paramref name="held"/>, not revoked).</summary>
    static IssueFacts IssueFactsOf(Series series, Customer customer, DateTimeOffset now, List<Coupon> held, bool holdsExclusive)
    {
        var active = held.FirstOrDefault(k => (k.ValidTill is null || k.ValidTill > now) && (series.IsMultipleUseAllowed || k.NumRedemptions == 0));
        return new IssueFacts
        {
            Series = series,
            Customer = customer,
            Now = now,
            CouponsHeldInSeries = held.Count,
            LastIssuedInSeries = held.Count == 0 ? null : held.Max(k => k.IssuedOn),
            ActiveCouponInSeries = active,
            HoldsMutuallyExclusiveCoupon = holdsExclusive,
        };
    }

    /// <summary>The other series whose active coupons exclude this one's (mutualExclusiveSeriesIds; validated when the series is saved).</summary>
    static long[] MutuallyExclusiveIds(Series s) =>
        IdList.TryParse(s.MutualExclusiveSeriesIds, out var ids) ? ids.Where(id => id > 0 && id != s.Id).ToArray() : [];

    /// <summary>
    /// One statement that issues a coupon of a generated series (null where the backend has none): the series
    /// counter's conditional UPDATE, the coupon's INSERT (only if the counter moved; nothing if the code is taken) and
    /// its outbox row (payload <c>{"couponId":</c> id <c>,</c> then <c>@rest</c>). Answers one row: <c>bumped</c> (0 or
    /// 1), then the coupon's columns (all NULL when no coupon was inserted). Parameters: orgId, seriesId, code,
    /// customerId, tillId, storeId, now, validTill, pin, metadata, rest.
    /// </summary>
    string? IssueGeneratedSql => IsPostgres ? IssueGeneratedPostgres : null;

    // SQLite has no data-modifying CTEs, and its statements are calls inside the process, not round trips: it takes
    // the counter and the coupon in two statements, and the outbox row with the request's others.
    // PostgreSQL: counter, coupon (ON CONFLICT: a taken code inserts nothing), outbox, each fed by the one before it.
    // The last SELECT always answers one row, so the caller tells "series exhausted" (count 0) from "code taken"
    // (count 1, no coupon).
    const string IssueGeneratedPostgres =
        $$"""
        WITH s AS (
            UPDATE series SET num_issued = num_issued + @n
            WHERE org_id = @orgId AND id = @seriesId AND {{UnderMaxCreate}} RETURNING id),
        k AS (
            INSERT INTO coupons (org_id, series_id, code, code_key, customer_id, issued_by_till_id, issued_at_store_id,
                                 issued_on, valid_till, pin_code, metadata, created_at)
            SELECT @orgId, @seriesId, @code, @code, @customerId, @tillId, @storeId, @now, @validTill, @pin, CAST(@metadata AS text), @now FROM s
            ON CONFLICT (org_id, code_key) WHERE NOT is_generic DO NOTHING
            RETURNING {{ReturnedCoupon}}),
        o AS (
            {{InsertOutbox}}
            SELECT @orgId, @kind, CAST(@before AS text) || k.id || CAST(@after AS text), @now, @now FROM k WHERE {{OutboxWanted}})
        SELECT (SELECT COUNT(*) FROM s) AS count, k.* FROM (SELECT 1) AS one LEFT JOIN k ON TRUE
        """;

    sealed class Bumped
    {
        public long Count { get; set; }
    }

    /// <summary>
    /// Takes one coupon for the customer: bumps the series' issued counter only while under maxCreate
    /// (the conditional UPDATE is what makes the limit hold under any concurrency), then creates or assigns the code.
    /// Returns null when the series is exhausted; nothing is then written. OutboxWritten: the coupon's outbox row was
    /// written with it (else the caller writes it).
    /// </summary>
    async Task<(Coupon? Coupon, bool OutboxWritten)> TakeCouponAsync(DbConnection c, DbTransaction tx, Caller caller, Series series, Customer customer, DateTimeOffset now, TimeZoneInfo zone, string? metadata)
    {
        var orgId = caller.OrgId;
        var uploaded = series.Kind == SeriesKind.Uploaded;
        var validTill = IssueRules.ValidTill(series, now, zone);
        if (series.Kind == SeriesKind.Generated && IssueGeneratedSql is { } oneStatement)
        {
            var code = CodeGenerator.Generate(series.AlphaNumeric, series.RandomCodeLength);
            // The coupon id in the outbox payload is the one the INSERT gives.
            var (before, after) = new CouponEvent(CouponEvents.Issued, 0, code, series.Id, customer.Id).AroundCouponId();
            var (counted, inserted) = (await c.QueryAsync<Bumped, Coupon, (Bumped, Coupon?)>(oneStatement, (b, k) => (b, k), new
            {
                orgId,
                seriesId = series.Id,
                code,
                customerId = customer.Id,
                tillId = caller.Till.Id,
                storeId = caller.Store.Id,
                now,
                validTill,
                pin = RandomNumberGenerator.GetString("0123456789", 4),
                metadata,
                n = 1,
                kind = CouponEvents.Issued,
                messages = MessageTemplates.Reaches(series, customer),
                before,
                after,
            }, tx, splitOn: "id")).Single();
            if (counted.Count == 0) return (null, false);
            if (inserted is not null) return (inserted, true);
            // The random code was someone else's (rare): the counter has moved; the loop below finds a free code.
        }
        else
        {
            var bumped = await c.ExecuteAsync(
                $"""
                UPDATE series SET num_issued = num_issued + 1{(uploaded ? ", num_uploaded_non_issued = num_uploaded_non_issued - 1" : "")}
                WHERE org_id = @orgId AND id = @id AND {UnderMaxCreate}{(uploaded ? " AND num_uploaded_non_issued > 0" : "")}
                """, new { orgId, id = series.Id, n = 1 }, tx);
            if (bumped == 0) return (null, false);
        }

        var p = new
        {
            orgId,
            seriesId = series.Id,
            customerId = customer.Id,
            tillId = caller.Till.Id,
            storeId = caller.Store.Id,
            now,
            validTill,
            pin = RandomNumberGenerator.GetString("0123456789", 4),
            metadata,
        };
        Coupon? taken;
        switch (series.Kind)
        {
            case SeriesKind.Uploaded:
                taken = await c.QuerySingleOrDefaultAsync<Coupon>(
                    $"""
                    UPDATE coupons SET customer_id = @customerId, issued_by_till_id = @tillId, issued_at_store_id = @storeId,
                           issued_on = @now, valid_till = @validTill, pin_code = @pin, metadata = @metadata
                    WHERE id = (SELECT id FROM coupons WHERE series_id = @seriesId AND customer_id IS NULL ORDER BY id LIMIT 1{SkipLocked})
                    RETURNING {ReturnedCoupon}
                    """, p, tx);
                if (taken is null) throw new InvalidOperationException($"series {series.Id} counts uploaded codes it does not have");
                break;
            case SeriesKind.Generic:
                var code = series.Generic ?? "";
                taken = await c.QuerySingleAsync<Coupon>(
                    $"""
                    INSERT INTO coupons (org_id, series_id, code, code_key, is_generic, customer_id, issued_by_till_id, issued_at_store_id,
                                         issued_on, valid_till, pin_code, metadata, created_at)
                    VALUES (@orgId, @seriesId, @code, @key, TRUE, @customerId, @tillId, @storeId, @now, @validTill, @pin, @metadata, @now)
                    RETURNING {ReturnedCoupon}
                    """, new { p.orgId, p.seriesId, code, key = CodeGenerator.Normalize(code), p.customerId, p.tillId, p.storeId, p.now, p.validTill, p.pin, p.metadata }, tx);
                break;
            default:
                taken = null;
                for (var attempt = 0; taken is null; attempt++)
                {
                    if (attempt == 20) throw new InvalidOperationException($"no free code found for series {series.Id}: its code space is nearly used up");
                    var generated = CodeGenerator.Generate(series.AlphaNumeric, series.RandomCodeLength);
                    taken = await c.QuerySingleOrDefaultAsync<Coupon>(
                        $"""
                        INSERT INTO coupons (org_id, series_id, code, code_key, customer_id, issued_by_till_id, issued_at_store_id,
                                             issued_on, valid_till, pin_code, metadata, created_at)
                        VALUES (@orgId, @seriesId, @code, @code, @customerId, @tillId, @storeId, @now, @validTill, @pin, @metadata, @now)
                        ON CONFLICT (org_id, code_key) WHERE NOT is_generic DO NOTHING
                        RETURNING {ReturnedCoupon}
                        """, new { p.orgId, p.seriesId, code = generated, p.customerId, p.tillId, p.storeId, p.now, p.validTill, p.pin, p.metadata }, tx);
                }
                break;
        }
        return (taken, false);
    }

    /// <summary>
    /// Takes up to <paramref name="n"/> coupons of a generated series for the customer: the counter moves by all of
    /// them in one conditional UPDATE while they fit under maxCreate, else by one conditional UPDATE per coupon until
    /// it refuses (the limit's edge, exact as for single issues); then the codes go in multi-row INSERTs, again for
    /// the codes that were taken already. Returns the coupons taken, in id order (fewer than n: maxCreate reached).
    /// </summary>
    async Task<List<Coupon>> TakeCouponsAsync(DbConnection c, DbTransaction tx, Caller caller, Series series, Customer customer, int n, DateTimeOffset now, TimeZoneInfo zone, string? metadata)
    {
        var orgId = caller.OrgId;
        var granted = await c.ExecuteAsync(
            $"UPDATE series SET num_issued = num_issued + @n WHERE org_id = @orgId AND id = @id AND {UnderMaxCreate}",
            new { orgId, id = series.Id, n }, tx) == 1 ? n : 0;
        if (granted == 0)
        {
            while (granted < n && await c.ExecuteAsync(
                $"UPDATE series SET num_issued = num_issued + @n WHERE org_id = @orgId AND id = @id AND {UnderMaxCreate}",
                new { orgId, id = series.Id, n = 1 }, tx) == 1) granted++;
        }
        var validTill = IssueRules.ValidTill(series, now, zone);
        var taken = new List<Coupon>(granted);
        for (var attempt = 0; taken.Count < granted; attempt++)
        {
            if (attempt == 20) throw new InvalidOperationException($"no free code found for series {series.Id}: its code space is nearly used up");
            var missing = granted - taken.Count;
            var codes = new HashSet<string>();
            for (var tries = 0; codes.Count < missing && tries < missing * 20; tries++) codes.Add(CodeGenerator.Generate(series.AlphaNumeric, series.RandomCodeLength));
            var args = new DynamicParameters(new { orgId, seriesId = series.Id, customerId = customer.Id, tillId = caller.Till.Id, storeId = caller.Store.Id, now, validTill, metadata });
            var rows = new System.Text.StringBuilder();
            var i = 0;
            foreach (var code in codes)
            {
                args.Add($"c{i}", code);
                args.Add($"p{i}", RandomNumberGenerator.GetString("0123456789", 4));
                rows.Append(i == 0 ? "" : ", ").Append($"(@orgId, @seriesId, @c{i}, @c{i}, @customerId, @tillId, @storeId, @now, @validTill, @p{i}, @metadata, @now)");
                i++;
            }
            taken.AddRange(await c.QueryAsync<Coupon>(
                $"""
                INSERT INTO coupons (org_id, series_id, code, code_key, customer_id, issued_by_till_id, issued_at_store_id,
                                     issued_on, valid_till, pin_code, metadata, created_at)
                VALUES {rows}
                ON CONFLICT (org_id, code_key) WHERE NOT is_generic DO NOTHING
                RETURNING {ReturnedCoupon}
                """, args, tx));
        }
        taken.Sort((a, b) => a.Id.CompareTo(b.Id));
        return taken;
    }

}
