using System.Data.Common;
using System.Globalization;
using System.Text.Json.Nodes;
using Coupons.Core;
using Dapper;

namespace Coupons.Storage;

/// <summary>
/// The notification dispatcher's SQL. Outbox rows (written in the coupon's own transaction) are expanded into
/// deliveries, one per channel and webhook endpoint; deliveries are claimed under a lease, attempted outside any
/// transaction, and settled with a fence on the attempt number, so a node that lost its lease cannot overwrite the
/// result of the node that took the delivery over.
/// </summary>
public abstract partial class SqlStore
{
    const string DeliveryColumns =
        "id, org_id, outbox_id, event, channel, endpoint_id, recipient, subject, body, status, attempts, next_attempt_at, last_error, created_at, sent_at";

    // ---- Expansion: outbox event → deliveries ---------------------------------------------

    public async Task<int> ExpandOutboxAsync(int batch, CancellationToken ct = default)
    {
        if (!await AnyDueAsync("SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= @now LIMIT 1")) return 0;
        try
        {
            return await WriteAsync((c, tx) => ExpandAsync(c, tx, batch, onlyId: null));
        }
        catch (Exception) when (batch > 1 && !ct.IsCancellationRequested)
        {
            // One event that cannot be expanded must not hold back the others: take them one at a time, and park
            // the one that fails on its own (with its error) instead of failing the whole batch forever.
            long[] ids;
            await using (var r = await OpenReadAsync())
                ids = (await r.QueryAsync<long>(
                    "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= @now ORDER BY next_attempt_at, id LIMIT @batch",
                    new { now = Now, batch })).ToArray();
            var expanded = 0;
            foreach (var id in ids)
            {
                try
                {
                    expanded += await WriteAsync((c, tx) => ExpandAsync(c, tx, 1, id));
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    await WriteAsync((c, tx) => c.ExecuteAsync(
                        "UPDATE outbox SET status = 'dead', attempts = attempts + 1, last_error = @error WHERE id = @id AND status = 'pending'",
                        new { id, error = Truncate(e.Message) }, tx));
                }
            }
            return expanded;
        }
    }

    async Task<bool> AnyDueAsync(string sql)
    {
        // A read first, so an idle node does not take a write transaction (SQLite's single writer) at every poll.
        await using var r = await OpenReadAsync();
        return await r.ExecuteScalarAsync<long?>(sql, new { now = Now }) is not null;
    }

    async Task<int> ExpandAsync(DbConnection c, DbTransaction tx, int batch, long? onlyId)
    {
        var now = Now;
        var events = (await c.QueryAsync<OutboxRow>(
            $"""
            SELECT id, org_id, kind, payload, created_at FROM outbox
            WHERE status = 'pending' AND next_attempt_at <= @now{(onlyId is null ? "" : " AND id = @onlyId")}
            ORDER BY next_attempt_at, id LIMIT @batch{SkipLocked}
            """, new { now, onlyId, batch }, tx)).ToList();
        if (events.Count == 0) return 0;

        var endpoints = new Dictionary<long, List<EndpointRow>>();
        var zones = new Dictionary<long, TimeZoneInfo>();
        var deliveries = new List<object>();
        foreach (var e in events)
        {
            var data = JsonNode.Parse(e.Payload)!.AsObject();
            if (CouponEvents.MessagesCustomer(e.Kind))
            {
                foreach (var m in await ComposeAsync(c, tx, e.OrgId, data, zones))
                    deliveries.Add(NewDelivery(e, m.Channel, null, m.Recipient, m.Subject, m.Body, now));
            }
            if (!endpoints.TryGetValue(e.OrgId, out var ofOrg))
                endpoints[e.OrgId] = ofOrg = (await c.QueryAsync<EndpointRow>(
                    "SELECT id, org_id, url, events, created_at FROM webhook_endpoints WHERE org_id = @orgId ORDER BY id", new { orgId = e.OrgId }, tx)).ToList();
            var subscribed = ofOrg.Where(w => w.EventList.Contains(e.Kind)).ToList();
            if (subscribed.Count == 0) continue;
            var body = new JsonObject
            {
                ["id"] = e.Id,
                ["type"] = e.Kind,
                ["createdAt"] = e.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["data"] = data,
            }.ToJsonString();
            foreach (var w in subscribed)
                deliveries.Add(NewDelivery(e, "webhook", w.Id, w.Url, null, body, now));
        }
        if (deliveries.Count > 0)
            await c.ExecuteAsync(
                """
                INSERT INTO deliveries (org_id, outbox_id, event, channel, endpoint_id, recipient, subject, body, status, attempts, next_attempt_at, created_at)
                VALUES (@orgId, @outboxId, @kind, @channel, @endpointId, @recipient, @subject, @body, 'pending', 0, @now, @now)
                """, deliveries, tx);
        var ids = events.Select(e => e.Id).ToArray();
        await c.ExecuteAsync($"UPDATE outbox SET status = 'done', attempts = attempts + 1 WHERE {InList("id", "@ids")}", new { ids }, tx);
        return events.Count;
    }

    static object NewDelivery(OutboxRow e, string channel, long? endpointId, string recipient, string? subject, string body, DateTimeOffset now) =>
        new { orgId = e.OrgId, outboxId = e.Id, kind = e.Kind, channel, endpointId, recipient, subject, body, now };

    /// <summary>The customer's messages for an issued or resent coupon, from the series' templates as they are now.</summary>
    async Task<IReadOnlyList<OutgoingMessage>> ComposeAsync(DbConnection c, DbTransaction tx, long orgId, JsonObject data, Dictionary<long, TimeZoneInfo> zones)
    {
        var couponId = data["couponId"]?.GetValue<long>();
        var customerId = data["customerId"]?.GetValue<long>();
        var coupon = couponId is null ? null : await c.QuerySingleOrDefaultAsync<Coupon>(
            $"SELECT {CouponColumns} FROM coupons c WHERE c.org_id = @orgId AND c.id = @couponId", new { orgId, couponId }, tx);
        var customer = customerId is null ? null : await c.QuerySingleOrDefaultAsync<Customer>(
            $"SELECT {CustomerColumns} FROM customers WHERE org_id = @orgId AND id = @customerId", new { orgId, customerId }, tx);
        if (coupon is null || customer is null) return [];
        var series = await GetSeriesAsync(c, tx, orgId, coupon.SeriesId, lockRow: false);
        if (series is null) return [];
        if (!zones.TryGetValue(orgId, out var zone))
            zones[orgId] = zone = TimeZones.FindOrUtc(await c.ExecuteScalarAsync<string>("SELECT time_zone FROM organisations WHERE id = @orgId", new { orgId }, tx));
        return MessageTemplates.Compose(series, coupon, customer, zone);
    }

    // ---- Delivery: claim, settle ----------------------------------------------------------

    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimDeliveriesAsync(int batch, TimeSpan lease, CancellationToken ct = default)
    {
        if (!await AnyDueAsync("SELECT id FROM deliveries WHERE status IN ('pending', 'sending') AND next_attempt_at <= @now LIMIT 1")) return [];
        return await WriteAsync<IReadOnlyList<ClaimedDelivery>>(async (c, tx) =>
        {
            var now = Now;
            // A 'sending' row whose lease has ended belongs to a node that died or stalled mid-send: it is due again.
            var claimed = (await c.QueryAsync<Delivery>(
                $"""
                UPDATE deliveries SET status = 'sending', attempts = attempts + 1, next_attempt_at = @leaseEnd
                WHERE id IN (SELECT id FROM deliveries WHERE status IN ('pending', 'sending') AND next_attempt_at <= @now
                             ORDER BY next_attempt_at LIMIT @batch{SkipLocked})
                RETURNING {DeliveryColumns}
                """, new { now, leaseEnd = now + lease, batch }, tx)).ToList();
            var endpointIds = claimed.Where(d => d.EndpointId is not null).Select(d => d.EndpointId!.Value).Distinct().ToArray();
            var secrets = endpointIds.Length == 0 ? [] : (await c.QueryAsync<(long Id, string Secret)>(
                $"SELECT id, secret FROM webhook_endpoints WHERE {InList("id", "@endpointIds")}", new { endpointIds }, tx)).ToDictionary(r => r.Id, r => r.Secret);
            return claimed.OrderBy(d => d.Id)
                .Select(d => new ClaimedDelivery(d, d.EndpointId is { } e ? secrets.GetValueOrDefault(e) : null)).ToList();
        });
    }

    /// <summary>
    /// Records an attempt and settles the delivery: sent; or pending again after the outcome's delay; or dead once
    /// <paramref name="maxAttempts"/> are used (or at once when the failure is permanent). False when the lease was lost
    /// (another node took the delivery over); the attempt is recorded all the same.
    /// </summary>
    public Task<bool> SettleDeliveryAsync(Delivery d, AttemptOutcome outcome, int maxAttempts) =>
        WriteAsync(async (c, tx) =>
        {
            var now = Now;
            var status = outcome.Ok ? DeliveryStatus.Sent
                : outcome.Permanent || d.Attempts >= maxAttempts ? DeliveryStatus.Dead : DeliveryStatus.Pending;
            var changed = await c.ExecuteAsync(
                """
                UPDATE deliveries SET status = @status, next_attempt_at = @next, last_error = @error, sent_at = @sentAt
                WHERE id = @id AND status = 'sending' AND attempts = @attempts
                """, new
                {
                    id = d.Id,
                    attempts = d.Attempts,
                    status,
                    next = outcome.Ok ? now : now + outcome.RetryAfter,
                    error = outcome.Ok ? null : Truncate(outcome.Error),
                    sentAt = outcome.Ok ? now : (DateTimeOffset?)null,
                }, tx);
            await c.ExecuteAsync(
                """
                INSERT INTO delivery_attempts (delivery_id, org_id, attempt, started_at, duration_ms, ok, error)
                VALUES (@id, @orgId, @attempt, @startedAt, @durationMs, @ok, @error)
                """, new
                {
                    id = d.Id,
                    orgId = d.OrgId,
                    attempt = d.Attempts,
                    startedAt = outcome.StartedAt,
                    durationMs = outcome.DurationMs,
                    ok = outcome.Ok,
                    error = Truncate(outcome.Error),
                }, tx);
            return changed == 1;
        });

    static string? Truncate(string? s) => s is { Length: > 2000 } ? s[..2000] : s;

    // ---- Admin: deliveries ----------------------------------------------------------------

    /// <summary>An organisation's deliveries, newest first; <paramref name="status"/> a status, "failing"
    /// (pending after a failed attempt) or null for all.</summary>
    public async Task<IReadOnlyList<Delivery>> ListDeliveriesAsync(long orgId, string? status, int offset, int limit)
    {
        var filter = status switch
        {
            null => "",
            "failing" => " AND status = 'pending' AND last_error IS NOT NULL",
            _ => " AND status = @status",
        };
        return await ReadAsync(async c => (await c.QueryAsync<Delivery>(
            $"SELECT {DeliveryColumns} FROM deliveries WHERE org_id = @orgId{filter} ORDER BY id DESC LIMIT @limit OFFSET @offset",
            new { orgId, status, limit, offset })).ToList());
    }

    public Task<(Delivery Delivery, IReadOnlyList<DeliveryAttempt> Attempts)?> GetDeliveryAsync(long orgId, long id) =>
        ReadAsync<(Delivery, IReadOnlyList<DeliveryAttempt>)?>(async c =>
        {
            var d = await c.QuerySingleOrDefaultAsync<Delivery>($"SELECT {DeliveryColumns} FROM deliveries WHERE org_id = @orgId AND id = @id", new { orgId, id });
            if (d is null) return null;
            var attempts = await c.QueryAsync<DeliveryAttempt>(
                "SELECT attempt, started_at, duration_ms, ok, error FROM delivery_attempts WHERE org_id = @orgId AND delivery_id = @id ORDER BY id",
                new { orgId, id });
            return (d, attempts.ToList());
        });

    /// <summary>Puts a dead (or failing) delivery back in the queue with its attempts reset. False when there is no such delivery.</summary>
    public Task<bool> RetryDeliveryAsync(long orgId, long id) =>
        WriteAsync(async (c, tx) => await c.ExecuteAsync(
            """
            UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = @now
            WHERE org_id = @orgId AND id = @id AND status IN ('dead', 'pending')
            """, new { orgId, id, now = Now }, tx) == 1);

    // ---- Admin: webhook endpoints ---------------------------------------------------------

    public Task<WebhookEndpoint> CreateWebhookAsync(long orgId, string url, IReadOnlyList<string> events, string secret) =>
        WriteAsync(async (c, tx) =>
        {
            var now = Now;
            var id = await c.ExecuteScalarAsync<long>(
                "INSERT INTO webhook_endpoints (org_id, url, events, secret, created_at) VALUES (@orgId, @url, @events, @secret, @now) RETURNING id",
                new { orgId, url, events = string.Join(',', events), secret, now }, tx);
            return new WebhookEndpoint(id, orgId, url, events, now);
        });

    public Task<IReadOnlyList<WebhookEndpoint>> ListWebhooksAsync(long orgId) =>
        ReadAsync<IReadOnlyList<WebhookEndpoint>>(async c =>
            (await c.QueryAsync<EndpointRow>("SELECT id, org_id, url, events, created_at FROM webhook_endpoints WHERE org_id = @orgId ORDER BY id", new { orgId }))
            .Select(r => new WebhookEndpoint(r.Id, r.OrgId, r.Url, r.EventList, r.CreatedAt)).ToList());

    /// <summary>Removes an endpoint; its undelivered messages are cancelled. False when the organisation has no such endpoint.</summary>
    public Task<bool> DeleteWebhookAsync(long orgId, long id) =>
        WriteAsync(async (c, tx) =>
        {
            if (await c.ExecuteAsync("DELETE FROM webhook_endpoints WHERE org_id = @orgId AND id = @id", new { orgId, id }, tx) == 0) return false;
            await c.ExecuteAsync(
                "UPDATE deliveries SET status = 'cancelled', last_error = 'webhook endpoint deleted' WHERE org_id = @orgId AND endpoint_id = @id AND status IN ('pending', 'dead')",
                new { orgId, id }, tx);
            return true;
        });

    sealed class OutboxRow
    {
        public long Id { get; set; }
        public long OrgId { get; set; }
        public string Kind { get; set; } = "";
        public string Payload { get; set; } = "{}";
        public DateTimeOffset CreatedAt { get; set; }
    }

    sealed class EndpointRow
    {
        public long Id { get; set; }
        public long OrgId { get; set; }
        public string Url { get; set; } = "";
        public string Events { get; set; } = "";
        public DateTimeOffset CreatedAt { get; set; }
        public string[] EventList => Events.Split(',', StringSplitOptions.RemoveEmptyEntries);
    }
}
