-- duration: sales_cycle_days
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, postgres

-- query: leads by converted_at
SELECT
  'month' AS "__grain",
  CAST(DATE_TRUNC('MONTH', CAST("t2"."__day" AS TIMESTAMP)) AS DATE) AS "period",
  "t2"."__set",
  SUM("t2"."__rows") AS "__rows",
  CASE
    WHEN SUM("t2"."g0__c") > 0
    THEN CAST(SUM("t2"."g0__s") AS DOUBLE PRECISION) / CAST(SUM("t2"."g0__c") AS DOUBLE PRECISION)
    ELSE CAST(NULL AS DOUBLE PRECISION)
  END * 1.1574074074074073e-05 AS "g0"
FROM (
  SELECT
    CAST(DATE_TRUNC('DAY', "t1"."converted_at") AS DATE) AS "__day",
    0 AS "__set",
    COUNT("t1"."lead_id") AS "__rows",
    SUM(
      EXTRACT('epoch' FROM "t1"."converted_at") - EXTRACT('epoch' FROM "t1"."first_contact_at")
    ) FILTER(WHERE
      (
        "t1"."first_contact_at" IS NOT NULL
      )
      AND (
        "t1"."converted_at" IS NOT NULL
      )) AS "g0__s",
    COUNT(
      EXTRACT('epoch' FROM "t1"."converted_at") - EXTRACT('epoch' FROM "t1"."first_contact_at")
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
      "t0"."converted_at" < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
      AND "t0"."converted_at" >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
      AND "t0"."converted_at" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
  ) AS "t1"
  GROUP BY
    1,
    2
) AS "t2"
GROUP BY
  1,
  2,
  3;
