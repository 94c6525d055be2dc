# Databricks notebook source
# MAGIC %md
# MAGIC # Summary
# MAGIC Weekly revenue summary statistics for the report mail.

# COMMAND ----------

library(SparkR)

report <- tableToDF("main.gold.store_report_weekly")
local_report <- collect(report)

# COMMAND ----------

summary_stats <- data.frame(
  stores = nrow(local_report),
  total_revenue = sum(local_report$revenue),
  median_revenue = median(local_report$revenue)
)
print(summary_stats)

dbutils.notebook.exit(jsonlite::toJSON(summary_stats, auto_unbox = TRUE))
