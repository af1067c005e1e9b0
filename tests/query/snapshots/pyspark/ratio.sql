-- ratio: quote_win_rate
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, pyspark

-- query: quotes by decided_at
SELECT
  'month' AS `__grain`,
  CAST(DATE_TRUNC('month', CAST(`t2`.`__day` AS TIMESTAMP)) AS DATE) AS `period`,
  `t2`.`__set`,
  SUM(`t2`.`__rows`) AS `__rows`,
  CAST(SUM(`t2`.`g0`) AS DOUBLE) AS `g0`,
  CAST(SUM(`t2`.`g1`) AS DOUBLE) AS `g1`
FROM (
  SELECT
    CAST(DATE_TRUNC('day', `t1`.`decided_at`) AS DATE) AS `__day`,
    0 AS `__set`,
    COUNT(`t1`.`quote_id`) AS `__rows`,
    COUNT(IF(`t1`.`status` = 'won', `t1`.`quote_id`, NULL)) AS `g0`,
    COUNT(IF(`t1`.`status` IN ('won', 'lost'), `t1`.`quote_id`, NULL)) AS `g1`
  FROM (
    SELECT
      *
    FROM `quotes` AS `t0`
    WHERE
      `t0`.`decided_at` < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
      AND `t0`.`decided_at` >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
      AND `t0`.`decided_at` < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
  ) AS `t1`
  GROUP BY
    1,
    2
) AS `t2`
GROUP BY
  1,
  2,
  3;
