-- Notifications (issue #6). The outbox rows written beside each coupon change are events; the dispatcher expands
-- each into one delivery per channel (sms, email) and per subscribed webhook endpoint, so each retries on its own.

-- Webhook endpoints of an organisation. The secret signs every delivery (HMAC-SHA256), so it is kept as issued;
-- the API shows it once, when the endpoint is registered.
CREATE TABLE webhook_endpoints (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX webhook_endpoints_org ON webhook_endpoints (org_id);

-- status: pending → sending (claimed; next_attempt_at is then the lease's end, after which another node may take it)
-- → sent | pending again (retry at next_attempt_at) | dead (attempts used up; an admin may retry) | cancelled.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL,
    outbox_id INTEGER NOT NULL,
    event TEXT NOT NULL,
    channel TEXT NOT NULL,
    endpoint_id INTEGER,
    recipient TEXT NOT NULL,
    subject TEXT,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX deliveries_org ON deliveries (org_id, status, id);
CREATE INDEX deliveries_outbox ON deliveries (outbox_id);

-- Every attempt at a delivery, failed or not.
CREATE TABLE delivery_attempts (
    id INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL,
    org_id INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    ok INTEGER NOT NULL,
    error TEXT
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id);
