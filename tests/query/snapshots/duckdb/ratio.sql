-- ratio: quote_win_rate
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, duckdb

-- query: quotes by decided_at
SELECT
  'month' AS "__grain",
  CAST(DATE_TRUNC('MONTH', CAST("t2"."__day" AS TIMESTAMP)) AS DATE) AS "period",
  "t2"."__set",
  SUM("t2"."__rows") AS "__rows",
  CAST(SUM("t2"."g0") AS DOUBLE) AS "g0",
  CAST(SUM("t2"."g1") AS DOUBLE) AS "g1"
FROM (
  SELECT
    CAST(DATE_TRUNC('DAY', "t1"."decided_at") AS DATE) AS "__day",
    0 AS "__set",
    COUNT("t1"."quote_id") AS "__rows",
    COUNT("t1"."quote_id") FILTER(WHERE
      "t1"."status" = 'won') AS "g0",
    COUNT("t1"."quote_id") FILTER(WHERE
      "t1"."status" IN ('won', 'lost')) AS "g1"
  FROM (
    SELECT
      *
    FROM "quotes" AS "t0"
    WHERE
      "t0"."decided_at" < MAKE_TIMESTAMP(2024, 7, 1, 0, 0, 0.0)
      AND "t0"."decided_at" >= MAKE_TIMESTAMP(2024, 1, 1, 0, 0, 0.0)
      AND "t0"."decided_at" < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
  ) AS "t1"
  GROUP BY
    1,
    2
) AS "t2"
GROUP BY
  1,
  2,
  3;
