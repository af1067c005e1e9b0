-- customer_spells: customers_won, customers_lost, customer_lifetime_days
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, duckdb

-- query: customer_spells by started_at
SELECT
  'month' AS "__grain",
  CAST(DATE_TRUNC('MONTH', CAST("t7"."__day" AS TIMESTAMP)) AS DATE) AS "period",
  "t7"."__set",
  SUM("t7"."__rows") AS "__rows",
  CAST(SUM("t7"."g0") AS DOUBLE) AS "g0"
FROM (
  SELECT
    CAST(DATE_TRUNC('DAY', "t6"."started_at") AS DATE) AS "__day",
    0 AS "__set",
    COUNT("t6"."customer_id") AS "__rows",
    COUNT("t6"."customer_id") AS "g0"
  FROM (
    SELECT
      "t5"."customer_id",
      "t5"."__began" AS "started_at",
      "t5"."ordered_at" AS "last_order_at",
      CASE
        WHEN (
          "t5"."ordered_at" + INTERVAL '30' DAY
        ) < MAKE_TIMESTAMP(2024, 7, 1, 0, 0, 0.0)
        THEN "t5"."ordered_at" + INTERVAL '30' DAY
        ELSE CAST(NULL AS TIMESTAMP)
      END AS "lost_at"
    FROM (
      SELECT
        "t4"."customer_id",
        "t4"."ordered_at",
        "t4"."__prev",
        "t4"."__next",
        "t4"."__n",
        "t4"."__start",
        "t4"."__end",
        CASE
          WHEN "t4"."__start"
          THEN "t4"."ordered_at"
          ELSE LAG("t4"."ordered_at") OVER (
            PARTITION BY "t4"."customer_id"
            ORDER BY "t4"."ordered_at" ASC, "t4"."__n" ASC
            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
          )
        END AS "__began",
        CASE
          WHEN "t4"."__start"
          THEN "t4"."__n"
          ELSE LAG("t4"."__n") OVER (
            PARTITION BY "t4"."customer_id"
            ORDER BY "t4"."ordered_at" ASC, "t4"."__n" ASC
            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
          )
        END AS "__first"
      FROM (
        SELECT
          *
        FROM (
          SELECT
            "t2"."customer_id",
            "t2"."ordered_at",
            "t2"."__prev",
            "t2"."__next",
            "t2"."__n",
            (
              "t2"."__prev" IS NULL
            )
            OR (
              "t2"."ordered_at" > (
                "t2"."__prev" + INTERVAL '30' DAY
              )
            ) AS "__start",
            (
              "t2"."__next" IS NULL
            )
            OR (
              "t2"."__next" > (
                "t2"."ordered_at" + INTERVAL '30' DAY
              )
            ) AS "__end"
          FROM (
            SELECT
              "t1"."customer_id",
              "t1"."ordered_at",
              LAG("t1"."ordered_at") OVER (
                PARTITION BY "t1"."customer_id"
                ORDER BY "t1"."ordered_at" ASC
                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
              ) AS "__prev",
              LEAD("t1"."ordered_at") OVER (
                PARTITION BY "t1"."customer_id"
                ORDER BY "t1"."ordered_at" ASC
                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
              ) AS "__next",
              ROW_NUMBER() OVER (
                PARTITION BY "t1"."customer_id"
                ORDER BY "t1"."ordered_at" ASC
                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
              ) - 1 AS "__n"
            FROM (
              SELECT
                "t0"."customer_id",
                "t0"."ordered_at"
              FROM "orders" AS "t0"
              WHERE
                "t0"."customer_id" IS NOT NULL
                AND "t0"."ordered_at" < MAKE_TIMESTAMP(2024, 7, 1, 0, 0, 0.0)
                AND (
                  (
                    "t0"."status" IS NULL
                  ) OR (
                    "t0"."status" <> 'cancelled'
                  )
                )
            ) AS "t1"
          ) AS "t2"
        ) AS "t3"
        WHERE
          "t3"."__start" OR "t3"."__end"
      ) AS "t4"
    ) AS "t5"
    WHERE
      "t5"."__end"
      AND "t5"."__began" < MAKE_TIMESTAMP(2024, 7, 1, 0, 0, 0.0)
      AND "t5"."__began" >= MAKE_TIMESTAMP(2024, 1, 1, 0, 0, 0.0)
      AND "t5"."__began" < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
  ) AS "t6"
  GROUP BY
    1,
    2
) AS "t7"
GROUP BY
  1,
  2,
  3;

-- query: customer_spells by lost_at
SELECT
  'month' AS "__grain",
  CAST(DATE_TRUNC('MONTH', CAST("t8"."__day" AS TIMESTAMP)) AS DATE) AS "period",
  "t8"."__set",
  SUM("t8"."__rows") AS "__rows",
  CAST(SUM("t8"."g0") AS DOUBLE) AS "g0",
  CASE
    WHEN SUM("t8"."g1__c") > 0
    THEN CAST(SUM("t8"."g1__s") AS DOUBLE) / CAST(SUM("t8"."g1__c") AS DOUBLE)
    ELSE CAST(NULL AS DOUBLE)
  END * 1.1574074074074073e-05 AS "g1"
FROM (
  SELECT
    CAST(DATE_TRUNC('DAY', "t7"."lost_at") AS DATE) AS "__day",
    0 AS "__set",
    COUNT("t7"."customer_id") AS "__rows",
    COUNT("t7"."customer_id") AS "g0",
    SUM(
      EPOCH(CAST("t7"."last_order_at" AS TIMESTAMP)) - EPOCH(CAST("t7"."started_at" AS TIMESTAMP))
    ) FILTER(WHERE
      (
        "t7"."started_at" IS NOT NULL
      ) AND (
        "t7"."last_order_at" IS NOT NULL
      )) AS "g1__s",
    COUNT(
      EPOCH(CAST("t7"."last_order_at" AS TIMESTAMP)) - EPOCH(CAST("t7"."started_at" AS TIMESTAMP))
    ) FILTER(WHERE
      (
        "t7"."started_at" IS NOT NULL
      ) AND (
        "t7"."last_order_at" IS NOT NULL
      )) AS "g1__c"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t5"."customer_id",
        "t5"."__began" AS "started_at",
        "t5"."ordered_at" AS "last_order_at",
        CASE
          WHEN (
            "t5"."ordered_at" + INTERVAL '30' DAY
          ) < MAKE_TIMESTAMP(2024, 7, 1, 0, 0, 0.0)
          THEN "t5"."ordered_at" + INTERVAL '30' DAY
          ELSE CAST(NULL AS TIMESTAMP)
        END AS "lost_at"
      FROM (
        SELECT
          "t4"."customer_id",
          "t4"."ordered_at",
          "t4"."__prev",
          "t4"."__next",
          "t4"."__n",
          "t4"."__start",
          "t4"."__end",
          CASE
            WHEN "t4"."__start"
            THEN "t4"."ordered_at"
            ELSE LAG("t4"."ordered_at") OVER (
              PARTITION BY "t4"."customer_id"
              ORDER BY "t4"."ordered_at" ASC, "t4"."__n" ASC
              ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
            )
          END AS "__began",
          CASE
            WHEN "t4"."__start"
            THEN "t4"."__n"
            ELSE LAG("t4"."__n") OVER (
              PARTITION BY "t4"."customer_id"
              ORDER BY "t4"."ordered_at" ASC, "t4"."__n" ASC
              ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
            )
          END AS "__first"
        FROM (
          SELECT
            *
          FROM (
            SELECT
              "t2"."customer_id",
              "t2"."ordered_at",
              "t2"."__prev",
              "t2"."__next",
              "t2"."__n",
              (
                "t2"."__prev" IS NULL
              )
              OR (
                "t2"."ordered_at" > (
                  "t2"."__prev" + INTERVAL '30' DAY
                )
              ) AS "__start",
              (
                "t2"."__next" IS NULL
              )
              OR (
                "t2"."__next" > (
                  "t2"."ordered_at" + INTERVAL '30' DAY
                )
              ) AS "__end"
            FROM (
              SELECT
                "t1"."customer_id",
                "t1"."ordered_at",
                LAG("t1"."ordered_at") OVER (
                  PARTITION BY "t1"."customer_id"
                  ORDER BY "t1"."ordered_at" ASC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                ) AS "__prev",
                LEAD("t1"."ordered_at") OVER (
                  PARTITION BY "t1"."customer_id"
                  ORDER BY "t1"."ordered_at" ASC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                ) AS "__next",
                ROW_NUMBER() OVER (
                  PARTITION BY "t1"."customer_id"
                  ORDER BY "t1"."ordered_at" ASC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                ) - 1 AS "__n"
              FROM (
                SELECT
                  "t0"."customer_id",
                  "t0"."ordered_at"
                FROM "orders" AS "t0"
                WHERE
                  "t0"."customer_id" IS NOT NULL
                  AND "t0"."ordered_at" < MAKE_TIMESTAMP(2024, 7, 1, 0, 0, 0.0)
                  AND (
                    (
                      "t0"."status" IS NULL
                    ) OR (
                      "t0"."status" <> 'cancelled'
                    )
                  )
              ) AS "t1"
            ) AS "t2"
          ) AS "t3"
          WHERE
            "t3"."__start" OR "t3"."__end"
        ) AS "t4"
      ) AS "t5"
      WHERE
        "t5"."__end"
    ) AS "t6"
    WHERE
      "t6"."lost_at" < MAKE_TIMESTAMP(2024, 7, 1, 0, 0, 0.0)
      AND "t6"."lost_at" >= MAKE_TIMESTAMP(2024, 1, 1, 0, 0, 0.0)
      AND "t6"."lost_at" < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
  ) AS "t7"
  GROUP BY
    1,
    2
) AS "t8"
GROUP BY
  1,
  2,
  3;
