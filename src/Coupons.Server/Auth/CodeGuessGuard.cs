using System.Collections.Concurrent;
using Coupons.Core;

namespace Coupons.Server.Auth;

/// <summary>
/// Codes are short enough to be guessed. Look-ups of codes that do not exist (702, 719) are counted per till and per
/// customer over a sliding minute; past <c>Coupons:Guessing:MaxFailuresPerMinute</c> (20) that till or customer is locked
/// out of redeem, is-redeemable and look-up by code for <c>Coupons:Guessing:LockoutSeconds</c> (300): 429 with Retry-After.
/// Each lock-out is logged. Counted per server node.
/// </summary>
public sealed class CodeGuessGuard(IConfiguration config, TimeProvider clock, ILogger<CodeGuessGuard> log)
{
    static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    const int MaxTracked = 100_000;
    readonly int threshold = Math.Max(1, config.GetValue("Coupons:Guessing:MaxFailuresPerMinute", 20));
    readonly TimeSpan lockout = TimeSpan.FromSeconds(Math.Max(1, config.GetValue("Coupons:Guessing:LockoutSeconds", 300)));
    readonly ConcurrentDictionary<string, Tally> tallies = new();

    sealed class Tally
    {
        public readonly Queue<DateTimeOffset> Failures = new();
        public DateTimeOffset LockedUntil;
    }

    public static bool IsGuess(Outcome o) => o.Code is Status.InvalidCode or Status.CodeDoesNotExist;

    static string TillKey(Caller c) => $"t{c.Till.Id}";

    static string? CustomerKey(Caller c, CustomerRef? who) => who is null || who.IsEmpty
        ? null
        : $"c{c.OrgId}|{who.Id}|{who.Mobile}|{who.Email?.ToLowerInvariant()}|{who.ExternalId}";

    /// <summary>How long this till, or this customer, is still locked out; null when neither is.</summary>
    public TimeSpan? LockedFor(Caller caller, CustomerRef? who = null)
    {
        var now = clock.GetUtcNow();
        TimeSpan? wait = null;
        foreach (var key in new[] { TillKey(caller), CustomerKey(caller, who) })
            if (key is not null && tallies.TryGetValue(key, out var t))
                lock (t)
                    if (t.LockedUntil > now && (wait is null || t.LockedUntil - now > wait)) wait = t.LockedUntil - now;
        return wait;
    }

    /// <summary>Counts the unknown codes one request looked up, and locks out whoever passes the threshold.</summary>
    public void Record(Caller caller, CustomerRef? who, int guesses)
    {
        if (guesses <= 0) return;
        if (tallies.Count > MaxTracked) Prune();
        var now = clock.GetUtcNow();
        foreach (var (key, what) in new[] { (TillKey(caller), $"till {caller.Till.Code}"), (CustomerKey(caller, who), "customer " + Describe(who)) })
        {
            if (key is null) continue;
            var t = tallies.GetOrAdd(key, _ => new Tally());
            lock (t)
            {
                while (t.Failures.Count > 0 && t.Failures.Peek() <= now - Window) t.Failures.Dequeue();
                for (var i = 0; i < guesses && t.Failures.Count <= threshold; i++) t.Failures.Enqueue(now);
                if (t.Failures.Count >= threshold && t.LockedUntil <= now)
                {
                    t.LockedUntil = now + lockout;
                    log.LogWarning("Code guessing: {What} of organisation {OrgId} looked up {Threshold} unknown codes in a minute; locked out until {Until:u}",
                        what, caller.OrgId, threshold, t.LockedUntil);
                }
            }
        }
    }

    static string Describe(CustomerRef? who) => who?.Id?.ToString() ?? who?.Mobile ?? who?.Email ?? who?.ExternalId ?? "?";

    void Prune()
    {
        var now = clock.GetUtcNow();
        foreach (var (key, t) in tallies)
            lock (t)
                if (t.LockedUntil <= now && (t.Failures.Count == 0 || t.Failures.Peek() <= now - Window)) tallies.TryRemove(key, out _);
    }

    public static Outcome Refusal(TimeSpan wait) =>
        new(Status.TooManyRequests, $"too many unknown coupon codes looked up; locked out for {Seconds(wait)} s");

    public static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
}
