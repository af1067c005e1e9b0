-- ratio_across_entities: return_rate
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, postgres

-- query: returns by order.ordered_at
SELECT
  CAST(DATE_TRUNC('MONTH', "t7"."__j0_ordered_at") AS DATE) AS "period",
  COUNT(DISTINCT "t7"."order_id") FILTER(WHERE
    (
      "t7"."kind" = 'return'
    )
    AND (
      (
        "t7"."__j0_status" IS NULL
      ) OR (
        "t7"."__j0_status" <> 'cancelled'
      )
    )) AS "m0"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t5"."return_id",
      "t5"."returned_at",
      "t5"."order_id",
      "t5"."kind",
      "t5"."amount",
      "t5"."quantity",
      "t5"."reason",
      "t5"."__j0_ordered_at",
      "t5"."__j0_status"
    FROM (
      SELECT
        "t2"."return_id",
        "t2"."returned_at",
        "t2"."order_id",
        "t2"."kind",
        "t2"."amount",
        "t2"."quantity",
        "t2"."reason",
        "t4"."__k0",
        "t4"."__j0_ordered_at",
        "t4"."__j0_status"
      FROM "returns" AS "t2"
      LEFT OUTER JOIN (
        SELECT
          "t1"."order_id" AS "__k0",
          "t1"."ordered_at" AS "__j0_ordered_at",
          "t1"."status" AS "__j0_status"
        FROM "orders" AS "t1"
      ) AS "t4"
        ON "t2"."order_id" = "t4"."__k0"
    ) AS "t5"
  ) AS "t6"
  WHERE
    "t6"."__j0_ordered_at" >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
    AND "t6"."__j0_ordered_at" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
    AND "t6"."returned_at" < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
) AS "t7"
GROUP BY
  1;

-- query: orders by ordered_at
SELECT
  CAST(DATE_TRUNC('MONTH', "t1"."ordered_at") AS DATE) AS "period",
  COUNT("t1"."order_id") FILTER(WHERE
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
