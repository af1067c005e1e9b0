-- snapshot_distinct: distinct_active_customers
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, pyspark

-- query: snapshot distinct_active_customers
SELECT
  `t10`.`period`,
  CAST(COUNT(DISTINCT `t10`.`__value`) AS DOUBLE) AS `value`
FROM (
  SELECT
    `t9`.`__start`,
    `t9`.`__end`,
    `t9`.`__value`,
    `t2`.`period`,
    `t2`.`cutoff`
  FROM (
    SELECT
      `t7`.`__began` AS `__start`,
      CASE
        WHEN (
          `t7`.`ordered_at` + INTERVAL '30' DAY
        ) < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
        THEN `t7`.`ordered_at` + INTERVAL '30' DAY
        ELSE CAST(NULL AS TIMESTAMP)
      END AS `__end`,
      `t7`.`customer_id` AS `__value`
    FROM (
      SELECT
        `t6`.`customer_id`,
        `t6`.`ordered_at`,
        `t6`.`__prev`,
        `t6`.`__next`,
        `t6`.`__n`,
        `t6`.`__start`,
        `t6`.`__end`,
        CASE
          WHEN `t6`.`__start`
          THEN `t6`.`ordered_at`
          ELSE LAG(`t6`.`ordered_at`) OVER (
            PARTITION BY `t6`.`customer_id`
            ORDER BY `t6`.`ordered_at` ASC NULLS LAST, `t6`.`__n` ASC NULLS LAST
          )
        END AS `__began`,
        CASE
          WHEN `t6`.`__start`
          THEN `t6`.`__n`
          ELSE LAG(`t6`.`__n`) OVER (
            PARTITION BY `t6`.`customer_id`
            ORDER BY `t6`.`ordered_at` ASC NULLS LAST, `t6`.`__n` ASC NULLS LAST
          )
        END AS `__first`
      FROM (
        SELECT
          *
        FROM (
          SELECT
            `t4`.`customer_id`,
            `t4`.`ordered_at`,
            `t4`.`__prev`,
            `t4`.`__next`,
            `t4`.`__n`,
            (
              `t4`.`__prev` IS NULL
            )
            OR (
              `t4`.`ordered_at` > (
                `t4`.`__prev` + INTERVAL '30' DAY
              )
            ) AS `__start`,
            (
              `t4`.`__next` IS NULL
            )
            OR (
              `t4`.`__next` > (
                `t4`.`ordered_at` + INTERVAL '30' DAY
              )
            ) AS `__end`
          FROM (
            SELECT
              `t3`.`customer_id`,
              `t3`.`ordered_at`,
              LAG(`t3`.`ordered_at`) OVER (PARTITION BY `t3`.`customer_id` ORDER BY `t3`.`ordered_at` ASC NULLS LAST) AS `__prev`,
              LEAD(`t3`.`ordered_at`) OVER (PARTITION BY `t3`.`customer_id` ORDER BY `t3`.`ordered_at` ASC NULLS LAST) AS `__next`,
              ROW_NUMBER() OVER (PARTITION BY `t3`.`customer_id` ORDER BY `t3`.`ordered_at` ASC NULLS LAST) - 1 AS `__n`
            FROM (
              SELECT
                `t1`.`customer_id`,
                `t1`.`ordered_at`
              FROM `orders` AS `t1`
              WHERE
                `t1`.`customer_id` IS NOT NULL
                AND `t1`.`ordered_at` < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
                AND (
                  (
                    `t1`.`status` IS NULL
                  ) OR (
                    `t1`.`status` <> 'cancelled'
                  )
                )
            ) AS `t3`
          ) AS `t4`
        ) AS `t5`
        WHERE
          `t5`.`__start` OR `t5`.`__end`
      ) AS `t6`
    ) AS `t7`
    WHERE
      `t7`.`__end` AND `t7`.`__began` IS NOT NULL
  ) AS `t9`
  INNER JOIN `spine` AS `t2`
    ON `t9`.`__start` < `t2`.`cutoff`
    AND (
      (
        `t9`.`__end` IS NULL
      ) OR (
        `t9`.`__end` >= `t2`.`cutoff`
      )
    )
) AS `t10`
GROUP BY
  1;
