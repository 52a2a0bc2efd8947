"""Running the dbt project on Spark (dbt-spark), and proving it matches the DuckDB build.

The flow `make test-spark` runs (tests/spark/ drives it):

1. main venv: the generator's sample is landed into DuckDB by the normal landing code
   (`land_all`), `dbt build` runs on DuckDB, and `export.export_schema` writes every table of
   schema `raw` (and the DuckDB marts) to Parquet, one file per table.
2. `.venv-spark` (dbt-core, dbt-spark[session], pyspark only: pyspark must not share an
   interpreter with Great Expectations), `python -m orchestration.spark.build`: starts one local
   SparkSession (Hive metastore and warehouse under OMNI_SPARK_DIR), registers each Parquet file
   as the Spark table `raw.<table>`, runs `dbt build --target spark` in the same process (the
   session method reuses that SparkSession) and writes the Spark marts back to Parquet.
3. main venv: tests/spark/test_spark_matches_duckdb.py compares the two sets of marts.

Modules here import neither dagster nor great_expectations, so both venvs can run them.
"""
