-- derived: net_profit
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, pyspark

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
    SUM(
      IF(
        (
          `t1`.`status` IS NULL
        ) OR (
          `t1`.`status` <> 'cancelled'
        ),
        `t1`.`amount` - COALESCE(`t1`.`cost`, 0),
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

-- query: costs by incurred_on
SELECT
  'month' AS `__grain`,
  CAST(DATE_TRUNC('month', CAST(`t2`.`__day` AS TIMESTAMP)) AS DATE) AS `period`,
  `t2`.`__set`,
  SUM(`t2`.`__rows`) AS `__rows`,
  CAST(SUM(`t2`.`g0`) AS DOUBLE) AS `g0`
FROM (
  SELECT
    CAST(DATE_TRUNC('day', CAST(`t1`.`incurred_on` AS TIMESTAMP)) AS DATE) AS `__day`,
    0 AS `__set`,
    COUNT(`t1`.`cost_id`) AS `__rows`,
    SUM(`t1`.`amount`) AS `g0`
  FROM (
    SELECT
      *
    FROM `costs` AS `t0`
    WHERE
      CAST(`t0`.`incurred_on` AS TIMESTAMP) < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
      AND CAST(`t0`.`incurred_on` AS TIMESTAMP) >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
      AND CAST(`t0`.`incurred_on` AS TIMESTAMP) < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
  ) AS `t1`
  GROUP BY
    1,
    2
) AS `t2`
GROUP BY
  1,
  2,
  3;
