-- customer_spells: customers_won, customers_lost, customer_lifetime_days
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, pyspark

-- query: customer_spells by started_at
SELECT
  CAST(DATE_TRUNC('month', `t13`.`started_at`) AS DATE) AS `period`,
  COUNT(`t13`.`spell_id`) AS `m0`
FROM (
  SELECT
    CONCAT(CONCAT(`t12`.`customer_id`, '#'), CAST(`t12`.`spell_number` AS STRING)) AS `spell_id`,
    `t12`.`customer_id`,
    `t12`.`spell_number`,
    `t12`.`started_at`,
    `t12`.`last_order_at`,
    `t12`.`lost_at`,
    `t12`.`orders`,
    `t12`.`segment`,
    `t12`.`region`,
    `t12`.`country`,
    `t12`.`is_target_audience`
  FROM (
    SELECT
      `t11`.`customer_id`,
      `t11`.`spell_number`,
      `t11`.`started_at`,
      `t11`.`last_order_at`,
      `t11`.`orders`,
      `t11`.`lost_at`,
      `t11`.`segment`,
      `t11`.`region`,
      `t11`.`country`,
      `t11`.`is_target_audience`
    FROM (
      SELECT
        `t10`.`customer_id`,
        `t10`.`spell_number`,
        `t10`.`started_at`,
        `t10`.`last_order_at`,
        `t10`.`orders`,
        `t10`.`lost_at`,
        `t3`.`__cid`,
        `t3`.`segment`,
        `t3`.`region`,
        `t3`.`country`,
        `t3`.`is_target_audience`
      FROM (
        SELECT
          `t8`.`customer_id`,
          `t8`.`spell_number`,
          `t8`.`started_at`,
          `t8`.`last_order_at`,
          `t8`.`orders`,
          CASE
            WHEN (
              `t8`.`last_order_at` + INTERVAL '30' DAY
            ) < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
            THEN `t8`.`last_order_at` + INTERVAL '30' DAY
            ELSE CAST(NULL AS TIMESTAMP)
          END AS `lost_at`
        FROM (
          SELECT
            `t7`.`customer_id`,
            `t7`.`spell_number`,
            MIN(`t7`.`ordered_at`) AS `started_at`,
            MAX(`t7`.`ordered_at`) AS `last_order_at`,
            COUNT(`t7`.`ordered_at`) AS `orders`
          FROM (
            SELECT
              `t6`.`customer_id`,
              `t6`.`ordered_at`,
              `t6`.`prev`,
              `t6`.`new_spell`,
              SUM(`t6`.`new_spell`) OVER (
                PARTITION BY `t6`.`customer_id`
                ORDER BY `t6`.`ordered_at` ASC NULLS LAST, `t6`.`new_spell` DESC
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
              ) AS `spell_number`
            FROM (
              SELECT
                `t5`.`customer_id`,
                `t5`.`ordered_at`,
                `t5`.`prev`,
                CASE
                  WHEN (
                    `t5`.`prev` IS NULL
                  )
                  OR (
                    (
                      UNIX_TIMESTAMP(CAST(`t5`.`ordered_at` AS TIMESTAMP)) - UNIX_TIMESTAMP(CAST(`t5`.`prev` AS TIMESTAMP))
                    ) > 2592000.0
                  )
                  THEN 1
                  ELSE 0
                END AS `new_spell`
              FROM (
                SELECT
                  `t4`.`customer_id`,
                  `t4`.`ordered_at`,
                  LAG(`t4`.`ordered_at`) OVER (PARTITION BY `t4`.`customer_id` ORDER BY `t4`.`ordered_at` ASC NULLS LAST) AS `prev`
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
                ) AS `t4`
              ) AS `t5`
            ) AS `t6`
          ) AS `t7`
          GROUP BY
            1,
            2
        ) AS `t8`
      ) AS `t10`
      LEFT OUTER JOIN (
        SELECT
          `t0`.`customer_id` AS `__cid`,
          `t0`.`segment`,
          `t0`.`region`,
          `t0`.`country`,
          `t0`.`is_target_audience`
        FROM `customers` AS `t0`
      ) AS `t3`
        ON `t10`.`customer_id` = `t3`.`__cid`
    ) AS `t11`
  ) AS `t12`
  WHERE
    `t12`.`started_at` >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
    AND `t12`.`started_at` < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
) AS `t13`
GROUP BY
  1;

-- query: customer_spells by lost_at
SELECT
  CAST(DATE_TRUNC('month', `t13`.`lost_at`) AS DATE) AS `period`,
  COUNT(`t13`.`spell_id`) AS `m0`,
  AVG(
    IF(
      (
        `t13`.`started_at` IS NOT NULL
      ) AND (
        `t13`.`last_order_at` IS NOT NULL
      ),
      CAST(UNIX_TIMESTAMP(CAST(`t13`.`last_order_at` AS TIMESTAMP)) - UNIX_TIMESTAMP(CAST(`t13`.`started_at` AS TIMESTAMP)) AS DOUBLE) / 86400.0,
      NULL
    )
  ) AS `m1`
FROM (
  SELECT
    CONCAT(CONCAT(`t12`.`customer_id`, '#'), CAST(`t12`.`spell_number` AS STRING)) AS `spell_id`,
    `t12`.`customer_id`,
    `t12`.`spell_number`,
    `t12`.`started_at`,
    `t12`.`last_order_at`,
    `t12`.`lost_at`,
    `t12`.`orders`,
    `t12`.`segment`,
    `t12`.`region`,
    `t12`.`country`,
    `t12`.`is_target_audience`
  FROM (
    SELECT
      `t11`.`customer_id`,
      `t11`.`spell_number`,
      `t11`.`started_at`,
      `t11`.`last_order_at`,
      `t11`.`orders`,
      `t11`.`lost_at`,
      `t11`.`segment`,
      `t11`.`region`,
      `t11`.`country`,
      `t11`.`is_target_audience`
    FROM (
      SELECT
        `t10`.`customer_id`,
        `t10`.`spell_number`,
        `t10`.`started_at`,
        `t10`.`last_order_at`,
        `t10`.`orders`,
        `t10`.`lost_at`,
        `t3`.`__cid`,
        `t3`.`segment`,
        `t3`.`region`,
        `t3`.`country`,
        `t3`.`is_target_audience`
      FROM (
        SELECT
          `t8`.`customer_id`,
          `t8`.`spell_number`,
          `t8`.`started_at`,
          `t8`.`last_order_at`,
          `t8`.`orders`,
          CASE
            WHEN (
              `t8`.`last_order_at` + INTERVAL '30' DAY
            ) < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
            THEN `t8`.`last_order_at` + INTERVAL '30' DAY
            ELSE CAST(NULL AS TIMESTAMP)
          END AS `lost_at`
        FROM (
          SELECT
            `t7`.`customer_id`,
            `t7`.`spell_number`,
            MIN(`t7`.`ordered_at`) AS `started_at`,
            MAX(`t7`.`ordered_at`) AS `last_order_at`,
            COUNT(`t7`.`ordered_at`) AS `orders`
          FROM (
            SELECT
              `t6`.`customer_id`,
              `t6`.`ordered_at`,
              `t6`.`prev`,
              `t6`.`new_spell`,
              SUM(`t6`.`new_spell`) OVER (
                PARTITION BY `t6`.`customer_id`
                ORDER BY `t6`.`ordered_at` ASC NULLS LAST, `t6`.`new_spell` DESC
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
              ) AS `spell_number`
            FROM (
              SELECT
                `t5`.`customer_id`,
                `t5`.`ordered_at`,
                `t5`.`prev`,
                CASE
                  WHEN (
                    `t5`.`prev` IS NULL
                  )
                  OR (
                    (
                      UNIX_TIMESTAMP(CAST(`t5`.`ordered_at` AS TIMESTAMP)) - UNIX_TIMESTAMP(CAST(`t5`.`prev` AS TIMESTAMP))
                    ) > 2592000.0
                  )
                  THEN 1
                  ELSE 0
                END AS `new_spell`
              FROM (
                SELECT
                  `t4`.`customer_id`,
                  `t4`.`ordered_at`,
                  LAG(`t4`.`ordered_at`) OVER (PARTITION BY `t4`.`customer_id` ORDER BY `t4`.`ordered_at` ASC NULLS LAST) AS `prev`
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
                ) AS `t4`
              ) AS `t5`
            ) AS `t6`
          ) AS `t7`
          GROUP BY
            1,
            2
        ) AS `t8`
      ) AS `t10`
      LEFT OUTER JOIN (
        SELECT
          `t0`.`customer_id` AS `__cid`,
          `t0`.`segment`,
          `t0`.`region`,
          `t0`.`country`,
          `t0`.`is_target_audience`
        FROM `customers` AS `t0`
      ) AS `t3`
        ON `t10`.`customer_id` = `t3`.`__cid`
    ) AS `t11`
  ) AS `t12`
  WHERE
    `t12`.`lost_at` >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
    AND `t12`.`lost_at` < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
) AS `t13`
GROUP BY
  1;
