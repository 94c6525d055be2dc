// Databricks notebook source
// MAGIC %md
// MAGIC # Daily report
// MAGIC Ranks stores by revenue over the last seven days and writes the gold report table.

// COMMAND ----------

import org.apache.spark.sql.expressions.Window
import org.apache.spark.sql.functions._

val lastWeek = spark.table("main.silver.daily_sales")
  .where(col("sale_date") >= date_sub(current_date(), 7))

val byStore = lastWeek
  .groupBy("store_id")
  .agg(sum("orders").as("orders"), sum("revenue").as("revenue"))
  .withColumn("rank", dense_rank().over(Window.orderBy(desc("revenue"))))

// COMMAND ----------

byStore.write
  .format("delta")
  .mode("overwrite")
  .saveAsTable("main.gold.store_report_weekly")

display(byStore.orderBy("rank"))
