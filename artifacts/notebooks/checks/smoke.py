# Databricks notebook source
# Smoke check: bricklane runs this job (jobs/smoke-test.json) after each environment is applied, because
# bricklane.json names it under "checks". A check passes when its run ends SUCCESS; raising fails the stage
# with this message, and the release does not promote the bundle to the next environment.

# COMMAND ----------

expected_tables = ["sales_raw", "sales_daily"]
missing = [t for t in expected_tables if not spark.catalog.tableExists(t)]  # noqa: F821 (spark is the notebook's)
if missing:
    raise AssertionError(f"smoke check: missing tables {', '.join(missing)}")
print("smoke check passed")
