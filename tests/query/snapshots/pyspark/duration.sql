-- duration: sales_cycle_days
-- month grain, 2024-01-01 to 2024-04-01, as of 2024-07-01 00:00, pyspark

-- query: leads by converted_at
SELECT
  'month' AS `__grain`,
  CAST(DATE_TRUNC('month', CAST(`t2`.`__day` AS TIMESTAMP)) AS DATE) AS `period`,
  `t2`.`__set`,
  SUM(`t2`.`__rows`) AS `__rows`,
  CASE
    WHEN SUM(`t2`.`g0__c`) > 0
    THEN CAST(SUM(`t2`.`g0__s`) AS DOUBLE) / CAST(SUM(`t2`.`g0__c`) AS DOUBLE)
    ELSE CAST(NULL AS DOUBLE)
  END * 1.1574074074074073e-05 AS `g0`
FROM (
  SELECT
    CAST(DATE_TRUNC('day', `t1`.`converted_at`) AS DATE) AS `__day`,
    0 AS `__set`,
    COUNT(`t1`.`lead_id`) AS `__rows`,
    SUM(
      IF(
        (
          `t1`.`first_contact_at` IS NOT NULL
        )
        AND (
          `t1`.`converted_at` IS NOT NULL
        ),
        UNIX_TIMESTAMP(CAST(`t1`.`converted_at` AS TIMESTAMP)) - UNIX_TIMESTAMP(CAST(`t1`.`first_contact_at` AS TIMESTAMP)),
        NULL
      )
    ) AS `g0__s`,
    COUNT(
      IF(
        (
          `t1`.`first_contact_at` IS NOT NULL
        )
        AND (
          `t1`.`converted_at` IS NOT NULL
        ),
        UNIX_TIMESTAMP(CAST(`t1`.`converted_at` AS TIMESTAMP)) - UNIX_TIMESTAMP(CAST(`t1`.`first_contact_at` AS TIMESTAMP)),
        NULL
      )
    ) AS `g0__c`
  FROM (
    SELECT
      *
    FROM `leads` AS `t0`
    WHERE
      `t0`.`converted_at` < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
      AND `t0`.`converted_at` >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
      AND `t0`.`converted_at` < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
  ) AS `t1`
  GROUP BY
    1,
    2
) AS `t2`
GROUP BY
  1,
  2,
  3;
