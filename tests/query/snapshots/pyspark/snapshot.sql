-- snapshot: active_customers
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, pyspark

-- query: snapshot active_customers
WITH `t6` AS (
  SELECT
    `t5`.`__began` AS `__start`,
    CASE
      WHEN (
        `t5`.`ordered_at` + INTERVAL '30' DAY
      ) < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
      THEN `t5`.`ordered_at` + INTERVAL '30' DAY
      ELSE CAST(NULL AS TIMESTAMP)
    END AS `__end`,
    1 AS `__w`
  FROM (
    SELECT
      `t4`.`customer_id`,
      `t4`.`ordered_at`,
      `t4`.`__prev`,
      `t4`.`__next`,
      `t4`.`__n`,
      `t4`.`__start`,
      `t4`.`__end`,
      CASE
        WHEN `t4`.`__start`
        THEN `t4`.`ordered_at`
        ELSE LAG(`t4`.`ordered_at`) OVER (
          PARTITION BY `t4`.`customer_id`
          ORDER BY `t4`.`ordered_at` ASC NULLS LAST, `t4`.`__n` ASC NULLS LAST
        )
      END AS `__began`,
      CASE
        WHEN `t4`.`__start`
        THEN `t4`.`__n`
        ELSE LAG(`t4`.`__n`) OVER (
          PARTITION BY `t4`.`customer_id`
          ORDER BY `t4`.`ordered_at` ASC NULLS LAST, `t4`.`__n` ASC NULLS LAST
        )
      END AS `__first`
    FROM (
      SELECT
        *
      FROM (
        SELECT
          `t2`.`customer_id`,
          `t2`.`ordered_at`,
          `t2`.`__prev`,
          `t2`.`__next`,
          `t2`.`__n`,
          (
            `t2`.`__prev` IS NULL
          )
          OR (
            `t2`.`ordered_at` > (
              `t2`.`__prev` + INTERVAL '30' DAY
            )
          ) AS `__start`,
          (
            `t2`.`__next` IS NULL
          )
          OR (
            `t2`.`__next` > (
              `t2`.`ordered_at` + INTERVAL '30' DAY
            )
          ) AS `__end`
        FROM (
          SELECT
            `t1`.`customer_id`,
            `t1`.`ordered_at`,
            LAG(`t1`.`ordered_at`) OVER (PARTITION BY `t1`.`customer_id` ORDER BY `t1`.`ordered_at` ASC NULLS LAST) AS `__prev`,
            LEAD(`t1`.`ordered_at`) OVER (PARTITION BY `t1`.`customer_id` ORDER BY `t1`.`ordered_at` ASC NULLS LAST) AS `__next`,
            ROW_NUMBER() OVER (PARTITION BY `t1`.`customer_id` ORDER BY `t1`.`ordered_at` ASC NULLS LAST) - 1 AS `__n`
          FROM (
            SELECT
              `t0`.`customer_id`,
              `t0`.`ordered_at`
            FROM `orders` AS `t0`
            WHERE
              `t0`.`customer_id` IS NOT NULL
              AND `t0`.`ordered_at` < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
              AND (
                (
                  `t0`.`status` IS NULL
                ) OR (
                  `t0`.`status` <> 'cancelled'
                )
              )
          ) AS `t1`
        ) AS `t2`
      ) AS `t3`
      WHERE
        `t3`.`__start` OR `t3`.`__end`
    ) AS `t4`
  ) AS `t5`
  WHERE
    `t5`.`__end`
)
SELECT
  'month' AS `__grain`,
  CAST(DATE_TRUNC('month', CAST(`t11`.`__day` AS TIMESTAMP)) AS DATE) AS `period`,
  `t11`.`__set`,
  CAST(SUM(`t11`.`flow`) AS DOUBLE) AS `value`
FROM (
  SELECT
    `t10`.`__day`,
    `t10`.`__set`,
    SUM(`t10`.`flow`) AS `flow`
  FROM (
    SELECT
      *
    FROM (
      SELECT
        CAST(DATE_TRUNC('day', `t7`.`__start`) AS DATE) AS `__day`,
        0 AS `__set`,
        `t7`.`__w` AS `flow`
      FROM `t6` AS `t7`
      WHERE
        `t7`.`__start` IS NOT NULL
        AND `t7`.`__start` < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
        AND (
          (
            `t7`.`__end` IS NULL
          ) OR (
            `t7`.`__end` >= `t7`.`__start`
          )
        )
    ) AS `t8`
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        CAST(DATE_TRUNC('day', `t7`.`__end`) AS DATE) AS `__day`,
        0 AS `__set`,
        -(
          `t7`.`__w`
        ) AS `flow`
      FROM `t6` AS `t7`
      WHERE
        `t7`.`__start` IS NOT NULL
        AND `t7`.`__start` < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
        AND (
          (
            `t7`.`__end` IS NULL
          ) OR (
            `t7`.`__end` >= `t7`.`__start`
          )
        )
        AND `t7`.`__end` IS NOT NULL
        AND `t7`.`__end` < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
    ) AS `t9`
  ) AS `t10`
  GROUP BY
    1,
    2
) AS `t11`
GROUP BY
  1,
  2,
  3;
