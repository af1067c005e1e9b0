-- duration: sales_cycle_days
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, duckdb

-- query: leads by converted_at
SELECT
  CAST(DATE_TRUNC('MONTH', "t1"."converted_at") AS DATE) AS "period",
  AVG(
    CAST(EPOCH(CAST("t1"."converted_at" AS TIMESTAMP)) - EPOCH(CAST("t1"."first_contact_at" AS TIMESTAMP)) AS DOUBLE) / 86400.0
  ) FILTER(WHERE
    (
      "t1"."first_contact_at" IS NOT NULL
    )
    AND (
      "t1"."converted_at" IS NOT NULL
    )) AS "m0"
FROM (
  SELECT
    *
  FROM "leads" AS "t0"
  WHERE
    "t0"."converted_at" >= MAKE_TIMESTAMP(2024, 1, 1, 0, 0, 0.0)
    AND "t0"."converted_at" < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
) AS "t1"
GROUP BY
  1;
