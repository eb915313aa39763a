using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Dapper;

namespace Coupons.Guarantees;

/// <summary>
/// kill -9 of the server in the middle of an issue, redeem and reversal load, then a restart on the same database:
/// every request answered with success is in the database, none answered with failure is, a request cut off by the
/// kill is all there or not there at all, counters equal the rows and the outbox lost nothing.
/// </summary>
public sealed class CrashCheck(string provider, Scale scale, TextWriter log)
{
    readonly Report report = new("crash safety", provider == "postgres" ? "PostgreSQL" : "SQLite (file)");
    readonly ConcurrentBag<Sent> sent = new();
    Database db = null!;
    int tags;

    public static Task<Report> RunAsync(string provider, Scale scale, TextWriter log) => new CrashCheck(provider, scale, log).RunAsync();

    enum Kind { Issue, Redeem, Reverse }

    /// <summary>One request of the load. Answered: true = success, false = refused, null = no answer (cut off by the kill).</summary>
    sealed record Sent(Kind Kind, string Tag, bool? Answered, int Codes, long[] Ids);

    async Task<Report> RunAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        db = await Database.CreateAsync(provider);
        var server = await ServerProcess.StartAsync(db);
        var admin = new Credentials(ServerProcess.BootstrapTill, ServerProcess.BootstrapPassword);
        try
        {
            Credentials till;
            long issueSeries;
            List<Coupon> coupons;
            using (var setupApi = new Api([server.BaseAddress]))
            {
                var org = new Org(setupApi, admin);
                await org.NoRateLimitAsync();
                await org.WatchEveryEventAsync();
                till = await org.TillAsync($"gc-{Guid.NewGuid():N}"[..12], "till");
                issueSeries = (await org.SeriesAsync(new() { ["isMultipleVouchersPerUserAllowed"] = true }))["id"]!.GetValue<long>();
                var redeemSeries = (await org.SeriesAsync(new() { ["isMultipleVouchersPerUserAllowed"] = true }))["id"]!.GetValue<long>();
                var customers = await org.CustomersAsync(40, "4481");
                coupons = [];
                foreach (var c in customers) coupons.AddRange(await org.IssueAsync(till, redeemSeries, c, scale.Crashes * 60 / customers.Count + 5));
            }
            log.WriteLine($"   crash safety on {report.Backend}: {scale.Crashes} kills under a load of {scale.CrashClients} clients");
            var rng = new Random(5);
            var live = new ConcurrentQueue<long>();
            for (var crash = 1; crash <= scale.Crashes; crash++)
            {
                using var api = new Api([server.BaseAddress], TimeSpan.FromSeconds(20));
                using var stop = new CancellationTokenSource();
                var sentBefore = sent.Count;
                var load = Enumerable.Range(0, scale.CrashClients).Select(w => Task.Run(async () =>
                {
                    var r = new Random(crash * 1000 + w);
                    while (!stop.IsCancellationRequested && await OneRequestAsync(api, till, r, issueSeries, coupons, live)) { }
                })).ToList();
                // Let the load run, then kill the server while requests are in flight.
                await Task.Delay(TimeSpan.FromMilliseconds(3000 + rng.Next(3000)));
                var pid = server.Id;
                server.KillHard();
                await Task.Delay(300);
                stop.Cancel();
                await Task.WhenAll(load);
                server = await ServerProcess.StartAsync(db);
                report.CrashesSurvived++;
                log.WriteLine($"   kill {crash}: pid {pid} killed after {sent.Count - sentBefore:N0} requests; restarted as pid {server.Id}");
                await VerifyAsync($"after kill {crash}");
            }
            var all = sent.ToList();
            report.Figure($"{scale.Crashes} kill -9 under load, each followed by a restart on the same database");
            foreach (var kind in Enum.GetValues<Kind>())
            {
                var k = all.Where(s => s.Kind == kind).ToList();
                report.Figure($"{kind.ToString().ToLowerInvariant()}: {k.Count:N0} requests, {k.Count(s => s.Answered == true):N0} answered success, " +
                              $"{k.Count(s => s.Answered == false):N0} answered failure, {k.Count(s => s.Answered is null):N0} cut off by a kill");
            }
            report.Expect(server.LoggedFailures == 0, $"the restarted server logged {server.LoggedFailures} errors: {server.Tail}");
        }
        finally
        {
            await server.DisposeAsync();
            await db.DropAsync();
        }
        report.Elapsed = clock.Elapsed;
        return report;
    }

    /// <summary>Sends one request of the load; false once the server refuses connections (it is dead: the worker stops).</summary>
    async Task<bool> OneRequestAsync(Api api, Credentials till, Random r, long issueSeries, List<Coupon> coupons, ConcurrentQueue<long> live)
    {
        var tag = $"k{Interlocked.Increment(ref tags)}";
        var pick = r.Next(10);
        if (pick < 4)
        {
            var customerMobile = coupons[r.Next(coupons.Count)].Holder.Mobile;
            var a = await api.PostJsonAsync(till, "/v2/coupon/issue/multiple",
                new { seriesId = issueSeries, count = 1, customer = new { mobile = customerMobile }, metadata = new { sourceId = tag } });
            var ids = a.Status == 200 ? a.Json()?["coupons"]?.AsArray().Select(c => Answers.Long(c?["couponId"])).ToArray() ?? [] : [];
            Record(new Sent(Kind.Issue, tag, a.Failed ? null : a.Status == 200, 1, ids), a, false);
            return a.Failure != nameof(HttpRequestError.ConnectionError);
        }
        else if (pick < 8)
        {
            var first = coupons[r.Next(coupons.Count)];
            var mine = coupons.Where(c => c.Holder.Id == first.Holder.Id).OrderBy(_ => r.Next()).Take(pick == 7 ? 3 : 1).ToList();
            if (pick == 4)
            {
                var a = await api.PostJsonAsync(till, "/v1.1/coupon/redeem", new
                {
                    root = new { coupon = new { code = first.Code, customer = new { mobile = first.Holder.Mobile }, transaction = new { number = tag } } },
                });
                var (ok, _, item) = Answers.V11Item(a);
                long[] ids = ok ? [Answers.Long(item?["redemption_id"])] : [];
                Record(new Sent(Kind.Redeem, tag, a.Failed ? null : ok, 1, ids), a, true);
                foreach (var id in ids) live.Enqueue(id);
                return a.Failure != nameof(HttpRequestError.ConnectionError);
            }
            else
            {
                var a = await api.PostJsonAsync(till, "/v2/coupon/bulk/redeem", new
                {
                    redemptionRequestList = mine.Select(c => new { code = c.Code }).ToArray(),
                    transactionNumber = tag,
                    user = new { mobile = first.Holder.Mobile },
                });
                var ids = a.Status == 200 ? a.Json()?["redemptionResponseList"]?.AsArray().Select(x => Answers.Long(x?["redemptionId"])).ToArray() ?? [] : [];
                Record(new Sent(Kind.Redeem, tag, a.Failed ? null : a.Status == 200, mine.Count, ids), a, false);
                foreach (var id in ids) live.Enqueue(id);
                return a.Failure != nameof(HttpRequestError.ConnectionError);
            }
        }
        else if (live.TryDequeue(out var redemptionId))
        {
            var a = await api.PostJsonAsync(till, "/v2/coupon/redemption/reverse", new { redemptionIds = new[] { redemptionId } });
            Record(new Sent(Kind.Reverse, tag, a.Failed ? null : a.Status == 200, 1, [redemptionId]), a, false);
            return a.Failure != nameof(HttpRequestError.ConnectionError);
        }
        await Task.Delay(5);
        return true;
    }

    void Record(Sent s, Answer a, bool v11)
    {
        // Refused connections never reached the server: not a request that was cut off.
        if (a.Failure == nameof(HttpRequestError.ConnectionError)) return;
        sent.Add(s);
        report.Attempt(s.Answered == true);
        if (!a.Failed && Answers.Broken(a, v11) is { } broken) report.Violation($"{s.Kind} {s.Tag}: {broken}");
    }

    async Task VerifyAsync(string when)
    {
        await using var c = await db.OpenAsync();
        var issuedByTag = new Dictionary<string, List<long>>();
        foreach (var (id, metadata) in await c.QueryAsync<(long, string)>("SELECT id, metadata FROM coupons WHERE metadata IS NOT NULL"))
            if (Answers.Str(JsonNode.Parse(metadata)?["sourceId"]) is { } tag)
                (issuedByTag.TryGetValue(tag, out var l) ? l : issuedByTag[tag] = []).Add(id);
        var redemptions = (await c.QueryAsync<(long Id, string? Tag, long Live)>(
            "SELECT id, transaction_number, CASE WHEN reversed_at IS NULL THEN 1 ELSE 0 END FROM redemptions")).ToList();
        var byTag = redemptions.Where(r => r.Tag is not null).ToLookup(r => r.Tag!);
        var byId = redemptions.ToDictionary(r => r.Id);
        foreach (var s in sent)
        {
            switch (s.Kind)
            {
                case Kind.Issue:
                    var rows = issuedByTag.GetValueOrDefault(s.Tag) ?? [];
                    if (s.Answered == true) report.Expect(rows.SequenceEqual(s.Ids), $"{when}: issue {s.Tag} answered coupon {string.Join(",", s.Ids)} but the database has [{string.Join(",", rows)}]");
                    if (s.Answered == false) report.Expect(rows.Count == 0, $"{when}: issue {s.Tag} answered failure but coupon {string.Join(",", rows)} exists");
                    report.Expect(rows.Count <= 1, $"{when}: issue {s.Tag} of one coupon left {rows.Count}");
                    break;
                case Kind.Redeem:
                    var mine = byTag[s.Tag].ToList();
                    if (s.Answered == true) report.Expect(mine.Select(m => m.Id).Order().SequenceEqual(s.Ids.Order()), $"{when}: redeem {s.Tag} answered redemptions {string.Join(",", s.Ids)}, the database has [{string.Join(",", mine.Select(m => m.Id))}]");
                    if (s.Answered == false) report.Expect(mine.Count == 0, $"{when}: redeem {s.Tag} answered failure but left {mine.Count} redemptions");
                    report.Expect(mine.Count == 0 || mine.Count == s.Codes, $"{when}: redeem {s.Tag} of {s.Codes} codes left {mine.Count} redemptions (a partial batch)");
                    break;
                case Kind.Reverse:
                    var row = byId.GetValueOrDefault(s.Ids[0]);
                    if (s.Answered == true) report.Expect(row.Live == 0, $"{when}: reversal of {s.Ids[0]} answered success but the redemption is live");
                    if (s.Answered == false) report.Expect(row.Live == 1, $"{when}: reversal of {s.Ids[0]} answered failure but the redemption is reversed");
                    break;
            }
        }
        await Invariants.CheckAsync(db, report);
    }
}
