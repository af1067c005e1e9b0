-- simple: revenue
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, postgres

-- query: orders by ordered_at
SELECT
  'month' AS "__grain",
  CAST(DATE_TRUNC('MONTH', CAST("t2"."__day" AS TIMESTAMP)) AS DATE) AS "period",
  "t2"."__set",
  SUM("t2"."__rows") AS "__rows",
  CAST(SUM("t2"."g0") AS DOUBLE PRECISION) AS "g0"
FROM (
  SELECT
    CAST(DATE_TRUNC('DAY', "t1"."ordered_at") AS DATE) AS "__day",
    0 AS "__set",
    COUNT("t1"."order_id") AS "__rows",
    SUM("t1"."amount") FILTER(WHERE
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
      "t0"."ordered_at" < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
      AND "t0"."ordered_at" >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
      AND "t0"."ordered_at" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
  ) AS "t1"
  GROUP BY
    1,
    2
) AS "t2"
GROUP BY
  1,
  2,
  3;
