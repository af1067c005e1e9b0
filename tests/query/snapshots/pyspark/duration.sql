-- duration: sales_cycle_days
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, pyspark

-- query: leads by converted_at
SELECT
  CAST(DATE_TRUNC('month', `t1`.`converted_at`) AS DATE) AS `period`,
  AVG(
    IF(
      (
        `t1`.`first_contact_at` IS NOT NULL
      )
      AND (
        `t1`.`converted_at` IS NOT NULL
      ),
      CAST(UNIX_TIMESTAMP(CAST(`t1`.`converted_at` AS TIMESTAMP)) - UNIX_TIMESTAMP(CAST(`t1`.`first_contact_at` AS TIMESTAMP)) AS DOUBLE) / 86400.0,
      NULL
    )
  ) AS `m0`
FROM (
  SELECT
    *
  FROM `leads` AS `t0`
  WHERE
    `t0`.`converted_at` >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
    AND `t0`.`converted_at` < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
) AS `t1`
GROUP BY
  1;
