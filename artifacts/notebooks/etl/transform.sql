-- Databricks notebook source
-- MAGIC %md
-- MAGIC # Transform
-- MAGIC Builds the silver daily sales table from bronze. `run_date` comes from the job.

-- COMMAND ----------

CREATE WIDGET TEXT run_date DEFAULT '2024-01-01';

-- COMMAND ----------

CREATE TABLE IF NOT EXISTS main.silver.daily_sales (
  sale_date DATE,
  store_id STRING,
  orders BIGINT,
  revenue DECIMAL(18, 2)
) USING DELTA;

-- COMMAND ----------

MERGE INTO main.silver.daily_sales AS target
USING (
  SELECT
    CAST(order_ts AS DATE) AS sale_date,
    store_id,
    COUNT(*) AS orders,
    CAST(SUM(amount) AS DECIMAL(18, 2)) AS revenue
  FROM main.bronze.sales
  WHERE CAST(order_ts AS DATE) = CAST(getArgument('run_date') AS DATE)
  GROUP BY CAST(order_ts AS DATE), store_id
) AS source
ON target.sale_date = source.sale_date AND target.store_id = source.store_id
WHEN MATCHED THEN UPDATE SET *
WHEN NOT MATCHED THEN INSERT *;
