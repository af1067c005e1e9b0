-- ratio: quote_win_rate
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, duckdb

-- query: quotes by decided_at
SELECT
  CAST(DATE_TRUNC('MONTH', "t1"."decided_at") AS DATE) AS "period",
  COUNT("t1"."quote_id") FILTER(WHERE
    "t1"."status" = 'won') AS "m0",
  COUNT("t1"."quote_id") FILTER(WHERE
    "t1"."status" IN ('won', 'lost')) AS "m1"
FROM (
  SELECT
    *
  FROM "quotes" AS "t0"
  WHERE
    "t0"."decided_at" >= MAKE_TIMESTAMP(2024, 1, 1, 0, 0, 0.0)
    AND "t0"."decided_at" < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
) AS "t1"
GROUP BY
  1;
