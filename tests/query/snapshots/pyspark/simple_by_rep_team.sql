-- simple_by_rep_team: revenue by rep.team
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, pyspark

-- query: orders by ordered_at
SELECT
  'month' AS `__grain`,
  CAST(DATE_TRUNC('month', CAST(`t8`.`__day` AS TIMESTAMP)) AS DATE) AS `period`,
  `t8`.`__set`,
  `t8`.`dim_0`,
  SUM(`t8`.`__rows`) AS `__rows`,
  CAST(SUM(`t8`.`g0`) AS DOUBLE) AS `g0`
FROM (
  SELECT
    CAST(DATE_TRUNC('day', `t7`.`ordered_at`) AS DATE) AS `__day`,
    0 AS `__set`,
    `t7`.`__j0_team` AS `dim_0`,
    COUNT(`t7`.`order_id`) AS `__rows`,
    SUM(
      IF(
        (
          `t7`.`status` IS NULL
        ) OR (
          `t7`.`status` <> 'cancelled'
        ),
        `t7`.`amount`,
        NULL
      )
    ) AS `g0`
  FROM (
    SELECT
      *
    FROM (
      SELECT
        `t5`.`order_id`,
        `t5`.`ordered_at`,
        `t5`.`amount`,
        `t5`.`customer_id`,
        `t5`.`rep_id`,
        `t5`.`channel`,
        `t5`.`cost`,
        `t5`.`quantity`,
        `t5`.`currency`,
        `t5`.`status`,
        `t5`.`campaign`,
        `t5`.`__j0_team`
      FROM (
        SELECT
          `t2`.`order_id`,
          `t2`.`ordered_at`,
          `t2`.`amount`,
          `t2`.`customer_id`,
          `t2`.`rep_id`,
          `t2`.`channel`,
          `t2`.`cost`,
          `t2`.`quantity`,
          `t2`.`currency`,
          `t2`.`status`,
          `t2`.`campaign`,
          `t4`.`__k0`,
          `t4`.`__j0_team`
        FROM `orders` AS `t2`
        LEFT OUTER JOIN (
          SELECT
            `t1`.`rep_id` AS `__k0`,
            `t1`.`team` AS `__j0_team`
          FROM `salespeople` AS `t1`
        ) AS `t4`
          ON `t2`.`rep_id` = `t4`.`__k0`
      ) AS `t5`
    ) AS `t6`
    WHERE
      `t6`.`ordered_at` < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
      AND `t6`.`ordered_at` >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
      AND `t6`.`ordered_at` < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
  ) AS `t7`
  GROUP BY
    1,
    2,
    3
) AS `t8`
GROUP BY
  1,
  2,
  3,
  4;
