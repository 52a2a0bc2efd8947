"""Build the dbt project on a local Spark: register raw Parquet as tables, dbt build, export marts.

Runs in `.venv-spark` (dbt-core, dbt-spark[session], pyspark), never in the main venv:

    python -m orchestration.spark.build --raw-dir D/raw --out-dir D/spark [--spark-dir D/spark_home]

1. Starts the one SparkSession of this process with `session_conf()` (the same settings as the
   `spark` target's server_side_parameters in profiles.yml: in-memory catalog, warehouse under
   OMNI_SPARK_DIR, UTC session time zone, a few shuffle partitions for small data). dbt-spark's
   session method calls `SparkSession.builder.getOrCreate()`, so dbt reuses this session.
2. `raw.<table>` for every `<raw-dir>/<table>/` folder: an external Parquet table over the files
   the landing code's DuckDB tables were exported to (orchestration.spark.export). On a cluster
   the raw tables are whatever your ingestion writes; they only need to exist in schema `raw`.
3. `dbt build --target spark` (seeds, models, data tests and unit tests) in this process.
4. Every table of schema `marts` to `<out-dir>/marts/<table>/` as Parquet, for the comparison.

OMNI_SPARK_CONF_EXTRA="key=value,key=value" adds or overrides session settings (experiments).
Exit status: 0 when dbt build succeeded and the marts were written, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def session_conf(spark_dir: Path) -> dict[str, str]:
    """Spark settings for the local session; profiles.yml's `spark` target sets the same."""
    spark_dir = spark_dir.resolve()
    return {
        "spark.driver.memory": "4g",
        "spark.sql.warehouse.dir": str(spark_dir / "warehouse"),
        # In-memory catalog: a Derby Hive metastore caps a view's text at 32,672 characters
        # (our staging views are longer) and costs ~20 s; the catalog lives as long as this
        # process, which registers raw, runs dbt and exports marts.
        "spark.sql.catalogImplementation": "in-memory",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": "4",
        # Interpreted expressions: the normalisation macros make Java methods too large for
        # Janino (compile, fail, fall back); on small data interpreting is 3x faster. Drop
        # these two on a cluster with real volumes.
        "spark.sql.codegen.wholeStage": "false",
        "spark.sql.codegen.factoryMode": "NO_CODEGEN",
        "spark.sql.legacy.createHiveTableByDefault": "false",
        "spark.sql.ansi.enabled": "false",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
    }


def start_session(spark_dir: Path):
    from pyspark.sql import SparkSession

    spark_dir.mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.appName("omnichannel-dbt").master("local[*]")
    conf = session_conf(spark_dir)
    for item in filter(None, os.environ.get("OMNI_SPARK_CONF_EXTRA", "").split(",")):
        key, _, value = item.partition("=")
        conf[key.strip()] = value.strip()
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def register_raw_tables(spark, raw_dir: Path) -> list[str]:
    """`raw.<table>` over each `<raw_dir>/<table>/` Parquet folder (replacing an older one)."""
    folders = sorted(p for p in raw_dir.iterdir() if p.is_dir() and any(p.glob("*.parquet")))
    if not folders:
        raise SystemExit(f"{raw_dir}: no <table>/*.parquet folders to register as raw tables")
    spark.sql("create database if not exists raw")
    for folder in folders:
        spark.sql(f"drop table if exists raw.{folder.name}")
        spark.sql(
            f"create table raw.{folder.name} using parquet location '{folder.resolve().as_uri()}'"
        )
    return [f"raw.{folder.name}" for folder in folders]


def dbt_build(target_path: Path | None, extra: list[str]) -> bool:
    from dbt.cli.main import dbtRunner

    args = [
        "build",
        "--target",
        "spark",
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
    ]
    if target_path is not None:
        args += ["--target-path", str(target_path), "--log-path", str(target_path / "logs")]
    result = dbtRunner().invoke(args + extra)
    return bool(result.success)


def export_marts(spark, out_dir: Path, schema: str = "marts") -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in spark.sql(f"show tables in {schema}").collect():
        name = row["tableName"]
        if row["isTemporary"] or "__" in name:
            continue
        frame = spark.table(f"{schema}.{name}")
        frame.write.mode("overwrite").parquet(str(out_dir / schema / name))
        counts[name] = frame.count()
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", type=Path, required=True, help="<table>/*.parquet folders")
    parser.add_argument("--out-dir", type=Path, required=True, help="Spark marts go to marts/")
    parser.add_argument(
        "--spark-dir",
        type=Path,
        default=Path(os.environ.get("OMNI_SPARK_DIR", PROJECT_DIR / "data" / "spark")),
        help="warehouse folder of the local Spark (env OMNI_SPARK_DIR)",
    )
    parser.add_argument("--target-path", type=Path, default=None, help="dbt target folder")
    parser.add_argument("dbt_args", nargs="*", help="extra dbt build arguments, after --")
    args = parser.parse_args(argv)

    os.environ["OMNI_SPARK_DIR"] = str(args.spark_dir.resolve())
    timings: dict[str, float] = {}
    started = time.perf_counter()
    spark = start_session(args.spark_dir)
    timings["session"] = time.perf_counter() - started

    mark = time.perf_counter()
    tables = register_raw_tables(spark, args.raw_dir)
    timings["raw tables"] = time.perf_counter() - mark
    print(f"registered {len(tables)} raw tables: {', '.join(tables)}", flush=True)

    mark = time.perf_counter()
    ok = dbt_build(args.target_path, args.dbt_args)
    timings["dbt build"] = time.perf_counter() - mark

    if ok:
        mark = time.perf_counter()
        counts = export_marts(spark, args.out_dir)
        timings["export marts"] = time.perf_counter() - mark
        print(f"marts: {counts} -> {args.out_dir / 'marts'}")
    print("timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()), flush=True)
    spark.stop()
    if not ok:
        print("dbt build --target spark failed; see the log above", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
