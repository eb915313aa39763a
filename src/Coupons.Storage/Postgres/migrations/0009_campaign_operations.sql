-- Issue #18. The currency's minor unit of each organisation (discounts are rounded to it), and the discount each
-- redemption gave (NULL when the till sent no bill amount, or the series' discount is not on the bill).
ALTER TABLE organisations ADD COLUMN currency_decimals integer NOT NULL DEFAULT 2;
ALTER TABLE redemptions ADD COLUMN discount_amount numeric(18,4);
