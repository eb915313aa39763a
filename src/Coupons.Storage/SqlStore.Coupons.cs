using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json;
using Coupons.Core;
using Dapper;

namespace Coupons.Storage;

public abstract partial class SqlStore
{
    /// <summary>How a worker takes the next free uploaded code: " FOR UPDATE SKIP LOCKED" on PostgreSQL, so concurrent issues take different codes.</summary>
    protected abstract string SkipLocked { get; }

    /// <summary>"column matches any id of the list": Dapper expands IN @list for SQLite, but hands Npgsql the list as one array parameter.</summary>
    protected virtual string InList(string column, string parameter) => $"{column} IN {parameter}";

    const string CouponColumns =
        "c.id, c.org_id, c.series_id, c.code, c.customer_id, c.issued_by_till_id, c.issued_at_store_id, c.issued_on, c.valid_till, c.pin_code, c.num_redemptions, c.revoked, c.metadata";

    /// <summary>Thrown inside a write transaction to roll it back and answer with <see cref="Result"/> instead.</summary>
    sealed class Abort(object result) : Exception
    {
        public object Result { get; } = result;
    }

    // ---- Issue -----------------------------------------------------------------------------

    public async Task<IssueResult> IssueAsync(Caller caller, long seriesId, CustomerRef who, int count = 1, string? metadata = null) =>
        await WriteAsync(async (c, tx) =>
        {
            var orgId = caller.OrgId;
            var (customer, series, held) = await IssueStartAsync(c, tx, orgId, who, seriesId);
            var issued = new List<IssuedCoupon>();
            var refusal = Outcome.Success;
            var zone = Zone(caller.Org.TimeZone);
            IssueFacts? facts = null;
            // The outbox rows of the whole request go in one statement at the end (same transaction).
            var events = new List<(string Kind, Coupon Coupon)>();
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
                    events.Add(("coupon.resent", existing));
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
                if (!outboxWritten) events.Add(("coupon.issued", coupon));
                issued.Add(new IssuedCoupon(coupon, Resent: false));
                series = series! with { NumIssued = series.NumIssued + 1 };
                facts = facts with { CouponsHeldInSeries = facts.CouponsHeldInSeries + 1, LastIssuedInSeries = now, ActiveCouponInSeries = facts.ActiveCouponInSeries ?? (coupon.ValidTill is null || coupon.ValidTill > now ? coupon : null) };
            }
            if (planned > 0)
            {
                var taken = await TakeCouponsAsync(c, tx, caller, start!, customer!, planned, bulkNow, zone, metadata);
                foreach (var coupon in taken)
                {
                    events.Add(("coupon.issued", coupon));
                    issued.Add(new IssuedCoupon(coupon, Resent: false));
                }
                series = start! with { NumIssued = start.NumIssued + taken.Count };
                if (taken.Count < planned) refusal = new Outcome(Status.MaxCreateReached);
            }
            if (events.Count > 0) await OutboxAsync(c, tx, orgId, events, customer!, Now);
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
        var active = held.FirstOrDefault(k => (k.ValidTill is null || k.ValidTill > now) && (series.IsMultipleUseAllowed || k.NumRedemptions == 0));
        var exclusive = MutuallyExclusiveIds(series);
        var holdsExclusive = exclusive.Length > 0 && await c.ExecuteScalarAsync<long?>(
            $"""
            SELECT id FROM coupons WHERE org_id = @orgId AND customer_id = @customerId AND NOT revoked
              AND {InList("series_id", "@exclusive")} AND (valid_till IS NULL OR valid_till > @now) LIMIT 1
            """, new { orgId, customerId = customer.Id, exclusive, now }, tx) is not null;
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

    static long[] MutuallyExclusiveIds(Series s)
    {
        try
        {
            using var doc = JsonDocument.Parse(s.MutualExclusiveSeriesIds);
            return doc.RootElement.ValueKind != JsonValueKind.Array ? [] : doc.RootElement.EnumerateArray()
                .Select(e => e.ValueKind == JsonValueKind.Number ? e.GetInt64() : long.TryParse(e.GetString(), out var n) ? n : -1)
                .Where(id => id > 0 && id != s.Id).ToArray();
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>
    /// One statement that issues a coupon of a generated series (null where the backend has none): the series
    /// counter's conditional UPDATE, the coupon's INSERT (only if the counter moved; nothing if the code is taken) and
    /// its outbox row (payload <c>{"couponId":</c> id <c>,</c> then <c>@rest</c>). Answers one row: <c>bumped</c> (0 or
    /// 1), then the coupon's columns (all NULL when no coupon was inserted). Parameters: orgId, seriesId, code,
    /// customerId, tillId, storeId, now, validTill, pin, metadata, rest.
    /// </summary>
    protected virtual string? IssueGeneratedSql => null;

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
            // The outbox payload less its first field: the coupon id is the one the INSERT gives.
            var rest = CouponEventRest(code, series.Id, customer.Id, redemptionId: null);
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
                rest,
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
                WHERE org_id = @orgId AND id = @id AND (max_create < 0 OR num_issued < max_create){(uploaded ? " AND num_uploaded_non_issued > 0" : "")}
                """, new { orgId, id = series.Id }, tx);
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
            "UPDATE series SET num_issued = num_issued + @n WHERE org_id = @orgId AND id = @id AND (max_create < 0 OR num_issued + @n <= max_create)",
            new { orgId, id = series.Id, n }, tx) == 1 ? n : 0;
        if (granted == 0)
        {
            while (granted < n && await c.ExecuteAsync(
                "UPDATE series SET num_issued = num_issued + 1 WHERE org_id = @orgId AND id = @id AND (max_create < 0 OR num_issued < max_create)",
                new { orgId, id = series.Id }, tx) == 1) granted++;
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

    /// <summary>The coupon columns as an INSERT or UPDATE of coupons returns them.</summary>
    protected static readonly string ReturnedCoupon = CouponColumns.Replace("c.", "");

    /// <summary>A coupon event's outbox payload: <c>{"couponId":…,"code":…,"seriesId":…,"customerId":…,"redemptionId":…}</c>.</summary>
    static string CouponEventPayload(Coupon coupon, long customerId, long? redemptionId) =>
        "{\"couponId\":" + coupon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) + "," + CouponEventRest(coupon.Code, coupon.SeriesId, customerId, redemptionId);

    /// <summary>The payload after its first field, for a statement that appends it to the coupon id it inserts.</summary>
    static string CouponEventRest(string code, long seriesId, long customerId, long? redemptionId) =>
        JsonSerializer.Serialize(new { code, seriesId, customerId, redemptionId }, CouponJson.Options)[1..];

    /// <summary>Outbox rows for several coupons of one customer in one statement.</summary>
    async Task OutboxAsync(DbConnection c, DbTransaction tx, long orgId, List<(string Kind, Coupon Coupon)> events, Customer customer, DateTimeOffset now)
    {
        var args = new DynamicParameters(new { orgId, now });
        var rows = new System.Text.StringBuilder();
        for (var i = 0; i < events.Count; i++)
        {
            var (kind, coupon) = events[i];
            args.Add($"k{i}", kind);
            args.Add($"p{i}", CouponEventPayload(coupon, customer.Id, redemptionId: null));
            rows.Append(i == 0 ? "" : ", ").Append($"(@orgId, @k{i}, @p{i}, @now, @now)");
        }
        await c.ExecuteAsync($"INSERT INTO outbox (org_id, kind, payload, next_attempt_at, created_at) VALUES {rows}", args, tx);
    }

    async Task OutboxAsync(DbConnection c, DbTransaction tx, long orgId, string kind, Coupon coupon, Customer customer, DateTimeOffset now, long? redemptionId = null)
    {
        var payload = CouponEventPayload(coupon, customer.Id, redemptionId);
        await c.ExecuteAsync(
            "INSERT INTO outbox (org_id, kind, payload, next_attempt_at, created_at) VALUES (@orgId, @kind, @payload, @now, @now)",
            new { orgId, kind, payload, now }, tx);
    }

    static TimeZoneInfo Zone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.Utc;
        }
    }

    // ---- Redeem ----------------------------------------------------------------------------

    public async Task<RedeemResult> RedeemAsync(Caller caller, CustomerRef who, IReadOnlyList<RedeemRequest> items, bool allOrNothing)
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
        Items = r.Items.Select(i => i.Outcome.Ok ? i with { Outcome = new Outcome(Status.FailedBecauseOfOthers), RedemptionId = null } : i).ToList(),
    };

    public async Task<RedeemResult> CheckRedeemableAsync(Caller caller, CustomerRef who, IReadOnlyList<RedeemRequest> items)
    {
        await using var c = await OpenReadAsync();
        var (customer, first) = await RedeemStartAsync(c, null, caller.OrgId, who, items, lockRows: false);
        var results = new List<RedeemItemResult>();
        foreach (var item in items) results.Add(await EvaluateAsync(c, null, caller, customer, item, lockRows: false, results.Count == 0 ? first : null));
        return new RedeemResult(customer, results);
    }

    /// <summary>"FOR UPDATE OF alias": on PostgreSQL a join locks only the named table's row; empty on SQLite.</summary>
    protected abstract string ForUpdateOf(string alias);

    /// <summary>
    /// The usual case's facts in one statement (a coupon of its own code): the coupon (locked: the customer's row is
    /// already locked, so the order stays customer, coupon), its series (not locked: the conditional UPDATE on its
    /// counter decides the series limit) and the customer's live redemptions in that series, counted for the customer
    /// whose id <paramref name="customerId"/> gives. The customer's lock is taken by an earlier statement, so this
    /// statement's snapshot already sees every redemption of theirs.
    /// </summary>
    string FactsSql(string customerId, bool lockRows) =>
        $"""
        SELECT {CouponColumns}, s.{SeriesColumns.Replace(", ", ", s.")},
               (SELECT COUNT(*) FROM redemptions r WHERE r.customer_id = {customerId} AND r.series_id = c.series_id AND r.reversed_at IS NULL) AS in_series,
               (SELECT COUNT(*) FROM redemptions r WHERE r.customer_id = {customerId} AND r.series_id = c.series_id AND r.reversed_at IS NULL AND r.coupon_id = c.id) AS of_coupon,
               (SELECT MAX(r.redeemed_at) FROM redemptions r WHERE r.customer_id = {customerId} AND r.series_id = c.series_id AND r.reversed_at IS NULL) AS last_at
        FROM coupons c JOIN series s ON s.id = c.series_id
        WHERE c.org_id = @orgId AND c.code_key = @key AND NOT c.is_generic{(lockRows ? ForUpdateOf("c") : "")}
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
            FactsSql($"COALESCE((SELECT id FROM customers WHERE org_id = @orgId AND {column} = @value), 0)", lockRows);
        foreach (var (name, v) in new (string, object)[] { ("orgId", orgId), ("value", value), ("key", CodeGenerator.Normalize(items[0].Code)) })
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
        if (!await reader.ReadAsync()) return (customer, new Facts(null, null, null));
        var facts = new Facts(
            reader.GetRowParser<Coupon>(typeof(Coupon), 0, CouponColumnCount)(reader),
            reader.GetRowParser<SeriesRow>(typeof(SeriesRow), CouponColumnCount, SeriesColumnCount)(reader),
            reader.GetRowParser<RedemptionStats>(typeof(RedemptionStats), CouponColumnCount + SeriesColumnCount, 3)(reader));
        if (await reader.ReadAsync()) throw new InvalidOperationException("more than one coupon matches");
        return (customer, facts);
    }

    async Task<RedeemItemResult> EvaluateAsync(DbConnection c, DbTransaction? tx, Caller caller, Customer? customer, RedeemRequest item, bool lockRows, Facts? prefetched = null)
    {
        var orgId = caller.OrgId;
        var key = CodeGenerator.Normalize(item.Code);
        var forUpdate = lockRows ? ForUpdate : "";
        var customerId = customer?.Id ?? 0;
        var found = prefetched ?? (await c.QueryAsync<Coupon, SeriesRow, RedemptionStats, Facts>(
            FactsSql("@customerId", lockRows), (k, s, st) => new Facts(k, s, st), new { orgId, key, customerId }, tx, splitOn: "id,in_series"))
            .SingleOrDefault() ?? new Facts(null, null, null);
        var coupon = found.Coupon;
        var series = found.Series?.ToSeries();
        int ofCoupon = 0, inSeries = 0;
        DateTimeOffset? last = null;
        if (coupon is not null && customer is not null && found.Stats is { } counted) (ofCoupon, inSeries, last) = ((int)counted.OfCoupon, (int)counted.InSeries, counted.LastAt);
        var unissued = false;
        var genericNotHeld = false;
        if (coupon is { CustomerId: null }) { unissued = true; coupon = null; series = null; }
        if (coupon is null && !unissued)
        {
            coupon = customer is null ? null : await c.QuerySingleOrDefaultAsync<Coupon>(
                $"SELECT {CouponColumns} FROM coupons c WHERE c.org_id = @orgId AND c.code_key = @key AND c.is_generic AND c.customer_id = @customerId{forUpdate}",
                new { orgId, key, customerId = customer.Id }, tx);
            if (coupon is null)
                genericNotHeld = await c.ExecuteScalarAsync<long?>(
                    "SELECT id FROM coupons WHERE org_id = @orgId AND code_key = @key AND is_generic LIMIT 1", new { orgId, key }, tx) is not null;
            series = coupon is null ? null : await GetSeriesAsync(c, tx, orgId, coupon.SeriesId, lockRow: false);
            if (coupon is not null && customer is not null)
            {
                var stats = await c.QuerySingleAsync<RedemptionStats>(
                    """
                    SELECT COUNT(*) AS in_series, COALESCE(SUM(CASE WHEN coupon_id = @couponId THEN 1 ELSE 0 END), 0) AS of_coupon, MAX(redeemed_at) AS last_at
                    FROM redemptions WHERE customer_id = @customerId AND series_id = @seriesId AND reversed_at IS NULL
                    """, new { couponId = coupon.Id, customerId = customer.Id, seriesId = coupon.SeriesId }, tx);
                (ofCoupon, inSeries, last) = ((int)stats.OfCoupon, (int)stats.InSeries, stats.LastAt);
            }
        }
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
        return new RedeemItemResult(item, outcome, coupon, series, null);
    }

    /// <summary>
    /// The writes of one redemption in one command (one round trip), in this order and each only if the one before it
    /// took effect: the series counter's conditional UPDATE (<c>num_redeemed &lt; max_redeem</c>, the only thing that
    /// decides the series limit), the coupon counter (<c>num_redemptions = @seen</c>), the redemption row, its outbox
    /// row (payload <c>@payload</c> followed by the redemption id and <c>}</c>). Answers the redemption id, or NULL
    /// when something did not take effect. Parameters: orgId, seriesId, couponId, seen, customerId, tillId, storeId,
    /// at, number, amount, custom, payload, now.
    /// </summary>
    protected abstract string RedemptionWriteSql { get; }

    async Task<RedeemItemResult> WriteRedemptionAsync(DbConnection c, DbTransaction tx, Caller caller, Customer customer, RedeemItemResult checkedItem)
    {
        var coupon = checkedItem.Coupon!;
        var series = checkedItem.Series!;
        var now = Now;
        var r = checkedItem.Request;
        var at = r.RedemptionTime ?? now;
        var payload = JsonSerializer.Serialize(new { couponId = coupon.Id, code = coupon.Code, seriesId = coupon.SeriesId, customerId = customer.Id }, CouponJson.Options);
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
            payload = payload[..^1] + ",\"redemptionId\":",
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

    // ---- Reverse, resend -------------------------------------------------------------------

    public async Task<Outcome> ReverseAsync(Caller caller, IReadOnlyList<long> redemptionIds)
    {
        if (redemptionIds.Count == 0) return new Outcome(Status.NoRedemptionIds);
        try
        {
            return await WriteAsync(async (c, tx) =>
            {
                var now = Now;
                foreach (var id in redemptionIds.Distinct().Order())
                {
                    // The redeemer's row first, as a redemption takes it: a reversal and a redemption of the same
                    // customer then queue on it, instead of taking coupon and series rows in opposite orders (a
                    // deadlock, which the guarantees harness met under load).
                    await c.ExecuteAsync(
                        $"SELECT id FROM customers WHERE id = (SELECT customer_id FROM redemptions WHERE org_id = @orgId AND id = @id){ForUpdate}",
                        new { orgId = caller.OrgId, id }, tx);
                    var r = await c.QuerySingleOrDefaultAsync<Redemption>(
                        $"SELECT id, org_id, coupon_id, series_id, customer_id FROM redemptions WHERE org_id = @orgId AND id = @id AND reversed_at IS NULL{ForUpdate}",
                        new { orgId = caller.OrgId, id }, tx);
                    if (r is null) throw new Abort(new Outcome(Status.InvalidRedemptionIds, $"{Status.Message(Status.InvalidRedemptionIds)}: {id}"));
                    await c.ExecuteAsync("UPDATE redemptions SET reversed_at = @now, reversed_by_till_id = @till WHERE id = @id", new { id, now, till = caller.Till.Id }, tx);
                    await c.ExecuteAsync("UPDATE coupons SET num_redemptions = num_redemptions - 1 WHERE id = @CouponId", r, tx);
                    await c.ExecuteAsync("UPDATE series SET num_redeemed = num_redeemed - 1 WHERE id = @SeriesId", r, tx);
                    var payload = JsonSerializer.Serialize(new { redemptionId = id, couponId = r.CouponId, seriesId = r.SeriesId, customerId = r.CustomerId }, CouponJson.Options);
                    await c.ExecuteAsync(
                        "INSERT INTO outbox (org_id, kind, payload, next_attempt_at, created_at) VALUES (@orgId, 'coupon.redemption_reversed', @payload, @now, @now)",
                        new { orgId = caller.OrgId, payload, now }, tx);
                }
                return Outcome.Success;
            });
        }
        catch (Abort a)
        {
            return (Outcome)a.Result;
        }
    }

    public async Task<Result<CouponDetail>> ResendAsync(Caller caller, CustomerRef who, long? couponId, string? code)
    {
        if (couponId is null && string.IsNullOrWhiteSpace(code)) return new Outcome(Status.EitherIdOrCode);
        var ids = await WriteAsync<Result<long>>(async (c, tx) =>
        {
            // The spec's sample names the coupon alone (resend?id=…): without a customer it goes to the coupon's holder.
            Customer? customer = null;
            if (!who.IsEmpty)
            {
                customer = await FindCustomerAsync(c, tx, caller.OrgId, who, lockRow: true);
                if (customer is null) return new Outcome(Status.CustomerNotFound);
            }
            var coupon = await c.QueryFirstOrDefaultAsync<Coupon>(
                $"""
                SELECT {CouponColumns} FROM coupons c
                WHERE c.org_id = @orgId AND {(couponId is null ? "c.code_key = @key" : "c.id = @couponId")} AND c.customer_id IS NOT NULL
                ORDER BY CASE WHEN c.customer_id = @customerId THEN 0 ELSE 1 END LIMIT 1
                """, new { orgId = caller.OrgId, couponId, key = CodeGenerator.Normalize(code ?? ""), customerId = customer?.Id ?? 0 }, tx);
            if (coupon is null) return new Outcome(Status.InvalidCode);
            if (customer is not null && coupon.CustomerId != customer.Id) return new Outcome(Status.NotIssuedToCustomer);
            if (coupon.Revoked) return new Outcome(Status.Revoked);
            customer ??= await c.QuerySingleAsync<Customer>(
                $"SELECT {CustomerColumns} FROM customers WHERE org_id = @orgId AND id = @id", new { orgId = caller.OrgId, id = coupon.CustomerId }, tx);
            if (await GetSeriesAsync(c, tx, caller.OrgId, coupon.SeriesId, lockRow: false) is { } series
                && MessageTemplates.Unreachable(series, customer) is { } unreachable) return unreachable;
            await OutboxAsync(c, tx, caller.OrgId, "coupon.resent", coupon, customer, Now);
            return Result<long>.Success(coupon.Id);
        });
        if (!ids.Ok) return ids.Outcome;
        return Result<CouponDetail>.Success((await GetCouponsAsync(caller.OrgId, [ids.Value], [])).Single());
    }

    public Task<Result<AmendedRedemption>> AmendRedemptionAsync(
        Caller caller, long redemptionId, string? transactionNumber, decimal? billAmount, IReadOnlyList<CustomFields.Field> customFields) =>
        WriteAsync<Result<AmendedRedemption>>(async (c, tx) =>
        {
            var r = await c.QuerySingleOrDefaultAsync<Redemption>(
                $"""
                SELECT id, org_id, coupon_id, series_id, customer_id, till_id, store_id, redeemed_at, transaction_number, bill_amount, custom_fields
                FROM redemptions WHERE org_id = @orgId AND id = @redemptionId AND reversed_at IS NULL{ForUpdate}
                """, new { orgId = caller.OrgId, redemptionId }, tx);
            if (r is null) return new Outcome(Status.InvalidRedemptionIds, $"{Status.Message(Status.InvalidRedemptionIds)}: {redemptionId}");
            if (billAmount is { } amount && !RedeemRules.BillAmountAllowed((await GetSeriesAsync(c, tx, caller.OrgId, r.SeriesId, lockRow: false))!, amount))
                return new Outcome(Status.InvalidTransactionAmount);
            var changed = r with
            {
                TransactionNumber = transactionNumber ?? r.TransactionNumber,
                BillAmount = billAmount ?? r.BillAmount,
                CustomFields = CustomFields.Merge(r.CustomFields, customFields),
            };
            await c.ExecuteAsync(
                "UPDATE redemptions SET transaction_number = @TransactionNumber, bill_amount = @BillAmount, custom_fields = @CustomFields WHERE id = @Id",
                changed, tx);
            var code = await c.ExecuteScalarAsync<string>("SELECT code FROM coupons WHERE id = @CouponId", changed, tx);
            return Result<AmendedRedemption>.Success(new AmendedRedemption(changed, code!));
        });

    public Task<bool> RevokeAsync(long orgId, long couponId) =>
        WriteAsync(async (c, tx) => await c.ExecuteAsync(
            "UPDATE coupons SET revoked = TRUE WHERE org_id = @orgId AND id = @couponId AND customer_id IS NOT NULL",
            new { orgId, couponId }, tx) == 1);

    sealed class RedemptionStats
    {
        public long InSeries { get; set; }
        public long OfCoupon { get; set; }
        public DateTimeOffset? LastAt { get; set; }
    }
}
