-- derived: net_profit
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, duckdb

-- query: orders by ordered_at
SELECT
  'month' AS "__grain",
  CAST(DATE_TRUNC('MONTH', CAST("t2"."__day" AS TIMESTAMP)) AS DATE) AS "period",
  "t2"."__set",
  SUM("t2"."__rows") AS "__rows",
  CAST(SUM("t2"."g0") AS DOUBLE) AS "g0"
FROM (
  SELECT
    CAST(DATE_TRUNC('DAY', "t1"."ordered_at") AS DATE) AS "__day",
    0 AS "__set",
    COUNT("t1"."order_id") AS "__rows",
    SUM("t1"."amount" - COALESCE("t1"."cost", 0)) FILTER(WHERE
      (
        "t1"."status" IS NULL
      ) OR (
        "t1"."status" <> 'cancelled'
      )) AS "g0"
  FROM (
    SELECT
      *
    FROM "orders" AS "t0"
    WHERE
      "t0"."ordered_at" < MAKE_TIMESTAMP(2024, 7, 1, 0, 0, 0.0)
      AND "t0"."ordered_at" >= MAKE_TIMESTAMP(2024, 1, 1, 0, 0, 0.0)
      AND "t0"."ordered_at" < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
  ) AS "t1"
  GROUP BY
    1,
    2
) AS "t2"
GROUP BY
  1,
  2,
  3;

-- query: costs by incurred_on
SELECT
  'month' AS "__grain",
  CAST(DATE_TRUNC('MONTH', CAST("t2"."__day" AS TIMESTAMP)) AS DATE) AS "period",
  "t2"."__set",
  SUM("t2"."__rows") AS "__rows",
  CAST(SUM("t2"."g0") AS DOUBLE) AS "g0"
FROM (
  SELECT
    CAST(DATE_TRUNC('DAY', CAST("t1"."incurred_on" AS TIMESTAMP)) AS DATE) AS "__day",
    0 AS "__set",
    COUNT("t1"."cost_id") AS "__rows",
    SUM("t1"."amount") AS "g0"
  FROM (
    SELECT
      *
    FROM "costs" AS "t0"
    WHERE
      CAST("t0"."incurred_on" AS TIMESTAMP) < MAKE_TIMESTAMP(2024, 7, 1, 0, 0, 0.0)
      AND CAST("t0"."incurred_on" AS TIMESTAMP) >= MAKE_TIMESTAMP(2024, 1, 1, 0, 0, 0.0)
      AND CAST("t0"."incurred_on" AS TIMESTAMP) < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
  ) AS "t1"
  GROUP BY
    1,
    2
) AS "t2"
GROUP BY
  1,
  2,
  3;
