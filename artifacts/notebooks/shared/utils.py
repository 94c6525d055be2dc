# Databricks notebook source
# MAGIC %md
# MAGIC # Shared helpers
# MAGIC Included by other notebooks with `%run ../shared/utils`.

# COMMAND ----------

from pyspark.sql import Column
from pyspark.sql import functions as F

DEFAULT_SETTINGS = {
    "catalog": "main",
    "landing_root": "abfss://landing@bricklanesample.dfs.core.windows.net",
}


def load_settings() -> dict:
    """Settings for this run; a cluster's Spark conf can override the defaults."""
    return {
        key: spark.conf.get(f"spark.bricklane.sample.{key}", default)
        for key, default in DEFAULT_SETTINGS.items()
    }


def current_timestamp_utc() -> Column:
    return F.to_utc_timestamp(F.current_timestamp(), "UTC")
