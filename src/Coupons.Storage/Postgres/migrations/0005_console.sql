-- The console's chart of a series: issues and redemptions per day.
CREATE INDEX coupons_series_issued ON coupons (series_id, issued_on) WHERE issued_on IS NOT NULL;
CREATE INDEX redemptions_series ON redemptions (series_id, redeemed_at);

-- ASP.NET Core data-protection keys (the console's cookie and anti-forgery tokens), shared by every node.
-- Not tenant data: one key ring for the whole service.
CREATE TABLE data_protection_keys (
    name text PRIMARY KEY,
    xml text NOT NULL,
    created_at timestamptz NOT NULL
);
