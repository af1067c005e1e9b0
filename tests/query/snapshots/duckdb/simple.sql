-- simple: revenue
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, duckdb

-- query: orders by ordered_at
SELECT
  CAST(DATE_TRUNC('MONTH', "t1"."ordered_at") AS DATE) AS "period",
  SUM(CAST("t1"."amount" AS DOUBLE)) FILTER(WHERE
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
    "t0"."ordered_at" >= MAKE_TIMESTAMP(2024, 1, 1, 0, 0, 0.0)
    AND "t0"."ordered_at" < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
) AS "t1"
GROUP BY
  1;
