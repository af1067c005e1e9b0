-- ratio_across_entities: return_rate
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, pyspark

-- query: returns by order.ordered_at
SELECT
  `t14`.`__grain`,
  `t14`.`period`,
  `t14`.`__set`,
  `t14`.`__rows`,
  `t13`.`g0`
FROM (
  SELECT
    'month' AS `__grain`,
    CAST(DATE_TRUNC('month', CAST(`t9`.`__day` AS TIMESTAMP)) AS DATE) AS `period`,
    `t9`.`__set`,
    SUM(`t9`.`__rows`) AS `__rows`
  FROM (
    SELECT
      CAST(DATE_TRUNC('day', `t7`.`__j0_ordered_at`) AS DATE) AS `__day`,
      0 AS `__set`,
      COUNT(`t7`.`return_id`) AS `__rows`
    FROM (
      SELECT
        *
      FROM (
        SELECT
          `t5`.`return_id`,
          `t5`.`returned_at`,
          `t5`.`order_id`,
          `t5`.`kind`,
          `t5`.`amount`,
          `t5`.`quantity`,
          `t5`.`reason`,
          `t5`.`__j0_ordered_at`,
          `t5`.`__j0_status`
        FROM (
          SELECT
            `t2`.`return_id`,
            `t2`.`returned_at`,
            `t2`.`order_id`,
            `t2`.`kind`,
            `t2`.`amount`,
            `t2`.`quantity`,
            `t2`.`reason`,
            `t4`.`__k0`,
            `t4`.`__j0_ordered_at`,
            `t4`.`__j0_status`
          FROM `returns` AS `t2`
          LEFT OUTER JOIN (
            SELECT
              `t1`.`order_id` AS `__k0`,
              `t1`.`ordered_at` AS `__j0_ordered_at`,
              `t1`.`status` AS `__j0_status`
            FROM `orders` AS `t1`
          ) AS `t4`
            ON `t2`.`order_id` = `t4`.`__k0`
        ) AS `t5`
      ) AS `t6`
      WHERE
        `t6`.`__j0_ordered_at` < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
        AND `t6`.`__j0_ordered_at` >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
        AND `t6`.`__j0_ordered_at` < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
        AND `t6`.`returned_at` < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
    ) AS `t7`
    GROUP BY
      1,
      2
  ) AS `t9`
  GROUP BY
    1,
    2,
    3
) AS `t14`
LEFT OUTER JOIN (
  SELECT
    `t10`.`__grain` AS `__k0`,
    `t10`.`period` AS `__k1`,
    `t10`.`__set` AS `__k2`,
    `t10`.`g0`
  FROM (
    SELECT
      'month' AS `__grain`,
      CAST(DATE_TRUNC('month', CAST(`t8`.`__day` AS TIMESTAMP)) AS DATE) AS `period`,
      `t8`.`__set`,
      CAST(COUNT(DISTINCT `t8`.`__v`) AS DOUBLE) AS `g0`
    FROM (
      SELECT DISTINCT
        CAST(DATE_TRUNC('day', `t6`.`__j0_ordered_at`) AS DATE) AS `__day`,
        0 AS `__set`,
        `t6`.`order_id` AS `__v`
      FROM (
        SELECT
          `t5`.`return_id`,
          `t5`.`returned_at`,
          `t5`.`order_id`,
          `t5`.`kind`,
          `t5`.`amount`,
          `t5`.`quantity`,
          `t5`.`reason`,
          `t5`.`__j0_ordered_at`,
          `t5`.`__j0_status`
        FROM (
          SELECT
            `t2`.`return_id`,
            `t2`.`returned_at`,
            `t2`.`order_id`,
            `t2`.`kind`,
            `t2`.`amount`,
            `t2`.`quantity`,
            `t2`.`reason`,
            `t4`.`__k0`,
            `t4`.`__j0_ordered_at`,
            `t4`.`__j0_status`
          FROM `returns` AS `t2`
          LEFT OUTER JOIN (
            SELECT
              `t1`.`order_id` AS `__k0`,
              `t1`.`ordered_at` AS `__j0_ordered_at`,
              `t1`.`status` AS `__j0_status`
            FROM `orders` AS `t1`
          ) AS `t4`
            ON `t2`.`order_id` = `t4`.`__k0`
        ) AS `t5`
      ) AS `t6`
      WHERE
        `t6`.`__j0_ordered_at` < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
        AND `t6`.`__j0_ordered_at` >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
        AND `t6`.`__j0_ordered_at` < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
        AND `t6`.`returned_at` < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
        AND `t6`.`kind` = 'return'
        AND (
          (
            `t6`.`__j0_status` IS NULL
          ) OR (
            `t6`.`__j0_status` <> 'cancelled'
          )
        )
        AND `t6`.`order_id` IS NOT NULL
    ) AS `t8`
    GROUP BY
      1,
      2,
      3
  ) AS `t10`
) AS `t13`
  ON `t14`.`__grain` = `t13`.`__k0`
  AND `t14`.`period` = `t13`.`__k1`
  AND `t14`.`__set` = `t13`.`__k2`;

-- query: orders by ordered_at
SELECT
  'month' AS `__grain`,
  CAST(DATE_TRUNC('month', CAST(`t2`.`__day` AS TIMESTAMP)) AS DATE) AS `period`,
  `t2`.`__set`,
  SUM(`t2`.`__rows`) AS `__rows`,
  CAST(SUM(`t2`.`g0`) AS DOUBLE) AS `g0`
FROM (
  SELECT
    CAST(DATE_TRUNC('day', `t1`.`ordered_at`) AS DATE) AS `__day`,
    0 AS `__set`,
    COUNT(`t1`.`order_id`) AS `__rows`,
    COUNT(
      IF(
        (
          `t1`.`status` IS NULL
        ) OR (
          `t1`.`status` <> 'cancelled'
        ),
        `t1`.`order_id`,
        NULL
      )
    ) AS `g0`
  FROM (
    SELECT
      *
    FROM `orders` AS `t0`
    WHERE
      `t0`.`ordered_at` < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
      AND `t0`.`ordered_at` >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
      AND `t0`.`ordered_at` < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
  ) AS `t1`
  GROUP BY
    1,
    2
) AS `t2`
GROUP BY
  1,
  2,
  3;
