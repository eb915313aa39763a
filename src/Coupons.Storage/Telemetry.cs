using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Coupons.Storage;

/// <summary>
/// What the store tells an operator: the meter <c>Coupons</c> (coupons issued and redeemed, refusals by code,
/// redemption amounts, commit batch sizes and waits) and the activity source <c>Coupons.Storage</c> (one span per
/// committed batch, linked to the requests it carried, under which the batch's SQL spans hang).
/// Instruments cost a field read while nobody listens; the server subscribes to them (Operations/Telemetry.cs).
/// </summary>
public static class StoreTelemetry
{
    public const string MeterName = "Coupons";
    public const string SourceName = "Coupons.Storage";

    public static readonly Meter Meter = new(MeterName);
    public static readonly ActivitySource Source = new(SourceName);

    static readonly Counter<long> Issued = Meter.CreateCounter<long>("coupons.issued", "{coupon}", "Coupons issued (v1.1, v2, console)");
    static readonly Counter<long> Redeemed = Meter.CreateCounter<long>("coupons.redeemed", "{redemption}", "Redemptions made");
    static readonly Counter<long> Refused = Meter.CreateCounter<long>("coupons.refusals", "{item}",
        "Items refused, by operation (issue, redeem, isredeemable) and the catalogue code answered");
    static readonly Histogram<double> BillAmount = Meter.CreateHistogram<double>("coupons.redemption.bill_amount", null,
        "Bill amount sent with a redemption (in the organisation's currency), when one was sent");
    static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("coupons.commit.batch_size", "{request}",
        "Requests per committed batch, by committer (redeem, issue, group)", advice: new() { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64] });
    static readonly Histogram<double> BatchWait = Meter.CreateHistogram<double>("coupons.commit.wait", "s",
        "Time a request waited in its committer's queue before its batch began, by committer",
        advice: new() { HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });

    /// <summary>Counts what an issue did once it is answered; <paramref name="answer"/> itself is unchanged.</summary>
    public static Task<IssueResult> Observe(Task<IssueResult> answer) =>
        Issued.Enabled || Refused.Enabled ? ObserveIssueAsync(answer) : answer;

    static async Task<IssueResult> ObserveIssueAsync(Task<IssueResult> answer)
    {
        var r = await answer;
        var fresh = r.Coupons.Count(c => !c.Resent);
        if (fresh > 0) Issued.Add(fresh);
        if (!r.Refusal.Ok) Refused.Add(Math.Max(1, r.Failed), new("operation", "issue"), new("code", r.Refusal.Code));
        return r;
    }

    /// <summary>Counts what a redemption (or, with <paramref name="check"/>, an is-redeemable) did once it is answered.</summary>
    public static Task<RedeemResult> Observe(Task<RedeemResult> answer, bool check = false) =>
        Redeemed.Enabled || Refused.Enabled ? ObserveRedeemAsync(answer, check) : answer;

    static async Task<RedeemResult> ObserveRedeemAsync(Task<RedeemResult> answer, bool check)
    {
        var r = await answer;
        foreach (var item in r.Items)
        {
            if (!item.Outcome.Ok) Refused.Add(1, new("operation", check ? "isredeemable" : "redeem"), new("code", item.Outcome.Code));
            else if (!check)
            {
                Redeemed.Add(1);
                if (item.Request.BillAmount is { } bill) BillAmount.Record((double)bill);
            }
        }
        return r;
    }

    /// <summary>A batch about to run: its size, each request's wait since <see cref="Queued"/>, and a span linked to the requests' own (only when traced).</summary>
    public static Activity? BatchStarting<T>(string committer, IReadOnlyList<T> batch, Func<T, Queued> queued)
    {
        if (BatchSize.Enabled) BatchSize.Record(batch.Count, new KeyValuePair<string, object?>("committer", committer));
        if (BatchWait.Enabled)
        {
            var now = Stopwatch.GetTimestamp();
            foreach (var item in batch)
                BatchWait.Record(Stopwatch.GetElapsedTime(queued(item).At, now).TotalSeconds, new KeyValuePair<string, object?>("committer", committer));
        }
        if (!Source.HasListeners()) return null;
        var links = new List<ActivityLink>(batch.Count);
        foreach (var item in batch)
            if (queued(item).Context is { TraceId: var id } context && id != default) links.Add(new ActivityLink(context));
        var activity = Source.StartActivity(ActivityKind.Internal, parentContext: default, tags: [new("coupons.committer", committer), new("coupons.batch_size", batch.Count)],
            links: links, name: $"commit {committer} batch");
        return activity;
    }
}

/// <summary>When a request joined a committer's queue, and the span it came from (for the batch span's links).</summary>
public readonly record struct Queued(long At, ActivityContext Context)
{
    public static Queued Now() => new(Stopwatch.GetTimestamp(), Activity.Current?.Context ?? default);
}
