-- Redeem reads the customer's latest live redemption in the series (minDaysBetweenRedemption) with MAX(redeemed_at).
-- With (customer_id, series_id) alone the planner answered it from redemptions_series (series_id, redeemed_at),
-- reading every redemption of the series, all customers', at each redeem: a campaign everyone redeems grew slower
-- with each redemption (SQLite, 20,000-coupon campaign: 2.92 ms of server CPU per redeem, 0.25x raw; 2026-12-02).
-- With redeemed_at in this index the MAX is the last entry under the customer and series.
DROP INDEX redemptions_customer_series;
CREATE INDEX redemptions_customer_series ON redemptions (customer_id, series_id, redeemed_at);
