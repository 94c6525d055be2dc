# Databricks notebook source
# MAGIC %md
# MAGIC # Ingest
# MAGIC Loads the day's raw files for one source into the bronze Delta table.
# MAGIC Parameters come from the job (`source`, `mode`); defaults make the notebook runnable by hand.

# COMMAND ----------

# MAGIC %run ../shared/utils

# COMMAND ----------

dbutils.widgets.text("source", "sales")
dbutils.widgets.dropdown("mode", "incremental", ["incremental", "full"])

source = dbutils.widgets.get("source")
mode = dbutils.widgets.get("mode")
settings = load_settings()

landing_path = f"{settings['landing_root']}/{source}"
bronze_table = f"{settings['catalog']}.bronze.{source}"

# COMMAND ----------

raw = (
    spark.read.format("json")
    .option("multiLine", "true")
    .load(landing_path)
    .withColumn("_ingested_at", current_timestamp_utc())
)

writer = raw.write.format("delta").option("mergeSchema", "true")
writer = writer.mode("overwrite") if mode == "full" else writer.mode("append")
writer.saveAsTable(bronze_table)

# COMMAND ----------

dbutils.notebook.exit(f"ingested {raw.count()} rows into {bronze_table}")
