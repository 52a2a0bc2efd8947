"""Benchmark attribution: the real dbt models over 1M generated journeys (~3M touches).

    .venv/bin/python bench/attribution_bench.py                    # 1M journeys
    .venv/bin/python bench/attribution_bench.py --journeys 100000  # quick look

Writes, in a throwaway DuckDB warehouse, bench.journey_touches (the columns of
int_journey_touches_windowed: 1..5 touches per conversion, mean 3, channels with skewed
popularity, times within 30 days) and bench.paths (the columns of
int_attribution_paths_transformed: the same converting paths plus as many non-converting ones).
Then runs, through dbt with vars attribution_journey_touches_relation and
attribution_paths_relation pointing at them:
int_rule_credits_computed (all six rule models), int_markov_transitions_counted,
int_markov_removal_effects (exact solve in Jinja), int_shapley_values_computed and
int_model_credits_weighted; prints each model's execution time from run_results.json and the
wall time, and writes bench/results/attribution.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[1]
RESULTS = PROJECT_DIR / "bench" / "results" / "attribution.json"
DBT = Path(sys.executable).parent / "dbt"
CHANNELS = ["line", "sms", "email", "messenger", "instagram", "paid_search", "paid_social",
            "display", "organic_search", "referral", "direct", "store"]  # fmt: skip
MODELS = [
    "int_rule_credits_computed",
    "int_markov_transitions_counted",
    "int_markov_removal_effects",
    "int_shapley_values_computed",
    "int_model_credits_weighted",
]


def build_inputs(con: duckdb.DuckDBPyConnection, journeys: int, seed: int) -> dict[str, int]:
    con.execute(f"select setseed({seed / 1000})")
    channel_list = ", ".join(f"'{c}'" for c in CHANNELS)
    # channel k picked with probability ~ 1 / (k + 1): a few big channels, a long tail
    con.execute(f"""
        create or replace table bench.path_lengths as
        select path_id, 1 + cast(floor(random() * 5) as bigint) as touch_count,
               path_id < {journeys} as is_converting
        from range({2 * journeys}) as t(path_id)
    """)  # fmt: skip
    con.execute(f"""
        create or replace table bench.path_touches as
        select p.path_id, p.is_converting, p.touch_count, s.step,
               ([{channel_list}])[1 + cast(floor(pow(random(), 2) * {len(CHANNELS)}) as bigint)]
                   as channel,
               random() * 30 as days_before_conversion
        from bench.path_lengths as p, range(1, 6) as s(step)
        where s.step <= p.touch_count
    """)  # fmt: skip
    con.execute("""
        create or replace table bench.journey_touches as
        select 'c' || path_id as conversion_id, 't' || path_id || '-' || step as touchpoint_id,
               channel, channel || '-campaign' as campaign_id, step as touch_position,
               touch_count, days_before_conversion
        from bench.path_touches where is_converting
        order by conversion_id, touch_position
    """)  # fmt: skip
    con.execute("""
        create or replace table bench.paths as
        select case when is_converting then 'c' || path_id else 'open:' || path_id end
                   as path_id,
               is_converting, channel, step, touch_count as step_count
        from bench.path_touches
    """)  # fmt: skip
    touches = con.execute("select count(*) from bench.journey_touches").fetchone()[0]
    path_rows = con.execute("select count(*) from bench.paths").fetchone()[0]
    return {"journeys": journeys, "journey_touches": touches, "path_rows": path_rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-write", action="store_true", help="do not write bench/results")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="attribution_bench_") as tmp:
        root = Path(tmp)
        warehouse = root / "warehouse.duckdb"
        con = duckdb.connect(str(warehouse))
        con.execute("create schema bench")
        started = time.perf_counter()
        sizes = build_inputs(con, args.journeys, args.seed)
        con.close()
        print(f"inputs: {sizes} in {time.perf_counter() - started:.1f} s")

        env = {**os.environ, "OMNI_WAREHOUSE": str(warehouse)}
        env.setdefault("OMNI_PII_SALT", "bench-salt")
        bench_vars = (
            "{attribution_journey_touches_relation: bench.journey_touches, "
            "attribution_paths_relation: bench.paths}"
        )
        started = time.perf_counter()
        subprocess.run(
            [str(DBT), "run", "--profiles-dir", str(PROJECT_DIR),
             "--project-dir", str(PROJECT_DIR), "--target-path", str(root / "target"),
             "--log-path", str(root / "logs"), "--select", *MODELS, "--vars", bench_vars],
            check=True, env=env, cwd=PROJECT_DIR,
        )  # fmt: skip
        wall = time.perf_counter() - started
        results = json.loads((root / "target" / "run_results.json").read_text())
        timings = {r["unique_id"].split(".")[-1]: r["execution_time"] for r in results["results"]}
        con = duckdb.connect(str(warehouse), read_only=True)
        credit_rows = con.execute(
            "select count(*) from intermediate.int_rule_credits_computed"
        ).fetchone()[0]
        effects = con.execute(
            "select channel, removal_effect from intermediate.int_markov_removal_effects "
            "order by removal_effect desc"
        ).fetchall()
        con.close()

    print(f"\n{'model':<34}{'seconds':>9}")
    for model in MODELS:
        print(f"{model:<34}{timings.get(model, float('nan')):>9.2f}")
    print(f"{'dbt run wall time (incl. parse)':<34}{wall:>9.2f}")
    print(f"rule credit rows: {credit_rows:,}; markov removal effects: {effects[:3]} ...")
    report = {
        "inputs": sizes,
        "model_seconds": timings,
        "dbt_wall_seconds": wall,
        "rule_credit_rows": credit_rows,
        "markov_removal_effects": dict(effects),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "duckdb": duckdb.__version__,
    }
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {RESULTS.relative_to(PROJECT_DIR)}")


if __name__ == "__main__":
    main()
