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

    /// <summary>
    /// When an event's outbox row is written: only if someone will read it. <c>@messages</c>: the customer gets a
    /// message of it (<see cref="MessageTemplates.Reaches"/>, for issue and resend); otherwise only if a webhook
    /// endpoint of the organisation takes this kind of event (<c>@kind</c>), as the statement sees the endpoints: an
    /// endpoint registered after the event's transaction gets no earlier events. An organisation that sends nothing
    /// pays one index probe per event instead of a row written, then read, parsed and settled by the dispatcher
    /// (about 0.5 ms of server CPU per coupon, measured 2026-12-02 for issue #14).
    /// </summary>
    protected const string OutboxWanted =
        "(@messages OR EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.org_id = @orgId AND ',' || w.events || ',' LIKE '%,' || @kind || ',%'))";

    /// <summary>
    /// One event of a coupon, as the outbox keeps it. Messages: the customer gets a message of it (the row is then
    /// written whatever the webhooks; see <see cref="OutboxWanted"/>).
    /// </summary>
    protected readonly record struct CouponEvent(string Kind, long CouponId, string Code, long SeriesId, long CustomerId, long? RedemptionId = null, bool Messages = false)
    {
        public static CouponEvent Of(string kind, Coupon coupon, long customerId, long? redemptionId = null) =>
            new(kind, coupon.Id, coupon.Code, coupon.SeriesId, customerId, redemptionId);

        /// <summary>An issue or resend of a coupon of this series to this customer: a message when the series reaches them.</summary>
        public static CouponEvent ToCustomer(string kind, Coupon coupon, Series series, Customer customer) =>
            new(kind, coupon.Id, coupon.Code, coupon.SeriesId, customer.Id, null, MessageTemplates.Reaches(series, customer));

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

    /// <summary>
    /// The events' outbox rows (those someone will read: <see cref="OutboxWanted"/>): one statement per kind of event
    /// and messages flag (an issue of 500 coupons is one), its condition tested once, its rows a VALUES list.
    /// </summary>
    protected static async Task OutboxAsync(DbConnection c, DbTransaction tx, long orgId, IReadOnlyList<CouponEvent> events, DateTimeOffset now)
    {
        foreach (var group in events.GroupBy(e => (e.Kind, e.Messages)))
        {
            var args = new DynamicParameters(new { orgId, now, kind = group.Key.Kind, messages = group.Key.Messages });
            var rows = new StringBuilder();
            var i = 0;
            foreach (var e in group)
            {
                args.Add($"p{i}", e.Payload());
                rows.Append(i == 0 ? "" : ", ").Append($"(@p{i})");
                i++;
            }
            // VALUES names its column column1 on both databases.
            await c.ExecuteAsync($"{InsertOutbox} SELECT @orgId, @kind, v.column1, @now, @now FROM (VALUES {rows}) AS v WHERE {OutboxWanted}", args, tx);
        }
    }
}
