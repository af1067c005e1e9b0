-- simple_by_rep_team: revenue by rep.team
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, duckdb

-- query: orders by ordered_at
SELECT
  CAST(DATE_TRUNC('MONTH', "t7"."ordered_at") AS DATE) AS "period",
  "t7"."__j0_team" AS "dim_0",
  SUM(CAST("t7"."amount" AS DOUBLE)) FILTER(WHERE
    (
      "t7"."status" IS NULL
    ) OR (
      "t7"."status" <> 'cancelled'
    )) AS "m0"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t5".*
      EXCLUDE ("__k0")
    FROM (
      SELECT
        "t2"."order_id",
        "t2"."ordered_at",
        "t2"."amount",
        "t2"."customer_id",
        "t2"."rep_id",
        "t2"."channel",
        "t2"."cost",
        "t2"."quantity",
        "t2"."currency",
        "t2"."status",
        "t2"."campaign",
        "t4"."__k0",
        "t4"."__j0_team"
      FROM "orders" AS "t2"
      LEFT OUTER JOIN (
        SELECT
          "t1"."rep_id" AS "__k0",
          "t1"."team" AS "__j0_team"
        FROM "salespeople" AS "t1"
      ) AS "t4"
        ON "t2"."rep_id" = "t4"."__k0"
    ) AS "t5"
  ) AS "t6"
  WHERE
    "t6"."ordered_at" >= MAKE_TIMESTAMP(2024, 1, 1, 0, 0, 0.0)
    AND "t6"."ordered_at" < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
) AS "t7"
GROUP BY
  1,
  2;
