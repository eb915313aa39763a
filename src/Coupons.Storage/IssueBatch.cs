using System.Data.Common;
using System.Security.Cryptography;
using Coupons.Core;
using Dapper;

namespace Coupons.Storage;

/// <summary>
/// Single issues on PostgreSQL, batched as redemptions are (RedeemBatch.cs): one transaction of three round trips for
/// the issues waiting (every request's customer locked, its series and its coupons of the series; the rules; every
/// write; the COMMIT). Each series' issued counter moves once per batch by the batch's total under
/// <see cref="UnderMaxCreate"/>, so a flash sale takes many coupons per commit. The answers are those of running the
/// requests one after another in batch order: the customer is locked before their coupons are read, and the batch's
/// own issues of a series are added to its count in memory. Issued on their own instead: several coupons at once,
/// UPLOADED series, series with mutually exclusive series, requests under an Idempotency-Key, a customer an earlier
/// request of the batch already has; and every request of a batch that fails as a whole (a counter that refused at
/// maxCreate's edge, a random code someone holds, a lock wait past the short timeout).
/// </summary>
public abstract partial class SqlStore
{
    const int MaxIssueBatch = 64;

    /// <summary>The issue committers; null where issues commit through <see cref="WriteAsync{T}"/>.</summary>
    protected BatchCommitters<PendingIssue>? IssueBatches { get; init; }

    protected BatchCommitters<PendingIssue> NewIssueCommitters(int committers) =>
        new(committers, MaxIssueBatch, IssueBatchAsync, async p =>
        {
            try
            {
                p.Answer.TrySetResult(await IssueAloneAsync(p.Caller, p.SeriesId, p.Who, 1, p.Metadata));
            }
            catch (Exception e)
            {
                p.Answer.TrySetException(e);
            }
        });

    protected sealed record PendingIssue(Caller Caller, long SeriesId, CustomerRef Who, string? Metadata)
    {
        public readonly TaskCompletionSource<IssueResult> Answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One coupon the batch decided to issue (or, with <c>Resend</c>, to send again).</summary>
    sealed record IssueWrite(PendingIssue Request, Series Series, Customer Customer, Coupon Coupon, bool Resend);

    async Task<IReadOnlyList<PendingIssue>> IssueBatchAsync(List<PendingIssue> batch)
    {
        await using var c = await OpenReadAsync();
        await using var tx = await c.BeginTransactionAsync();

        // Round trip 1: per request, the customer (locked), the series, the customer's coupons of the series.
        var facts = new List<(Customer? Customer, Series? Series, List<Coupon> Held)>(batch.Count);
        using (var reads = c.CreateBatch())
        {
            reads.Transaction = tx;
            Add(reads, "SELECT set_config('lock_timeout', '200ms', TRUE)");
            foreach (var p in batch)
            {
                var (column, value) = CustomerCondition(p.Who)!.Value;
                var args = new (string, object?)[] { ("orgId", p.Caller.OrgId), ("value", value), ("seriesId", p.SeriesId) };
                Add(reads, $"SELECT {CustomerColumns} FROM customers WHERE org_id = @orgId AND {column} = @value{ForUpdate}", args);
                Add(reads, $"SELECT {SeriesColumns} FROM series WHERE org_id = @orgId AND id = @seriesId", args);
                Add(reads, $"""
                    SELECT {CouponColumns} FROM coupons c WHERE c.org_id = @orgId AND c.series_id = @seriesId AND NOT c.revoked
                      AND c.customer_id = (SELECT id FROM customers WHERE org_id = @orgId AND {column} = @value) ORDER BY c.id
                    """, args);
            }
            await using var reader = await reads.ExecuteReaderAsync();
            await reader.ReadAsync();
            foreach (var _ in batch)
            {
                await reader.NextResultAsync();
                var customer = await reader.ReadAsync() ? reader.GetRowParser<Customer>()(reader) : null;
                if (customer is not null && await reader.ReadAsync()) throw new InvalidOperationException("more than one customer matches");
                await reader.NextResultAsync();
                var series = await reader.ReadAsync() ? reader.GetRowParser<SeriesRow>()(reader).ToSeries() : null;
                await reader.NextResultAsync();
                var held = new List<Coupon>();
                var parse = reader.GetRowParser<Coupon>();
                while (await reader.ReadAsync()) held.Add(parse(reader));
                facts.Add((customer, series, customer is null ? [] : held));
            }
        }

        // The rules, in batch order, with the batch's own issues counted in.
        var answers = new List<(PendingIssue Request, IssueResult Result)>();
        var alone = new List<PendingIssue>();
        var writes = new List<IssueWrite>();
        var customersTaken = new HashSet<long>();
        var issuedInSeries = new Dictionary<long, int>();
        for (var r = 0; r < batch.Count; r++)
        {
            var p = batch[r];
            var (customer, series, held) = facts[r];
            var now = Now;
            if (series is null || customer is null)
            {
                var refused = IssueRules.Check(new IssueFacts { Series = series, Customer = customer, Now = now });
                answers.Add((p, new IssueResult { Series = series, Customer = customer, Refusal = refused.Outcome, Requested = 1 }));
                continue;
            }
            if (series.Kind == SeriesKind.Uploaded || MutuallyExclusiveIds(series).Length > 0 || !customersTaken.Add(customer.Id))
            {
                alone.Add(p);
                continue;
            }
            series = series with { NumIssued = series.NumIssued + issuedInSeries.GetValueOrDefault(series.Id) };
            var issueFacts = IssueFactsOf(series, customer, now, held, holdsExclusive: false);
            var decision = IssueRules.Check(issueFacts);
            switch (decision.Action)
            {
                case IssueAction.Refuse:
                    answers.Add((p, new IssueResult { Series = series, Customer = customer, Refusal = decision.Outcome, Requested = 1 }));
                    break;
                case IssueAction.ResendExisting:
                    writes.Add(new IssueWrite(p, series, customer, issueFacts.ActiveCouponInSeries!, Resend: true));
                    break;
                default:
                    var coupon = NewCoupon(p, series, customer, now);
                    issuedInSeries[series.Id] = issuedInSeries.GetValueOrDefault(series.Id) + 1;
                    writes.Add(new IssueWrite(p, series, customer, coupon, Resend: false));
                    break;
            }
        }

        // Round trip 2: the writes. Round trip 3: the COMMIT.
        var coupons = writes.Count == 0 ? [] : await WriteIssuesAsync(c, tx, writes);
        await tx.CommitAsync();
        for (var i = 0; i < writes.Count; i++)
        {
            var w = writes[i];
            w.Request.Answer.TrySetResult(new IssueResult
            {
                Series = w.Resend ? w.Series : w.Series with { NumIssued = w.Series.NumIssued + 1 },
                Customer = w.Customer,
                Coupons = [new IssuedCoupon(coupons[i], w.Resend)],
                Requested = 1,
            });
        }
        foreach (var (p, result) in answers) p.Answer.TrySetResult(result);
        return alone;
    }

    /// <summary>The coupon to insert (its id comes from the INSERT): a new random code, or the series' GENERIC code.</summary>
    Coupon NewCoupon(PendingIssue p, Series series, Customer customer, DateTimeOffset now) => new()
    {
        OrgId = p.Caller.OrgId,
        SeriesId = series.Id,
        Code = series.Kind == SeriesKind.Generic ? series.Generic ?? "" : CodeGenerator.Generate(series.AlphaNumeric, series.RandomCodeLength),
        CustomerId = customer.Id,
        IssuedByTillId = p.Caller.Till.Id,
        IssuedAtStoreId = p.Caller.Store.Id,
        IssuedOn = now,
        ValidTill = IssueRules.ValidTill(series, now, TimeZones.FindOrUtc(p.Caller.Org.TimeZone)),
        PinCode = RandomNumberGenerator.GetString("0123456789", 4),
        Metadata = p.Metadata,
    };

    /// <summary>
    /// The batch's writes in one round trip: each series' counter once (by id), then each coupon with its outbox row
    /// (a resend writes only its outbox row). Returns the coupons as stored, in the order of <paramref name="writes"/>.
    /// </summary>
    async Task<Coupon[]> WriteIssuesAsync(DbConnection c, DbTransaction tx, List<IssueWrite> writes)
    {
        using var batch = c.CreateBatch();
        batch.Transaction = tx;
        var bySeries = writes.Where(w => !w.Resend).GroupBy(w => w.Series.Id).OrderBy(g => g.Key).ToList();
        foreach (var g in bySeries)
            Add(batch, $"UPDATE series SET num_issued = num_issued + @n WHERE org_id = @orgId AND id = @seriesId AND {UnderMaxCreate}",
                ("orgId", g.First().Request.Caller.OrgId), ("seriesId", g.Key), ("n", g.Count()));
        var now = Now;
        foreach (var w in writes)
        {
            var k = w.Coupon;
            var orgId = w.Request.Caller.OrgId;
            if (w.Resend)
            {
                Add(batch, $"{InsertOutbox} SELECT @orgId, @kind, @payload, @now, @now WHERE {OutboxWanted}",
                    ("orgId", orgId), ("kind", CouponEvents.Resent), ("payload", CouponEvent.Of(CouponEvents.Resent, k, w.Customer.Id).Payload()), ("now", now),
                    ("messages", MessageTemplates.Reaches(w.Series, w.Customer)));
                continue;
            }
            var (before, after) = new CouponEvent(CouponEvents.Issued, 0, k.Code, k.SeriesId, w.Customer.Id).AroundCouponId();
            Add(batch, $"""
                WITH k AS (
                    INSERT INTO coupons (org_id, series_id, code, code_key, is_generic, customer_id, issued_by_till_id, issued_at_store_id,
                                         issued_on, valid_till, pin_code, metadata, created_at)
                    VALUES (@orgId, @seriesId, @code, @key, @generic, @customerId, @tillId, @storeId, @issuedOn, @validTill, @pin, CAST(@metadata AS text), @issuedOn)
                    ON CONFLICT (org_id, code_key) WHERE NOT is_generic DO NOTHING
                    RETURNING {ReturnedCoupon}),
                o AS (
                    {InsertOutbox}
                    SELECT @orgId, @kind, CAST(@before AS text) || k.id || CAST(@after AS text), @now, @now FROM k WHERE {OutboxWanted})
                SELECT * FROM k
                """,
                ("orgId", orgId), ("seriesId", k.SeriesId), ("code", k.Code), ("key", w.Series.Kind == SeriesKind.Generic ? CodeGenerator.Normalize(k.Code) : k.Code),
                ("generic", w.Series.Kind == SeriesKind.Generic), ("customerId", w.Customer.Id), ("tillId", k.IssuedByTillId),
                ("storeId", k.IssuedAtStoreId), ("issuedOn", k.IssuedOn!.Value.ToUniversalTime()), ("validTill", k.ValidTill?.ToUniversalTime()),
                ("pin", k.PinCode), ("metadata", k.Metadata), ("kind", CouponEvents.Issued), ("before", before), ("after", after), ("now", now),
                ("messages", MessageTemplates.Reaches(w.Series, w.Customer)));
        }
        var stored = new Coupon[writes.Count];
        await using (var reader = await batch.ExecuteReaderAsync())
        {
            var first = true;
            for (var i = 0; i < writes.Count; i++)
            {
                if (writes[i].Resend)
                {
                    stored[i] = writes[i].Coupon;
                    continue;
                }
                if (!first) await reader.NextResultAsync();
                first = false;
                // No row: the random code is someone else's. The batch runs again, each request on its own.
                if (!await reader.ReadAsync()) throw new InvalidOperationException("a code of the batch was taken");
                stored[i] = reader.GetRowParser<Coupon>()(reader);
            }
        }
        for (var i = 0; i < bySeries.Count; i++)
            if (batch.BatchCommands[i].RecordsAffected != 1) throw new InvalidOperationException("a series counter refused the batch");
        return stored;
    }
}
