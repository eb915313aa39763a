-- The console's chart of a series: issues and redemptions per day.
CREATE INDEX coupons_series_issued ON coupons (series_id, issued_on) WHERE issued_on IS NOT NULL;
CREATE INDEX redemptions_series ON redemptions (series_id, redeemed_at);
