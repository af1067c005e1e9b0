-- duration: sales_cycle_days
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, duckdb

-- query: leads by converted_at
SELECT
  'month' AS "__grain",
  CAST(DATE_TRUNC('MONTH', CAST("t2"."__day" AS TIMESTAMP)) AS DATE) AS "period",
  "t2"."__set",
  SUM("t2"."__rows") AS "__rows",
  CASE
    WHEN SUM("t2"."g0__c") > 0
    THEN CAST(SUM("t2"."g0__s") AS DOUBLE) / CAST(SUM("t2"."g0__c") AS DOUBLE)
    ELSE CAST(NULL AS DOUBLE)
  END * 1.1574074074074073e-05 AS "g0"
FROM (
  SELECT
    CAST(DATE_TRUNC('DAY', "t1"."converted_at") AS DATE) AS "__day",
    0 AS "__set",
    COUNT("t1"."lead_id") AS "__rows",
    SUM(
      EPOCH(CAST("t1"."converted_at" AS TIMESTAMP)) - EPOCH(CAST("t1"."first_contact_at" AS TIMESTAMP))
    ) FILTER(WHERE
      (
        "t1"."first_contact_at" IS NOT NULL
      )
      AND (
        "t1"."converted_at" IS NOT NULL
      )) AS "g0__s",
    COUNT(
      EPOCH(CAST("t1"."converted_at" AS TIMESTAMP)) - EPOCH(CAST("t1"."first_contact_at" AS TIMESTAMP))
    ) FILTER(WHERE
      (
        "t1"."first_contact_at" IS NOT NULL
      )
      AND (
        "t1"."converted_at" IS NOT NULL
      )) AS "g0__c"
  FROM (
    SELECT
      *
    FROM "leads" AS "t0"
    WHERE
      "t0"."converted_at" < MAKE_TIMESTAMP(2024, 7, 1, 0, 0, 0.0)
      AND "t0"."converted_at" >= MAKE_TIMESTAMP(2024, 1, 1, 0, 0, 0.0)
      AND "t0"."converted_at" < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
  ) AS "t1"
  GROUP BY
    1,
    2
) AS "t2"
GROUP BY
  1,
  2,
  3;
