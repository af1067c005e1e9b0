-- snapshot_distinct: distinct_active_customers
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, postgres

-- query: snapshot distinct_active_customers
SELECT
  "t17"."period",
  CAST(COUNT(DISTINCT "t17"."__value") AS DOUBLE PRECISION) AS "value"
FROM (
  SELECT
    "t16"."__start",
    "t16"."__end",
    "t16"."__value",
    "t3"."period",
    "t3"."cutoff"
  FROM (
    SELECT
      "t14"."started_at" AS "__start",
      "t14"."lost_at" AS "__end",
      "t14"."customer_id" AS "__value"
    FROM (
      SELECT
        "t13"."customer_id",
        "t13"."started_at",
        "t13"."last_order_at",
        "t13"."orders",
        "t13"."lost_at",
        "t13"."spell_number",
        "t13"."segment",
        "t13"."region",
        "t13"."country",
        "t13"."is_target_audience"
      FROM (
        SELECT
          "t12"."customer_id",
          "t12"."started_at",
          "t12"."last_order_at",
          "t12"."orders",
          "t12"."lost_at",
          "t12"."spell_number",
          "t5"."__cid",
          "t5"."segment",
          "t5"."region",
          "t5"."country",
          "t5"."is_target_audience"
        FROM (
          SELECT
            "t10"."customer_id",
            "t10"."__began" AS "started_at",
            "t10"."ordered_at" AS "last_order_at",
            (
              "t10"."__n" - "t10"."__first"
            ) + 1 AS "orders",
            CASE
              WHEN (
                "t10"."ordered_at" + INTERVAL '30 DAY'
              ) < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
              THEN "t10"."ordered_at" + INTERVAL '30 DAY'
              ELSE CAST(NULL AS TIMESTAMP)
            END AS "lost_at",
            "t10"."spell_number"
          FROM (
            SELECT
              "t9"."customer_id",
              "t9"."ordered_at",
              "t9"."__prev",
              "t9"."__next",
              "t9"."__n",
              "t9"."__start",
              "t9"."__end",
              CASE
                WHEN "t9"."__start"
                THEN "t9"."ordered_at"
                ELSE LAG("t9"."ordered_at") OVER (
                  PARTITION BY "t9"."customer_id"
                  ORDER BY "t9"."ordered_at" ASC, "t9"."__n" ASC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                )
              END AS "__began",
              CASE
                WHEN "t9"."__start"
                THEN "t9"."__n"
                ELSE LAG("t9"."__n") OVER (
                  PARTITION BY "t9"."customer_id"
                  ORDER BY "t9"."ordered_at" ASC, "t9"."__n" ASC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                )
              END AS "__first",
              SUM(CASE WHEN "t9"."__start" THEN 1 ELSE 0 END) OVER (
                PARTITION BY "t9"."customer_id"
                ORDER BY "t9"."ordered_at" ASC, "t9"."__n" ASC
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
              ) AS "spell_number"
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t7"."customer_id",
                  "t7"."ordered_at",
                  "t7"."__prev",
                  "t7"."__next",
                  "t7"."__n",
                  (
                    "t7"."__prev" IS NULL
                  )
                  OR (
                    "t7"."ordered_at" > (
                      "t7"."__prev" + INTERVAL '30 DAY'
                    )
                  ) AS "__start",
                  (
                    "t7"."__next" IS NULL
                  )
                  OR (
                    "t7"."__next" > (
                      "t7"."ordered_at" + INTERVAL '30 DAY'
                    )
                  ) AS "__end"
                FROM (
                  SELECT
                    "t6"."customer_id",
                    "t6"."ordered_at",
                    LAG("t6"."ordered_at") OVER (
                      PARTITION BY "t6"."customer_id"
                      ORDER BY "t6"."ordered_at" ASC
                      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                    ) AS "__prev",
                    LEAD("t6"."ordered_at") OVER (
                      PARTITION BY "t6"."customer_id"
                      ORDER BY "t6"."ordered_at" ASC
                      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                    ) AS "__next",
                    ROW_NUMBER() OVER (
                      PARTITION BY "t6"."customer_id"
                      ORDER BY "t6"."ordered_at" ASC
                      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                    ) - 1 AS "__n"
                  FROM (
                    SELECT
                      "t2"."customer_id",
                      "t2"."ordered_at"
                    FROM "orders" AS "t2"
                    WHERE
                      "t2"."customer_id" IS NOT NULL
                      AND "t2"."ordered_at" < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
                      AND (
                        (
                          "t2"."status" IS NULL
                        ) OR (
                          "t2"."status" <> 'cancelled'
                        )
                      )
                  ) AS "t6"
                ) AS "t7"
              ) AS "t8"
              WHERE
                "t8"."__start" OR "t8"."__end"
            ) AS "t9"
          ) AS "t10"
          WHERE
            "t10"."__end"
        ) AS "t12"
        LEFT OUTER JOIN (
          SELECT
            "t1"."customer_id" AS "__cid",
            "t1"."segment",
            "t1"."region",
            "t1"."country",
            "t1"."is_target_audience"
          FROM "customers" AS "t1"
        ) AS "t5"
          ON "t12"."customer_id" = "t5"."__cid"
      ) AS "t13"
    ) AS "t14"
    WHERE
      "t14"."started_at" IS NOT NULL
  ) AS "t16"
  INNER JOIN "spine" AS "t3"
    ON "t16"."__start" < "t3"."cutoff"
    AND (
      (
        "t16"."__end" IS NULL
      ) OR (
        "t16"."__end" >= "t3"."cutoff"
      )
    )
) AS "t17"
GROUP BY
  1;
