using System.Collections.Concurrent;
using Dapper;

namespace Coupons.Guarantees;

/// <summary>
/// Many clients at once against two server nodes on one PostgreSQL, or one node on SQLite: maxCreate and per-customer
/// limits, single-use redemptions, bulk redeems beside single redeems and reversals, and reversals racing redemptions
/// of the same coupon. Every figure is checked again with SQL afterwards.
/// </summary>
public sealed class ConcurrencyCheck(string provider, Scale scale, TextWriter log)
{
    readonly Report report = new("concurrency", provider == "postgres" ? "PostgreSQL, 2 nodes" : "SQLite, 1 node");
    Api api = null!;
    Org org = null!;
    Credentials till = null!;
    Database db = null!;
    int tags;

    public static Task<Report> RunAsync(string provider, Scale scale, TextWriter log) => new ConcurrencyCheck(provider, scale, log).RunAsync();

    async Task<Report> RunAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        db = await Database.CreateAsync(provider);
        var servers = new List<ServerProcess>();
        try
        {
            servers.Add(await ServerProcess.StartAsync(db));
            if (provider == "postgres") servers.Add(await ServerProcess.StartAsync(db));
            api = new Api(servers.Select(s => s.BaseAddress));
            org = new Org(api, new Credentials(ServerProcess.BootstrapTill, ServerProcess.BootstrapPassword));
            await org.NoRateLimitAsync();
            await org.WatchEveryEventAsync();
            till = await org.TillAsync($"gt-{Guid.NewGuid():N}"[..12], "till");
            log.WriteLine($"   concurrency on {report.Backend}: {scale.Clients} clients");

            await IssueUpToMaxCreateAsync();
            await PerCustomerLimitAsync();
            await SingleUseRedemptionsAsync();
            await BulkSingleAndReversalsAsync();
            await ReversalRacingRedemptionAsync(multipleUse: true);
            await ReversalRacingRedemptionAsync(multipleUse: false);

            await Invariants.CheckAsync(db, report);
            foreach (var s in servers)
            {
                report.Expect(s.IsAlive, $"server on port {s.Port} died: {s.Tail}");
                report.Expect(s.LoggedFailures == 0, $"server on port {s.Port} logged {s.LoggedFailures} errors: {s.Tail}");
            }
        }
        finally
        {
            foreach (var s in servers) await s.DisposeAsync();
            api?.Dispose();
            await db.DropAsync();
        }
        report.Elapsed = clock.Elapsed;
        return report;
    }

    string Tag(string phase) => $"{phase}-{Interlocked.Increment(ref tags)}";

    Task Concurrently<T>(IEnumerable<T> items, Func<T, Task> work) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = scale.Clients }, async (item, _) => await work(item));

    void Unbroken(Answer a, bool v11, string what)
    {
        if (Answers.Broken(a, v11) is { } broken) report.Violation($"{what}: {broken}");
    }

    // ---- Issue ----------------------------------------------------------------------------------------------------

    /// <summary>One issue attempt, through v1.1 (even) or v2 issue/multiple (odd). Returns the code issued, or null.</summary>
    async Task<string?> IssueOnceAsync(int i, long seriesId, Customer customer)
    {
        if (i % 2 == 0)
        {
            var a = await api.PostJsonAsync(till, "/v1.1/coupon/issue",
                new { root = new { coupon = new { series_id = seriesId.ToString(), customer = new { mobile = customer.Mobile } } } });
            Unbroken(a, true, "v1.1 issue");
            var (ok, _, item) = Answers.V11Item(a);
            return ok ? Answers.Str(item?["code"]) : null;
        }
        var b = await api.PostJsonAsync(till, "/v2/coupon/issue/multiple", new { seriesId, count = 1, customer = new { mobile = customer.Mobile } });
        Unbroken(b, false, "v2 issue/multiple");
        return b.Status == 200 ? Answers.Str(b.Json()?["coupons"]?[0]?["code"]) : null;
    }

    async Task<Dictionary<string, long>> HoldersAsync(long seriesId)
    {
        await using var c = await db.OpenAsync();
        return (await c.QueryAsync<(string, long)>("SELECT code, customer_id FROM coupons WHERE series_id = @seriesId AND customer_id IS NOT NULL", new { seriesId }))
            .ToDictionary(r => r.Item1, r => r.Item2);
    }

    async Task IssueUpToMaxCreateAsync()
    {
        const int perCustomer = 8;
        var series = await org.SeriesAsync(new() { ["maxCreate"] = scale.MaxCreate, ["isMultipleVouchersPerUserAllowed"] = true, ["maxVouchersPerUser"] = perCustomer });
        var seriesId = series["id"]!.GetValue<long>();
        // Room for 1.6 × maxCreate under the per-customer limit, so maxCreate is the limit that binds.
        var customers = await org.CustomersAsync(scale.MaxCreate / 5, "4471");
        var rng = new Random(1);
        var attempts = Enumerable.Range(0, scale.IssueAttempts).Select(i => (i, customers[rng.Next(customers.Count)])).ToList();
        var issued = new ConcurrentBag<(string Code, long CustomerId)>();
        await Concurrently(attempts, async x =>
        {
            var code = await IssueOnceAsync(x.i, seriesId, x.Item2);
            report.Attempt(code is not null);
            if (code is not null) issued.Add((code, x.Item2.Id));
        });
        var holders = await HoldersAsync(seriesId);
        var n = issued.Count;
        report.Figure($"issue: {attempts.Count:N0} attempts (v1.1 and v2) on maxCreate {scale.MaxCreate:N0}: {n:N0} issued, {holders.Count:N0} coupon rows");
        report.Expect(n == scale.MaxCreate, $"issue: {n} coupons answered as issued, maxCreate is {scale.MaxCreate}");
        report.Expect(holders.Count == scale.MaxCreate, $"issue: {holders.Count} coupon rows, maxCreate is {scale.MaxCreate}");
        report.Expect(issued.Select(x => x.Code).Distinct().Count() == n, "issue: one code answered twice");
        foreach (var (code, customerId) in issued)
            report.Expect(holders.TryGetValue(code, out var holder) && holder == customerId, $"issue: answered code {code} is not in the database as the customer's");
        var most = holders.GroupBy(h => h.Value).Max(g => g.Count());
        report.Expect(most <= perCustomer, $"issue: a customer holds {most} coupons, the limit is {perCustomer}");
    }

    async Task PerCustomerLimitAsync()
    {
        const int perCustomer = 3;
        var series = await org.SeriesAsync(new() { ["isMultipleVouchersPerUserAllowed"] = true, ["maxVouchersPerUser"] = perCustomer });
        var seriesId = series["id"]!.GetValue<long>();
        var customers = await org.CustomersAsync(scale.LimitCustomers, "4472");
        var rng = new Random(2);
        // Every customer is asked for many coupons at once: the requests for one customer race each other.
        var attempts = Enumerable.Range(0, scale.LimitAttempts).Select(i => (i, customers[i % customers.Count])).OrderBy(_ => rng.Next()).ToList();
        var issued = 0;
        await Concurrently(attempts, async x =>
        {
            var code = await IssueOnceAsync(x.i, seriesId, x.Item2);
            report.Attempt(code is not null);
            if (code is not null) Interlocked.Increment(ref issued);
        });
        var holders = await HoldersAsync(seriesId);
        var expected = customers.Count * perCustomer;
        report.Figure($"per-customer limit: {attempts.Count:N0} attempts by {customers.Count} customers, limit {perCustomer} each: {issued:N0} issued, {holders.Count:N0} rows");
        report.Expect(issued == expected && holders.Count == expected, $"per-customer limit: {issued} answered, {holders.Count} rows, expected {expected}");
        foreach (var g in holders.GroupBy(h => h.Value))
            report.Expect(g.Count() == perCustomer, $"per-customer limit: customer {g.Key} holds {g.Count()} coupons, the limit is {perCustomer}");
    }

    // ---- Redeem ---------------------------------------------------------------------------------------------------

    sealed record Redeemed(string Tag, bool Ok, int Code, IReadOnlyList<long> RedemptionIds);

    /// <summary>Redeems codes of one customer, tagged by the transaction number: v1.1 (one code) or v2 bulk redeem (all or nothing).</summary>
    async Task<Redeemed> RedeemAsync(IReadOnlyList<Coupon> coupons, bool v11, string phase)
    {
        var tag = Tag(phase);
        if (v11)
        {
            var c = coupons[0];
            var a = await api.PostJsonAsync(till, "/v1.1/coupon/redeem", new
            {
                root = new { coupon = new { code = c.Code, customer = new { mobile = c.Holder.Mobile }, transaction = new { number = tag } } },
            });
            Unbroken(a, true, "v1.1 redeem");
            var (ok, code, item) = Answers.V11Item(a);
            return new Redeemed(tag, ok, code, ok ? [Answers.Long(item?["redemption_id"])] : []);
        }
        var b = await api.PostJsonAsync(till, "/v2/coupon/bulk/redeem", new
        {
            redemptionRequestList = coupons.Select(c => new { code = c.Code }).ToArray(),
            transactionNumber = tag,
            user = new { mobile = coupons[0].Holder.Mobile },
        });
        Unbroken(b, false, "v2 bulk redeem");
        var list = b.Json()?["redemptionResponseList"]?.AsArray();
        var ids = b.Status == 200 && list is not null ? list.Select(x => Answers.Long(x?["redemptionId"])).ToList() : [];
        return new Redeemed(tag, b.Status == 200, b.Status == 200 ? 0 : Answers.V2ErrorCode(b), ids);
    }

    async Task<bool> ReverseAsync(long redemptionId)
    {
        var a = await api.PostJsonAsync(till, "/v2/coupon/redemption/reverse", new { redemptionIds = new[] { redemptionId } });
        Unbroken(a, false, "v2 reverse");
        return a.Status == 200;
    }

    async Task<List<Coupon>> IssueCouponsAsync(long seriesId, int count, string mobilePrefix)
    {
        var customers = await org.CustomersAsync(Math.Max(1, count / 10), mobilePrefix);
        var coupons = new ConcurrentBag<Coupon>();
        await Concurrently(customers, async c =>
        {
            foreach (var k in await org.IssueAsync(till, seriesId, c, count / customers.Count)) coupons.Add(k);
        });
        return coupons.OrderBy(c => c.Id).ToList();
    }

    /// <summary>Every redemption row of a series: its id, coupon, transaction number (the tag) and whether it is live.</summary>
    async Task<List<RedemptionRow>> RedemptionsAsync(long seriesId)
    {
        await using var c = await db.OpenAsync();
        return (await c.QueryAsync<RedemptionRow>(
            "SELECT id, coupon_id, transaction_number, CASE WHEN reversed_at IS NULL THEN 1 ELSE 0 END AS live FROM redemptions WHERE series_id = @seriesId",
            new { seriesId })).ToList();
    }

    sealed class RedemptionRow
    {
        public long Id { get; set; }
        public long CouponId { get; set; }
        public string? TransactionNumber { get; set; }
        public long Live { get; set; }
    }

    /// <summary>Each answered success is in the database as answered; each answered failure left no row.</summary>
    void MatchAnswers(string phase, IEnumerable<(Redeemed Answer, IReadOnlyList<Coupon> Coupons)> answers, List<RedemptionRow> rows)
    {
        var byTag = rows.ToLookup(r => r.TransactionNumber ?? "");
        foreach (var (answer, coupons) in answers)
        {
            var mine = byTag[answer.Tag].ToList();
            if (!answer.Ok)
            {
                report.Expect(mine.Count == 0, $"{phase}: request {answer.Tag} answered failure ({answer.Code}) left {mine.Count} redemption rows (a partial batch)");
                continue;
            }
            report.Expect(mine.Count == coupons.Count, $"{phase}: request {answer.Tag} answered success for {coupons.Count} codes, {mine.Count} rows");
            report.Expect(mine.Select(r => r.CouponId).Order().SequenceEqual(coupons.Select(c => c.Id).Order()),
                $"{phase}: request {answer.Tag}: its rows are not the coupons it redeemed");
            report.Expect(mine.Select(r => r.Id).Order().SequenceEqual(answer.RedemptionIds.Order()),
                $"{phase}: request {answer.Tag}: answered redemption ids {string.Join(",", answer.RedemptionIds)} are not its rows");
        }
    }

    async Task SingleUseRedemptionsAsync()
    {
        var series = await org.SeriesAsync(new() { ["isMultipleVouchersPerUserAllowed"] = true });
        var seriesId = series["id"]!.GetValue<long>();
        var coupons = await IssueCouponsAsync(seriesId, scale.SingleUseCoupons, "4473");
        var rng = new Random(3);
        var attempts = Enumerable.Range(0, scale.RedeemAttempts).Select(i => coupons[i % coupons.Count]).OrderBy(_ => rng.Next()).ToList();
        var answers = new ConcurrentBag<(Redeemed, IReadOnlyList<Coupon>)>();
        var k = 0;
        await Concurrently(attempts, async c =>
        {
            var r = await RedeemAsync([c], Interlocked.Increment(ref k) % 2 == 0, "single");
            report.Attempt(r.Ok);
            answers.Add((r, [c]));
        });
        var rows = await RedemptionsAsync(seriesId);
        var ok = answers.Where(a => a.Item1.Ok).ToList();
        report.Figure($"single-use redeem: {attempts.Count:N0} attempts on {coupons.Count:N0} coupons: {ok.Count:N0} redeemed, {rows.Count:N0} redemption rows");
        report.Expect(ok.Count == coupons.Count, $"single-use redeem: {ok.Count} redemptions answered for {coupons.Count} coupons");
        report.Expect(rows.Count == coupons.Count, $"single-use redeem: {rows.Count} redemption rows for {coupons.Count} coupons");
        foreach (var g in ok.GroupBy(a => a.Item2[0].Id).Where(g => g.Count() > 1))
            report.Violation($"single-use redeem: coupon {g.Key} answered as redeemed {g.Count()} times");
        MatchAnswers("single-use redeem", answers, rows);
    }

    async Task BulkSingleAndReversalsAsync()
    {
        var series = await org.SeriesAsync(new() { ["isMultipleVouchersPerUserAllowed"] = true });
        var seriesId = series["id"]!.GetValue<long>();
        var coupons = await IssueCouponsAsync(seriesId, scale.MixedCoupons, "4474");
        var byHolder = coupons.GroupBy(c => c.Holder.Id).Select(g => g.ToList()).ToList();
        var rng = new Random(4);
        var plan = Enumerable.Range(0, scale.MixedOperations).Select(i => (Kind: i % 4, Seed: rng.Next())).ToList();
        var answers = new ConcurrentBag<(Redeemed, IReadOnlyList<Coupon>)>();
        var live = new ConcurrentQueue<long>();
        var reversals = new ConcurrentBag<(long Id, bool Ok)>();
        int singles = 0, bulks = 0;
        await Concurrently(plan, async op =>
        {
            var r = new Random(op.Seed);
            if (op.Kind == 3 && live.TryDequeue(out var redemptionId))
            {
                var ok = await ReverseAsync(redemptionId);
                report.Attempt(ok);
                reversals.Add((redemptionId, ok));
                return;
            }
            var holder = byHolder[r.Next(byHolder.Count)];
            IReadOnlyList<Coupon> codes = op.Kind == 2 ? holder.OrderBy(_ => r.Next()).Take(r.Next(2, 6)).ToList() : [holder[r.Next(holder.Count)]];
            var answer = await RedeemAsync(codes, op.Kind == 0, op.Kind == 2 ? "bulk" : "one");
            if (op.Kind == 2) Interlocked.Increment(ref bulks); else Interlocked.Increment(ref singles);
            report.Attempt(answer.Ok);
            answers.Add((answer, codes));
            foreach (var id in answer.RedemptionIds) live.Enqueue(id);
        });
        var rows = await RedemptionsAsync(seriesId);
        var rowById = rows.ToDictionary(x => x.Id);
        var bulkOk = answers.Count(a => a.Item1.Ok && a.Item1.Tag.StartsWith("bulk", StringComparison.Ordinal));
        report.Figure($"bulk + single + reversal: {bulks:N0} bulk redeems ({bulkOk:N0} succeeded), {singles:N0} single redeems, {reversals.Count:N0} reversals on {coupons.Count:N0} coupons; {rows.Count:N0} rows, {rows.Count(x => x.Live == 1):N0} live");
        MatchAnswers("bulk + single + reversal", answers, rows);
        foreach (var (id, ok) in reversals)
        {
            var row = rowById.GetValueOrDefault(id);
            report.Expect(ok, $"bulk + single + reversal: reversing live redemption {id} was refused");
            report.Expect(row is not null && (row.Live == 0) == ok, $"bulk + single + reversal: redemption {id} answered {(ok ? "reversed" : "refused")} but is {(row?.Live == 1 ? "live" : "reversed or missing")}");
        }
        foreach (var g in rows.Where(x => x.Live == 1).GroupBy(x => x.CouponId).Where(g => g.Count() > 1))
            report.Violation($"bulk + single + reversal: single-use coupon {g.Key} has {g.Count()} live redemptions");
    }

    /// <summary>For each coupon redeemed once, reverse that redemption and redeem the coupon again at the same moment: neither change may be lost.</summary>
    async Task ReversalRacingRedemptionAsync(bool multipleUse)
    {
        var phase = multipleUse ? "reversal racing redemption (multi-use)" : "reversal racing redemption (single-use)";
        var series = await org.SeriesAsync(new() { ["isMultipleVouchersPerUserAllowed"] = true, ["isMultipleUseAllowed"] = multipleUse, ["sameUserMultipleRedeem"] = true });
        var seriesId = series["id"]!.GetValue<long>();
        var coupons = await IssueCouponsAsync(seriesId, scale.RacePairs, multipleUse ? "4475" : "4476");
        var first = new ConcurrentDictionary<long, long>();
        await Concurrently(coupons, async c => first[c.Id] = await org.RedeemAsync(till, c, Tag("first")));
        var outcomes = new ConcurrentDictionary<long, (bool Reversed, Redeemed Again)>();
        var k = 0;
        // Half the clients' worth of pairs at a time: each pair is two requests racing.
        await Parallel.ForEachAsync(coupons, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, scale.Clients / 2) }, async (c, _) =>
        {
            var reverse = ReverseAsync(first[c.Id]);
            var again = RedeemAsync([c], Interlocked.Increment(ref k) % 2 == 0, "again");
            await Task.WhenAll(reverse, again);
            report.Attempt(reverse.Result);
            report.Attempt(again.Result.Ok);
            outcomes[c.Id] = (reverse.Result, again.Result);
        });
        var rows = await RedemptionsAsync(seriesId);
        await using var conn = await db.OpenAsync();
        var counters = (await conn.QueryAsync<(long, long)>("SELECT id, num_redemptions FROM coupons WHERE series_id = @seriesId", new { seriesId }))
            .ToDictionary(x => x.Item1, x => x.Item2);
        var byCoupon = rows.ToLookup(r => r.CouponId);
        report.Figure($"{phase}: {coupons.Count:N0} pairs; {outcomes.Values.Count(o => o.Reversed):N0} reversals and {outcomes.Values.Count(o => o.Again.Ok):N0} redemptions succeeded");
        foreach (var c in coupons)
        {
            var (reversed, again) = outcomes[c.Id];
            report.Expect(reversed, $"{phase}: reversal of redemption {first[c.Id]} (coupon {c.Id}) refused");
            if (multipleUse) report.Expect(again.Ok, $"{phase}: redeeming multi-use coupon {c.Id} again refused ({again.Code})");
            var liveRows = byCoupon[c.Id].Count(r => r.Live == 1);
            var expected = (reversed ? 0 : 1) + (again.Ok ? 1 : 0);
            report.Expect(liveRows == expected, $"{phase}: coupon {c.Id} has {liveRows} live redemptions, the answers say {expected}");
            report.Expect(counters[c.Id] == liveRows, $"{phase}: coupon {c.Id} counts {counters[c.Id]} redemptions, {liveRows} live rows (a lost update)");
        }
    }
}
