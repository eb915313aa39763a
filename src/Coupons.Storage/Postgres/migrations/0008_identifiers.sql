-- Issue 15: customers are found by any reasonable form of their mobile or email.
-- The organisation's country for mobiles typed without a country code (GB, IN, …); NULL: digits are international.
ALTER TABLE organisations ADD COLUMN default_country text;

-- Stored mobiles in the service's form, E.164 digits, as far as SQL can tell without libphonenumber: separators
-- (spaces, dashes, dots, brackets) and a leading "+" or "00" removed. A national form ("07700 900001") cannot be
-- turned into E.164 here (no organisation had a country before this migration); it stays as its digits, and the
-- application normalises what a till types at look-up. A row whose new form another customer of the organisation
-- already has, or would get, is left as it was: the unique index allows one customer per mobile.
WITH cleaned AS (
    SELECT id, org_id, mobile, regexp_replace(mobile, '[\s().+-]', '', 'g') AS bare FROM customers WHERE mobile IS NOT NULL
), changed AS (
    SELECT id, org_id, CASE WHEN bare LIKE '00%' THEN substr(bare, 3) ELSE bare END AS v
    FROM cleaned WHERE bare <> mobile OR bare LIKE '00%'
), safe AS (
    SELECT id, v FROM changed n
    WHERE v ~ '^[0-9]+$'
      AND (SELECT count(*) FROM changed n2 WHERE n2.org_id = n.org_id AND n2.v = n.v) = 1
      AND NOT EXISTS (SELECT 1 FROM customers o WHERE o.org_id = n.org_id AND o.mobile = n.v)
)
UPDATE customers c SET mobile = safe.v FROM safe WHERE c.id = safe.id;

-- Emails trimmed and lower-cased (the API has lower-cased new ones for a while; older rows may not be).
WITH changed AS (
    SELECT id, org_id, lower(trim(email)) AS v FROM customers WHERE email IS NOT NULL AND lower(trim(email)) <> email
), safe AS (
    SELECT id, v FROM changed n
    WHERE v <> ''
      AND (SELECT count(*) FROM changed n2 WHERE n2.org_id = n.org_id AND n2.v = n.v) = 1
      AND NOT EXISTS (SELECT 1 FROM customers o WHERE o.org_id = n.org_id AND o.email = n.v)
)
UPDATE customers c SET email = safe.v FROM safe WHERE c.id = safe.id;
