-- snapshot: active_customers
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, postgres

-- query: snapshot active_customers
SELECT
  'month' AS "__grain",
  CAST(DATE_TRUNC('MONTH', CAST("t16"."__day" AS TIMESTAMP)) AS DATE) AS "period",
  "t16"."__set",
  CAST(SUM("t16"."flow") AS DOUBLE PRECISION) AS "value"
FROM (
  SELECT
    "t15"."__day",
    "t15"."__set",
    SUM("t15"."flow") AS "flow"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        CAST(DATE_TRUNC('DAY', "t12"."started_at") AS DATE) AS "__day",
        0 AS "__set",
        1 AS "flow"
      FROM (
        SELECT
          "t11"."customer_id",
          "t11"."started_at",
          "t11"."last_order_at",
          "t11"."orders",
          "t11"."lost_at",
          "t11"."spell_number",
          "t11"."segment",
          "t11"."region",
          "t11"."country",
          "t11"."is_target_audience"
        FROM (
          SELECT
            "t10"."customer_id",
            "t10"."started_at",
            "t10"."last_order_at",
            "t10"."orders",
            "t10"."lost_at",
            "t10"."spell_number",
            "t3"."__cid",
            "t3"."segment",
            "t3"."region",
            "t3"."country",
            "t3"."is_target_audience"
          FROM (
            SELECT
              "t8"."customer_id",
              "t8"."__began" AS "started_at",
              "t8"."ordered_at" AS "last_order_at",
              (
                "t8"."__n" - "t8"."__first"
              ) + 1 AS "orders",
              CASE
                WHEN (
                  "t8"."ordered_at" + INTERVAL '30 DAY'
                ) < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
                THEN "t8"."ordered_at" + INTERVAL '30 DAY'
                ELSE CAST(NULL AS TIMESTAMP)
              END AS "lost_at",
              "t8"."spell_number"
            FROM (
              SELECT
                "t7"."customer_id",
                "t7"."ordered_at",
                "t7"."__prev",
                "t7"."__next",
                "t7"."__n",
                "t7"."__start",
                "t7"."__end",
                CASE
                  WHEN "t7"."__start"
                  THEN "t7"."ordered_at"
                  ELSE LAG("t7"."ordered_at") OVER (
                    PARTITION BY "t7"."customer_id"
                    ORDER BY "t7"."ordered_at" ASC, "t7"."__n" ASC
                    ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                  )
                END AS "__began",
                CASE
                  WHEN "t7"."__start"
                  THEN "t7"."__n"
                  ELSE LAG("t7"."__n") OVER (
                    PARTITION BY "t7"."customer_id"
                    ORDER BY "t7"."ordered_at" ASC, "t7"."__n" ASC
                    ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                  )
                END AS "__first",
                SUM(CASE WHEN "t7"."__start" THEN 1 ELSE 0 END) OVER (
                  PARTITION BY "t7"."customer_id"
                  ORDER BY "t7"."ordered_at" ASC, "t7"."__n" ASC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                ) AS "spell_number"
              FROM (
                SELECT
                  *
                FROM (
                  SELECT
                    "t5"."customer_id",
                    "t5"."ordered_at",
                    "t5"."__prev",
                    "t5"."__next",
                    "t5"."__n",
                    (
                      "t5"."__prev" IS NULL
                    )
                    OR (
                      "t5"."ordered_at" > (
                        "t5"."__prev" + INTERVAL '30 DAY'
                      )
                    ) AS "__start",
                    (
                      "t5"."__next" IS NULL
                    )
                    OR (
                      "t5"."__next" > (
                        "t5"."ordered_at" + INTERVAL '30 DAY'
                      )
                    ) AS "__end"
                  FROM (
                    SELECT
                      "t4"."customer_id",
                      "t4"."ordered_at",
                      LAG("t4"."ordered_at") OVER (
                        PARTITION BY "t4"."customer_id"
                        ORDER BY "t4"."ordered_at" ASC
                        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                      ) AS "__prev",
                      LEAD("t4"."ordered_at") OVER (
                        PARTITION BY "t4"."customer_id"
                        ORDER BY "t4"."ordered_at" ASC
                        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                      ) AS "__next",
                      ROW_NUMBER() OVER (
                        PARTITION BY "t4"."customer_id"
                        ORDER BY "t4"."ordered_at" ASC
                        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                      ) - 1 AS "__n"
                    FROM (
                      SELECT
                        "t1"."customer_id",
                        "t1"."ordered_at"
                      FROM "orders" AS "t1"
                      WHERE
                        "t1"."customer_id" IS NOT NULL
                        AND "t1"."ordered_at" < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
                        AND (
                          (
                            "t1"."status" IS NULL
                          ) OR (
                            "t1"."status" <> 'cancelled'
                          )
                        )
                    ) AS "t4"
                  ) AS "t5"
                ) AS "t6"
                WHERE
                  "t6"."__start" OR "t6"."__end"
              ) AS "t7"
            ) AS "t8"
            WHERE
              "t8"."__end"
          ) AS "t10"
          LEFT OUTER JOIN (
            SELECT
              "t0"."customer_id" AS "__cid",
              "t0"."segment",
              "t0"."region",
              "t0"."country",
              "t0"."is_target_audience"
            FROM "customers" AS "t0"
          ) AS "t3"
            ON "t10"."customer_id" = "t3"."__cid"
        ) AS "t11"
      ) AS "t12"
      WHERE
        "t12"."started_at" IS NOT NULL
        AND "t12"."started_at" < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
        AND (
          (
            "t12"."lost_at" IS NULL
          ) OR (
            "t12"."lost_at" >= "t12"."started_at"
          )
        )
    ) AS "t13"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        CAST(DATE_TRUNC('DAY', "t12"."lost_at") AS DATE) AS "__day",
        0 AS "__set",
        -(
          1
        ) AS "flow"
      FROM (
        SELECT
          "t11"."customer_id",
          "t11"."started_at",
          "t11"."last_order_at",
          "t11"."orders",
          "t11"."lost_at",
          "t11"."spell_number",
          "t11"."segment",
          "t11"."region",
          "t11"."country",
          "t11"."is_target_audience"
        FROM (
          SELECT
            "t10"."customer_id",
            "t10"."started_at",
            "t10"."last_order_at",
            "t10"."orders",
            "t10"."lost_at",
            "t10"."spell_number",
            "t3"."__cid",
            "t3"."segment",
            "t3"."region",
            "t3"."country",
            "t3"."is_target_audience"
          FROM (
            SELECT
              "t8"."customer_id",
              "t8"."__began" AS "started_at",
              "t8"."ordered_at" AS "last_order_at",
              (
                "t8"."__n" - "t8"."__first"
              ) + 1 AS "orders",
              CASE
                WHEN (
                  "t8"."ordered_at" + INTERVAL '30 DAY'
                ) < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
                THEN "t8"."ordered_at" + INTERVAL '30 DAY'
                ELSE CAST(NULL AS TIMESTAMP)
              END AS "lost_at",
              "t8"."spell_number"
            FROM (
              SELECT
                "t7"."customer_id",
                "t7"."ordered_at",
                "t7"."__prev",
                "t7"."__next",
                "t7"."__n",
                "t7"."__start",
                "t7"."__end",
                CASE
                  WHEN "t7"."__start"
                  THEN "t7"."ordered_at"
                  ELSE LAG("t7"."ordered_at") OVER (
                    PARTITION BY "t7"."customer_id"
                    ORDER BY "t7"."ordered_at" ASC, "t7"."__n" ASC
                    ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                  )
                END AS "__began",
                CASE
                  WHEN "t7"."__start"
                  THEN "t7"."__n"
                  ELSE LAG("t7"."__n") OVER (
                    PARTITION BY "t7"."customer_id"
                    ORDER BY "t7"."ordered_at" ASC, "t7"."__n" ASC
                    ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                  )
                END AS "__first",
                SUM(CASE WHEN "t7"."__start" THEN 1 ELSE 0 END) OVER (
                  PARTITION BY "t7"."customer_id"
                  ORDER BY "t7"."ordered_at" ASC, "t7"."__n" ASC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                ) AS "spell_number"
              FROM (
                SELECT
                  *
                FROM (
                  SELECT
                    "t5"."customer_id",
                    "t5"."ordered_at",
                    "t5"."__prev",
                    "t5"."__next",
                    "t5"."__n",
                    (
                      "t5"."__prev" IS NULL
                    )
                    OR (
                      "t5"."ordered_at" > (
                        "t5"."__prev" + INTERVAL '30 DAY'
                      )
                    ) AS "__start",
                    (
                      "t5"."__next" IS NULL
                    )
                    OR (
                      "t5"."__next" > (
                        "t5"."ordered_at" + INTERVAL '30 DAY'
                      )
                    ) AS "__end"
                  FROM (
                    SELECT
                      "t4"."customer_id",
                      "t4"."ordered_at",
                      LAG("t4"."ordered_at") OVER (
                        PARTITION BY "t4"."customer_id"
                        ORDER BY "t4"."ordered_at" ASC
                        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                      ) AS "__prev",
                      LEAD("t4"."ordered_at") OVER (
                        PARTITION BY "t4"."customer_id"
                        ORDER BY "t4"."ordered_at" ASC
                        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                      ) AS "__next",
                      ROW_NUMBER() OVER (
                        PARTITION BY "t4"."customer_id"
                        ORDER BY "t4"."ordered_at" ASC
                        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                      ) - 1 AS "__n"
                    FROM (
                      SELECT
                        "t1"."customer_id",
                        "t1"."ordered_at"
                      FROM "orders" AS "t1"
                      WHERE
                        "t1"."customer_id" IS NOT NULL
                        AND "t1"."ordered_at" < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
                        AND (
                          (
                            "t1"."status" IS NULL
                          ) OR (
                            "t1"."status" <> 'cancelled'
                          )
                        )
                    ) AS "t4"
                  ) AS "t5"
                ) AS "t6"
                WHERE
                  "t6"."__start" OR "t6"."__end"
              ) AS "t7"
            ) AS "t8"
            WHERE
              "t8"."__end"
          ) AS "t10"
          LEFT OUTER JOIN (
            SELECT
              "t0"."customer_id" AS "__cid",
              "t0"."segment",
              "t0"."region",
              "t0"."country",
              "t0"."is_target_audience"
            FROM "customers" AS "t0"
          ) AS "t3"
            ON "t10"."customer_id" = "t3"."__cid"
        ) AS "t11"
      ) AS "t12"
      WHERE
        "t12"."started_at" IS NOT NULL
        AND "t12"."started_at" < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
        AND (
          (
            "t12"."lost_at" IS NULL
          ) OR (
            "t12"."lost_at" >= "t12"."started_at"
          )
        )
        AND "t12"."lost_at" IS NOT NULL
        AND "t12"."lost_at" < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
    ) AS "t14"
  ) AS "t15"
  GROUP BY
    1,
    2
) AS "t16"
GROUP BY
  1,
  2,
  3;
