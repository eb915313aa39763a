using System.Data.Common;
using Coupons.Core;
using Dapper;

namespace Coupons.Storage;

/// <summary>
/// Redemptions on PostgreSQL, batched. A committer takes the redemptions waiting (up to <see cref="MaxRedeemBatch"/>)
/// and runs them as one transaction in three round trips whatever their number: one holding every request's reads
/// and locks (the customer, then each item's coupon with its series and the customer's redemption counts, as
/// <see cref="RedeemStartAsync"/> reads them), the rules in C#, one holding every write, then the COMMIT. A series
/// counter is moved once per batch by the batch's total, under the same condition that enforces maxRedeem for a
/// single redemption, so a campaign that everyone redeems at once no longer queues on its series row once per
/// redemption, each waiting for the one before to commit.
/// <para>
/// The answers are exactly those of running the requests one after another in batch order: every row a request
/// depends on is locked by the batch's transaction before its facts are read, and the effects of the requests before
/// it on the same series (the series' redemption count) are added in memory. A request whose customer or coupon an
/// earlier request of the batch already touched, or whose code needs more than the one facts query (a GENERIC code,
/// a code that is no coupon), is not decided in the batch: it runs on its own after the batch has committed. If
/// anything of the batch fails (a lock wait past the batch's short timeout, a counter that refused, the connection),
/// the transaction is rolled back and every request runs on its own, as <see cref="RedeemAsync"/> does unbatched;
/// nobody hears an answer before the batch's COMMIT has returned.
/// </para>
/// </summary>
public abstract partial class SqlStore
{
    /// <summary>The most redemption requests in one batch.</summary>
    const int MaxRedeemBatch = 64;

    /// <summary>The redemption committers; null where redemptions commit through <see cref="WriteAsync{T}"/> (SQLite's one writer already batches them).</summary>
    protected BatchCommitters<PendingRedeem>? RedeemBatches { get; init; }

    protected BatchCommitters<PendingRedeem> NewRedeemCommitters(int committers) =>
        new(committers, MaxRedeemBatch, RedeemBatchAsync, async p =>
        {
            try
            {
                p.Answer.TrySetResult(await RedeemAloneAsync(p.Caller, p.Who, p.Items, p.AllOrNothing));
            }
            catch (Exception e)
            {
                p.Answer.TrySetException(e);
            }
        });

    protected sealed record PendingRedeem(Caller Caller, CustomerRef Who, IReadOnlyList<RedeemRequest> Items, bool AllOrNothing)
    {
        public readonly TaskCompletionSource<RedeemResult> Answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One redemption the batch decided to write.</summary>
    sealed record BatchWrite(PendingRedeem Request, Customer Customer, int Index, RedeemItemResult Item, DateTimeOffset At);

    /// <summary>Runs one batch; answers the requests it decided once committed, and returns those to run on their own.</summary>
    async Task<IReadOnlyList<PendingRedeem>> RedeemBatchAsync(List<PendingRedeem> batch)
    {
        await using var c = await OpenReadAsync();
        await using var tx = await c.BeginTransactionAsync();

        // Round trip 1: every request's customer (locked) and its items' facts (coupons locked).
        var facts = new List<(Customer? Customer, List<Facts> Items)>(batch.Count);
        using (var reads = c.CreateBatch())
        {
            reads.Transaction = tx;
            // A batch holds its locks until its commit: an item that waits long for a lock another transaction holds
            // could be one half of a deadlock; the batch gives up after a short wait and its requests run on their own.
            Add(reads, "SELECT set_config('lock_timeout', '200ms', TRUE)");
            foreach (var p in batch)
            {
                var (column, value) = CustomerCondition(p.Who)!.Value;
                Add(reads, $"SELECT {CustomerColumns} FROM customers WHERE org_id = @orgId AND {column} = @value{ForUpdate}",
                    ("orgId", p.Caller.OrgId), ("value", value));
                var customerId = $"COALESCE((SELECT id FROM customers WHERE org_id = @orgId AND {column} = @value), 0)";
                foreach (var item in p.Items)
                    Add(reads, FactsSql(customerId, lockRows: true, byId: item.CouponId is not null),
                        ("orgId", p.Caller.OrgId), ("value", value), ("key", CodeGenerator.Normalize(item.Code)), ("couponId", item.CouponId ?? 0));
            }
            await using var reader = await reads.ExecuteReaderAsync();
            await reader.ReadAsync();
            foreach (var p in batch)
            {
                await reader.NextResultAsync();
                var customer = await reader.ReadAsync() ? reader.GetRowParser<Customer>()(reader) : null;
                if (customer is not null && await reader.ReadAsync()) throw new InvalidOperationException("more than one customer matches");
                var items = new List<Facts>(p.Items.Count);
                foreach (var _ in p.Items)
                {
                    await reader.NextResultAsync();
                    items.Add(await ReadFactsAsync(reader));
                }
                facts.Add((customer, items));
            }
        }

        // The rules, request by request in batch order, with the batch's own redemptions counted in.
        var answers = new List<(PendingRedeem Request, RedeemResult Result)>();
        var alone = new List<PendingRedeem>();
        var writes = new List<BatchWrite>();
        var customersTaken = new HashSet<long>();
        var couponsTaken = new HashSet<long>();
        var redeemedInSeries = new Dictionary<long, int>();
        for (var r = 0; r < batch.Count; r++)
        {
            var p = batch[r];
            var (customer, items) = facts[r];
            if (customer is null)
            {
                answers.Add((p, new RedeemResult(null, p.Items.Select((item, i) => Decide(p.Caller, null, item, items[i])).ToList())));
                continue;
            }
            var couponIds = items.Select(f => f.Coupon?.Id ?? 0).ToList();
            if (couponIds.Contains(0) || couponIds.Distinct().Count() != couponIds.Count
                || customersTaken.Contains(customer.Id) || couponIds.Any(couponsTaken.Contains))
            {
                alone.Add(p);
                continue;
            }
            var results = new List<RedeemItemResult>(p.Items.Count);
            var mine = new List<BatchWrite>();
            var ownInSeries = new Dictionary<long, (int Count, DateTimeOffset Last)>();
            for (var i = 0; i < p.Items.Count; i++)
            {
                var f = items[i];
                var seriesId = f.Coupon!.SeriesId;
                var before = redeemedInSeries.GetValueOrDefault(seriesId) + mine.Count(w => w.Item.Series!.Id == seriesId);
                ownInSeries.TryGetValue(seriesId, out var own);
                var result = Decide(p.Caller, customer, p.Items[i], f, before, own.Count, own.Count == 0 ? null : own.Last);
                if (result.Outcome.Ok)
                {
                    var at = p.Items[i].RedemptionTime ?? Now;
                    mine.Add(new BatchWrite(p, customer, i, result, at));
                    ownInSeries[seriesId] = (own.Count + 1, own.Count > 0 && own.Last > at ? own.Last : at);
                }
                results.Add(result);
            }
            customersTaken.Add(customer.Id);
            couponsTaken.UnionWith(couponIds);
            var answer = new RedeemResult(customer, results);
            if (p.AllOrNothing && !answer.AllOk)
            {
                answers.Add((p, FailBatch(answer)));
                continue;
            }
            foreach (var w in mine) redeemedInSeries[w.Item.Series!.Id] = redeemedInSeries.GetValueOrDefault(w.Item.Series!.Id) + 1;
            writes.AddRange(mine);
            answers.Add((p, answer));
        }

        // Round trip 2: every write. Round trip 3: the COMMIT.
        var ids = writes.Count == 0 ? [] : await WriteBatchAsync(c, tx, writes);
        await tx.CommitAsync();
        Answer(answers, writes, ids);
        return alone;
    }

    /// <summary>After the COMMIT: each decided request's answer, with its redemption ids. Nothing here may throw, or a committed request would run again.</summary>
    static void Answer(List<(PendingRedeem Request, RedeemResult Result)> answers, List<BatchWrite> writes, long[] ids)
    {
        var written = writes.Select((w, i) => (w, Id: ids[i])).ToLookup(x => x.w.Request);
        foreach (var (p, result) in answers)
        {
            var items = result.Items.ToList();
            foreach (var (w, id) in written[p])
                items[w.Index] = items[w.Index] with
                {
                    RedemptionId = id,
                    Coupon = w.Item.Coupon! with { NumRedemptions = w.Item.Coupon.NumRedemptions + 1 },
                    Series = w.Item.Series! with { NumRedeemed = w.Item.Series.NumRedeemed + 1 },
                };
            p.Answer.TrySetResult(result with { Items = items });
        }
    }

    /// <summary>The writes of the batch in one round trip: each series' counter once (by id, the lock order), then each
    /// redemption's coupon counter, redemption row and outbox row. Returns the redemption ids in the order of <paramref name="writes"/>.</summary>
    async Task<long[]> WriteBatchAsync(DbConnection c, DbTransaction tx, List<BatchWrite> writes)
    {
        using var batch = c.CreateBatch();
        batch.Transaction = tx;
        var bySeries = writes.GroupBy(w => w.Item.Series!.Id).OrderBy(g => g.Key).ToList();
        foreach (var g in bySeries)
        {
            var first = g.First();
            Add(batch, """
                UPDATE series SET num_redeemed = num_redeemed + @n, last_used = @at
                WHERE org_id = @orgId AND id = @seriesId AND (max_redeem <= 0 OR num_redeemed + @n <= max_redeem)
                """, ("orgId", first.Request.Caller.OrgId), ("seriesId", g.Key), ("n", g.Count()), ("at", g.Last().At.ToUniversalTime()));
        }
        var now = Now;
        foreach (var w in writes)
        {
            var coupon = w.Item.Coupon!;
            var r = w.Item.Request;
            var (before, after) = CouponEvent.Of(CouponEvents.Redeemed, coupon, w.Customer.Id).AroundRedemptionId();
            Add(batch, "UPDATE coupons SET num_redemptions = num_redemptions + 1 WHERE id = @couponId AND num_redemptions = @seen",
                ("couponId", coupon.Id), ("seen", coupon.NumRedemptions));
            Add(batch, $"""
                WITH r AS (
                    INSERT INTO redemptions (org_id, coupon_id, series_id, customer_id, till_id, store_id, redeemed_at, transaction_number, bill_amount, custom_fields, discount_amount)
                    VALUES (@orgId, @couponId, @seriesId, @customerId, @tillId, @storeId, @at, CAST(@number AS text), CAST(@amount AS numeric), CAST(@custom AS text), CAST(@discount AS numeric))
                    RETURNING id),
                o AS (
                    {InsertOutbox}
                    SELECT @orgId, @kind, CAST(@before AS text) || r.id || CAST(@after AS text), @now, @now FROM r WHERE {OutboxWanted})
                SELECT id FROM r
                """,
                ("orgId", w.Request.Caller.OrgId), ("couponId", coupon.Id), ("seriesId", coupon.SeriesId), ("customerId", w.Customer.Id),
                ("tillId", w.Request.Caller.Till.Id), ("storeId", w.Request.Caller.Store.Id), ("at", w.At.ToUniversalTime()),
                ("number", r.TransactionNumber), ("amount", r.BillAmount), ("custom", r.CustomFields), ("discount", w.Item.Discount),
                ("kind", CouponEvents.Redeemed), ("before", before), ("after", after), ("now", now), ("messages", false));
        }
        var ids = new long[writes.Count];
        await using (var reader = await batch.ExecuteReaderAsync())
        {
            for (var i = 0; i < writes.Count; i++)
            {
                if (i > 0) await reader.NextResultAsync();
                if (!await reader.ReadAsync()) throw new InvalidOperationException("a redemption of the batch was not written");
                ids[i] = reader.GetInt64(0);
            }
        }
        // A counter that did not move (maxRedeem reached in between, a coupon counted by someone else): the batch is
        // rolled back and its requests run on their own, where the same conditions give each its own answer.
        for (var i = 0; i < bySeries.Count; i++)
            if (batch.BatchCommands[i].RecordsAffected != 1) throw new InvalidOperationException("a series counter refused the batch");
        for (var i = 0; i < writes.Count; i++)
            if (batch.BatchCommands[bySeries.Count + 2 * i].RecordsAffected != 1) throw new InvalidOperationException("a coupon counter moved under its lock");
        return ids;
    }

    static void Add(DbBatch batch, string sql, params (string Name, object? Value)[] args)
    {
        var command = batch.CreateBatchCommand();
        command.CommandText = sql;
        foreach (var (name, value) in args)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            command.Parameters.Add(p);
        }
        batch.BatchCommands.Add(command);
    }
}
