-- simple: revenue
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, postgres

-- query: orders by ordered_at
SELECT
  CAST(DATE_TRUNC('MONTH', "t1"."ordered_at") AS DATE) AS "period",
  SUM(CAST("t1"."amount" AS DOUBLE PRECISION)) FILTER(WHERE
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
