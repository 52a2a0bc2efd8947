"""The same dbt project on Spark builds the same marts as on DuckDB (`make test-spark`).

One module-scoped build of the generator's small sample (tests/conftest.py: 400 customers, 30
days, seed 7) on both engines:

1. landed into DuckDB by the landing code (`land_all`), `dbt build` on DuckDB;
2. schema `raw` exported to Parquet (orchestration.spark.export) and, in the Spark venv,
   `python -m orchestration.spark.build`: raw.<table> registered over that Parquet, `dbt build
   --target spark` (seeds, models, data tests, unit tests), Spark marts written to Parquet;
3. the tests below compare the two sets of marts.

Skipped unless OMNI_SPARK_PYTHON names the Spark venv's interpreter (the Makefile sets it), so
`make test` does not need Java or pyspark.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.conftest import Workspace, copy_sample

SPARK_PYTHON = os.environ.get("OMNI_SPARK_PYTHON", "")
PROJECT_DIR = Path(__file__).resolve().parents[2]
#: Attribution totals must agree to this (relative for totals above 1, absolute below).
TOLERANCE = 1e-9

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not SPARK_PYTHON, reason="OMNI_SPARK_PYTHON not set: run `make test-spark`"),
]


@dataclass(frozen=True)
class Builds:
    duckdb_marts: Path
    spark_marts: Path
    timings: dict[str, float]


def _run(cmd: list[str], log: Path, env: dict[str, str], what: str) -> None:
    started = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.run(
            cmd, cwd=PROJECT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, check=False
        )
    if proc.returncode != 0:
        lines = [
            line
            for line in log.read_text(errors="replace").splitlines()
            if not line.startswith('{"ts"')  # pyspark's JSON copies of each error
        ]
        tail = "\n".join(lines[-60:])
        pytest.fail(f"{what} failed (exit {proc.returncode}, log {log}):\n{tail}")
    print(f"{what}: {time.perf_counter() - started:.1f} s", file=sys.stderr)


@pytest.fixture(scope="module")
def builds(sample_exports: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Builds:
    from orchestration.landing import land_all
    from orchestration.lib.config import settings
    from orchestration.spark.export import export_schema

    root = tmp_path_factory.mktemp("spark")
    ws = copy_sample(sample_exports, root / "duckdb")
    ws.activate()
    env = dict(os.environ)
    timings: dict[str, float] = {}

    mark = time.perf_counter()
    results = land_all(settings(), progress=False)
    assert all(result.rows_loaded for result in results.values())
    timings["land"] = time.perf_counter() - mark

    mark = time.perf_counter()
    dbt = str(Path(sys.executable).with_name("dbt"))
    target = root / "target-duckdb"
    _run(
        [dbt, "build", "--target", "dev", "--profiles-dir", str(PROJECT_DIR)]
        + ["--target-path", str(target), "--log-path", str(target / "logs")],
        root / "dbt-duckdb.log",
        env,
        "dbt build (DuckDB)",
    )
    timings["dbt build duckdb"] = time.perf_counter() - mark

    parquet = root / "parquet"
    export_schema(ws.warehouse, "raw", parquet / "duckdb")
    export_schema(ws.warehouse, "marts", parquet / "duckdb")

    mark = time.perf_counter()
    _run(
        [SPARK_PYTHON, "-m", "orchestration.spark.build"]
        + ["--raw-dir", str(parquet / "duckdb" / "raw"), "--out-dir", str(parquet / "spark")]
        + ["--spark-dir", str(root / "spark-home"), "--target-path", str(root / "target-spark")],
        root / "dbt-spark.log",
        env,
        "dbt build --target spark",
    )
    timings["spark build"] = time.perf_counter() - mark
    return Builds(parquet / "duckdb" / "marts", parquet / "spark" / "marts", timings)


def _read(con: duckdb.DuckDBPyConnection, folder: Path, sql: str) -> list[tuple]:
    """Run `sql` with `mart` bound to the Parquet files of one mart folder."""
    relation = f"read_parquet('{folder}/*.parquet')"
    return con.execute(sql.replace("{mart}", relation)).fetchall()


def _marts(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.is_dir() and any(p.glob("*.parquet"))}


def test_every_mart_is_built_on_spark_with_the_same_row_count(builds: Builds) -> None:
    duck, spark = _marts(builds.duckdb_marts), _marts(builds.spark_marts)
    assert duck, "the DuckDB build wrote no marts"
    assert spark == duck, f"only on DuckDB: {duck - spark}; only on Spark: {spark - duck}"
    con = duckdb.connect()
    counts = {
        name: (
            _read(con, builds.duckdb_marts / name, "select count(*) from {mart}")[0][0],
            _read(con, builds.spark_marts / name, "select count(*) from {mart}")[0][0],
        )
        for name in sorted(duck)
    }
    assert {n: c for n, c in counts.items() if c[0] != c[1]} == {}, counts
    assert counts["customer_identifiers"][0] > 0


def _partition(folder: Path) -> tuple[set[frozenset], dict[tuple, str]]:
    rows = _read(
        duckdb.connect(),
        folder,
        "select customer_id, identifier_type, identifier_hash from {mart}",
    )
    members: dict[str, set] = {}
    owner: dict[tuple, str] = {}
    for customer_id, identifier_type, identifier_hash in rows:
        members.setdefault(customer_id, set()).add((identifier_type, identifier_hash))
        owner[(identifier_type, identifier_hash)] = customer_id
    return {frozenset(m) for m in members.values()}, owner


def test_customers_are_the_same_partition_of_identifiers(builds: Builds) -> None:
    duck_parts, duck_owner = _partition(builds.duckdb_marts / "customer_identifiers")
    spark_parts, spark_owner = _partition(builds.spark_marts / "customer_identifiers")
    assert len(duck_parts) > 100
    assert spark_parts == duck_parts, (
        f"{len(duck_parts ^ spark_parts)} customers differ "
        f"({len(duck_parts)} on DuckDB, {len(spark_parts)} on Spark)"
    )
    # customer_id is derived deterministically (md5 of the component's earliest identifier), so
    # the ids themselves agree too, not just the grouping.
    differing = {k: (v, spark_owner.get(k)) for k, v in duck_owner.items() if spark_owner[k] != v}
    assert differing == {}, f"{len(differing)} identifiers carry another customer_id on Spark"


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))


ATTRIBUTION_TOTALS = {
    "attribution_credits": (
        "select model, sum(credit), sum(attributed_revenue), count(distinct conversion_id) "
        "from {mart} group by model"
    ),
    "attribution_by_channel": (
        "select model || '/' || channel, sum(attributed_conversions), sum(attributed_revenue), "
        "sum(spend) from {mart} group by 1"
    ),
}


@pytest.mark.parametrize("mart", sorted(ATTRIBUTION_TOTALS))
def test_attribution_totals_agree_to_1e_9(builds: Builds, mart: str) -> None:
    if not (builds.duckdb_marts / mart).exists():
        pytest.skip(f"no {mart} mart in this project yet")
    con = duckdb.connect()
    sql = ATTRIBUTION_TOTALS[mart]
    duck = {row[0]: row[1:] for row in _read(con, builds.duckdb_marts / mart, sql)}
    spark = {row[0]: row[1:] for row in _read(con, builds.spark_marts / mart, sql)}
    assert duck, f"{mart} is empty on DuckDB"
    assert set(spark) == set(duck)
    mismatches = {
        key: (duck[key], spark[key])
        for key in duck
        if not all(_close(_float(a), _float(b)) for a, b in zip(duck[key], spark[key], strict=True))
    }
    assert mismatches == {}


def _float(value) -> float | None:
    return None if value is None else float(value)


def test_report_wall_times(builds: Builds) -> None:
    """Not a check: prints how long each step took (visible with -s or in the -rA summary)."""
    for step, seconds in builds.timings.items():
        print(f"{step}: {seconds:.1f} s")
    assert all(math.isfinite(s) for s in builds.timings.values())
