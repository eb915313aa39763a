using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Coupons.Core;
using Dapper;

namespace Coupons.Storage;

/// <summary>
/// Every coupon event a write puts in the outbox, built in one place: one payload shape
/// (<c>{"couponId","code","seriesId","customerId","redemptionId"}</c>, redemptionId null for issue and resend) and one
/// INSERT. The event is written in the same transaction as the change it tells of; the dispatcher (Outbox.cs) sends it.
/// </summary>
public abstract partial class SqlStore
{
    /// <summary>The outbox's INSERT column list, written here only; a row's values are org, kind, payload, now, now.</summary>
    protected const string InsertOutbox = "INSERT INTO outbox (org_id, kind, payload, next_attempt_at, created_at)";

    /// <summary>One event of a coupon, as the outbox keeps it.</summary>
    protected readonly record struct CouponEvent(string Kind, long CouponId, string Code, long SeriesId, long CustomerId, long? RedemptionId = null)
    {
        public static CouponEvent Of(string kind, Coupon coupon, long customerId, long? redemptionId = null) =>
            new(kind, coupon.Id, coupon.Code, coupon.SeriesId, customerId, redemptionId);

        public string Payload() => JsonSerializer.Serialize(
            new { couponId = CouponId, code = Code, seriesId = SeriesId, customerId = CustomerId, redemptionId = RedemptionId }, CouponJson.Options);

        /// <summary>
        /// The payload around an id that a statement fills in as it inserts the row the id belongs to (the coupon's or
        /// the redemption's): the SQL writes <c>Before || id || After</c>. Built from the same payload, so the shape
        /// cannot drift from <see cref="Payload"/>.
        /// </summary>
        public (string Before, string After) AroundCouponId() => Around(this with { CouponId = Placeholder }, "couponId");

        /// <inheritdoc cref="AroundCouponId"/>
        public (string Before, string After) AroundRedemptionId() => Around(this with { RedemptionId = Placeholder }, "redemptionId");

        const long Placeholder = long.MinValue;

        static (string, string) Around(CouponEvent e, string field)
        {
            var json = e.Payload();
            // Matched with its key: a code is a JSON string, so the key's quotes inside it would be escaped.
            var key = $"\"{field}\":";
            var start = json.IndexOf(key + Placeholder.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal) + key.Length;
            return (json[..start], json[(start + Placeholder.ToString(CultureInfo.InvariantCulture).Length)..]);
        }
    }

    /// <summary>The events' outbox rows, in one statement.</summary>
    protected static async Task OutboxAsync(DbConnection c, DbTransaction tx, long orgId, IReadOnlyList<CouponEvent> events, DateTimeOffset now)
    {
        if (events.Count == 0) return;
        var args = new DynamicParameters(new { orgId, now });
        var rows = new StringBuilder();
        for (var i = 0; i < events.Count; i++)
        {
            args.Add($"k{i}", events[i].Kind);
            args.Add($"p{i}", events[i].Payload());
            rows.Append(i == 0 ? "" : ", ").Append($"(@orgId, @k{i}, @p{i}, @now, @now)");
        }
        await c.ExecuteAsync($"{InsertOutbox} VALUES {rows}", args, tx);
    }
}
