-- Issue #18. The currency's minor unit of each organisation (discounts are rounded to it), and the discount each
-- redemption gave (NULL when the till sent no bill amount, or the series' discount is not on the bill).
ALTER TABLE organisations ADD COLUMN currency_decimals INTEGER NOT NULL DEFAULT 2;
ALTER TABLE redemptions ADD COLUMN discount_amount TEXT;

-- A series' lifecycle: paused (issue and redeem refused, 771) and archived (left out of the console's pickers, still
-- reported). Columns rather than config fields: PUT coupon/series replaces the config and must not resume a series.
ALTER TABLE series ADD COLUMN paused_at TEXT;
ALTER TABLE series ADD COLUMN archived_at TEXT;
