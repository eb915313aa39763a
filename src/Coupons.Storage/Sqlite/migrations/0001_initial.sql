CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL DEFAULT 'UTC',
    transaction_number_required INTEGER NOT NULL DEFAULT 0,
    rate_limit_per_minute INTEGER NOT NULL DEFAULT 1000,
    created_at TEXT NOT NULL
);

CREATE TABLE stores (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (org_id, code)
);

CREATE TABLE tills (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    store_id INTEGER NOT NULL REFERENCES stores(id),
    code TEXT NOT NULL,
    code_key TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    mobile TEXT,
    email TEXT,
    external_id TEXT,
    fraud_status INTEGER NOT NULL DEFAULT 0,
    coupons_blocked INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX customers_mobile ON customers (org_id, mobile) WHERE mobile IS NOT NULL;
CREATE UNIQUE INDEX customers_email ON customers (org_id, email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX customers_external_id ON customers (org_id, external_id) WHERE external_id IS NOT NULL;

CREATE TABLE series (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    series_code TEXT NOT NULL,
    config TEXT NOT NULL,
    max_create INTEGER NOT NULL,
    max_redeem INTEGER NOT NULL,
    num_issued INTEGER NOT NULL DEFAULT 0,
    num_redeemed INTEGER NOT NULL DEFAULT 0,
    num_uploaded_total INTEGER NOT NULL DEFAULT 0,
    num_uploaded_non_issued INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    last_used TEXT,
    UNIQUE (org_id, series_code)
);

-- One row per code. Uploaded codes wait here with customer_id NULL until issued;
-- a GENERIC series has one row per customer, all sharing the series' code.
CREATE TABLE coupons (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    series_id INTEGER NOT NULL REFERENCES series(id),
    code TEXT NOT NULL,
    code_key TEXT NOT NULL,
    is_generic INTEGER NOT NULL DEFAULT 0,
    customer_id INTEGER REFERENCES customers(id),
    issued_by_till_id INTEGER,
    issued_at_store_id INTEGER,
    issued_on TEXT,
    valid_till TEXT,
    pin_code TEXT NOT NULL DEFAULT '',
    num_redemptions INTEGER NOT NULL DEFAULT 0,
    revoked INTEGER NOT NULL DEFAULT 0,
    metadata TEXT,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX coupons_code ON coupons (org_id, code_key) WHERE NOT is_generic;
CREATE UNIQUE INDEX coupons_generic_holder ON coupons (series_id, customer_id) WHERE is_generic;
CREATE INDEX coupons_generic_code ON coupons (org_id, code_key) WHERE is_generic;
CREATE INDEX coupons_customer ON coupons (org_id, customer_id, series_id);
CREATE INDEX coupons_pool ON coupons (series_id, id) WHERE customer_id IS NULL;

CREATE TABLE redemptions (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    coupon_id INTEGER NOT NULL REFERENCES coupons(id),
    series_id INTEGER NOT NULL REFERENCES series(id),
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    till_id INTEGER NOT NULL,
    store_id INTEGER NOT NULL,
    redeemed_at TEXT NOT NULL,
    transaction_number TEXT,
    bill_amount TEXT,
    custom_fields TEXT,
    reversed_at TEXT,
    reversed_by_till_id INTEGER
);
CREATE INDEX redemptions_coupon ON redemptions (coupon_id);
CREATE INDEX redemptions_customer_series ON redemptions (customer_id, series_id);

-- Messages and events written in the same transaction as the coupon change they describe.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
