-- conversion: lead_to_sale_conversion
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, duckdb

-- query: conversion lead_to_sale_conversion: base
SELECT
  'month' AS "__grain",
  CAST(DATE_TRUNC('MONTH', CAST("t1"."__day" AS TIMESTAMP)) AS DATE) AS "period",
  "t1"."__set",
  CAST(COUNT(DISTINCT "t1"."__id") AS DOUBLE) AS "value"
FROM (
  SELECT DISTINCT
    CAST(DATE_TRUNC('DAY', "t0"."created_at") AS DATE) AS "__day",
    0 AS "__set",
    "t0"."lead_id" AS "__id"
  FROM "leads" AS "t0"
  WHERE
    "t0"."created_at" >= MAKE_TIMESTAMP(2024, 1, 1, 0, 0, 0.0)
    AND "t0"."created_at" < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
    AND "t0"."created_at" < MAKE_TIMESTAMP(2024, 7, 1, 0, 0, 0.0)
    AND "t0"."customer_id" IS NOT NULL
) AS "t1"
GROUP BY
  1,
  2,
  3;

-- query: conversion lead_to_sale_conversion: converted
SELECT
  'month' AS "__grain",
  CAST(DATE_TRUNC('MONTH', CAST("t7"."__day" AS TIMESTAMP)) AS DATE) AS "period",
  "t7"."__set",
  CAST(COUNT(DISTINCT "t7"."__id") AS DOUBLE) AS "value"
FROM (
  SELECT DISTINCT
    *
  FROM (
    SELECT
      CAST(DATE_TRUNC('DAY', "t3"."__t") AS DATE) AS "__day",
      0 AS "__set",
      "t3"."__id"
    FROM (
      SELECT
        "t0"."lead_id" AS "__id",
        "t0"."customer_id" AS "__key",
        "t0"."created_at" AS "__t"
      FROM "leads" AS "t0"
      WHERE
        "t0"."created_at" >= MAKE_TIMESTAMP(2024, 1, 1, 0, 0, 0.0)
        AND "t0"."created_at" < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
        AND "t0"."created_at" < MAKE_TIMESTAMP(2024, 7, 1, 0, 0, 0.0)
        AND "t0"."customer_id" IS NOT NULL
    ) AS "t3"
    SEMI JOIN (
      SELECT
        "t1"."customer_id" AS "__ckey",
        "t1"."ordered_at" AS "__ct"
      FROM "orders" AS "t1"
      WHERE
        "t1"."ordered_at" IS NOT NULL
        AND "t1"."customer_id" IS NOT NULL
        AND "t1"."ordered_at" < MAKE_TIMESTAMP(2024, 7, 1, 0, 0, 0.0)
        AND (
          (
            "t1"."status" IS NULL
          ) OR (
            "t1"."status" <> 'cancelled'
          )
        )
    ) AS "t5"
      ON "t3"."__key" = "t5"."__ckey"
      AND "t5"."__ct" >= "t3"."__t"
      AND "t5"."__ct" <= (
        "t3"."__t" + INTERVAL '90' DAY
      )
  ) AS "t6"
) AS "t7"
GROUP BY
  1,
  2,
  3;
