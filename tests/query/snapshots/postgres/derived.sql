-- derived: net_profit
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, postgres

-- query: orders by ordered_at
SELECT
  CAST(DATE_TRUNC('MONTH', "t1"."ordered_at") AS DATE) AS "period",
  SUM(CAST("t1"."amount" - COALESCE("t1"."cost", 0) AS DOUBLE PRECISION)) FILTER(WHERE
    (
      "t1"."status" IS NULL
    ) OR (
      "t1"."status" <> 'cancelled'
    )) AS "m0"
FROM (
  SELECT
    *
  FROM "orders" AS "t0"
  WHERE
    "t0"."ordered_at" >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
    AND "t0"."ordered_at" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
) AS "t1"
GROUP BY
  1;

-- query: costs by incurred_on
SELECT
  CAST(DATE_TRUNC('MONTH', CAST("t1"."incurred_on" AS TIMESTAMP)) AS DATE) AS "period",
  SUM(CAST("t1"."amount" AS DOUBLE PRECISION)) AS "m0"
FROM (
  SELECT
    *
  FROM "costs" AS "t0"
  WHERE
    CAST("t0"."incurred_on" AS TIMESTAMP) >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
    AND CAST("t0"."incurred_on" AS TIMESTAMP) < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
) AS "t1"
GROUP BY
  1;
