-- ratio: quote_win_rate
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, pyspark

-- query: quotes by decided_at
SELECT
  CAST(DATE_TRUNC('month', `t1`.`decided_at`) AS DATE) AS `period`,
  COUNT(IF(`t1`.`status` = 'won', `t1`.`quote_id`, NULL)) AS `m0`,
  COUNT(IF(`t1`.`status` IN ('won', 'lost'), `t1`.`quote_id`, NULL)) AS `m1`
FROM (
  SELECT
    *
  FROM `quotes` AS `t0`
  WHERE
    `t0`.`decided_at` >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
    AND `t0`.`decided_at` < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
) AS `t1`
GROUP BY
  1;
