"""Generator and landing throughput: rows per second and peak memory at a given size.

    python bench/landing_bench.py --customers 100000 [--days 30] [--out /tmp/bench-landing]
    python bench/landing_bench.py --customers 100000 --skip-generate --repeat 3

The sample is generated once into `<out>/sample` (`--skip-generate` reuses it); each landing run
gets a fresh `<out>/landing` of hard links to it (quarantine moves a link, never the sample), a
fresh warehouse and quarantine folder. Each stage runs in its own child process so its peak memory
(ru_maxrss) is its own. With `--repeat N` the landing runs N times and the median per source is
reported. Results are printed as a table and written to bench/results/landing[-<customers>].json.

`--floor` also times DuckDB alone writing the same files' rows: each file inserted with the same
metadata columns into a fresh warehouse, one transaction per file, one connection, no hashing,
suite, ledger or quarantine; once straight from `read_csv`/`read_json`, once from Arrow tables
parsed beforehand (untimed). No landing can beat it on this DuckDB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LAND = """
import json, os, resource, sys, time
from orchestration.landing import land_source, SOURCES
out = {}
if os.environ.get("BENCH_WARM_GE") == "1":
    # GE's import and context: once per process, paid by the first file GE validates
    started = time.perf_counter()
    from orchestration import quality
    quality.context()
    out["_ge_startup"] = {"seconds": time.perf_counter() - started}
only = [s for s in os.environ.get("BENCH_SOURCES", "").split(",") if s]
for source in [s for s in SOURCES if not only or s in only]:
    started, cpu = time.perf_counter(), time.process_time()
    result = land_source(source, progress=False)
    cpu = time.process_time() - cpu
    phases = {}
    for f in result.files_loaded + result.files_quarantined:
        for k, v in f.timings.items():
            phases[k] = phases.get(k, 0.0) + v
    out[source] = {"rows": result.rows_loaded, "seconds": time.perf_counter() - started,
                   "cpu_seconds": cpu, "files": len(result.files_loaded),
                   "quarantined": len(result.files_quarantined),
                   "phases": phases,
                   "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}
    del result
print(json.dumps(out))
"""

FLOOR = """
import json, os, sys, time
from datetime import datetime
from pathlib import Path
import duckdb
from orchestration.landing import SOURCES
from orchestration.landing.loader import _classify, _create_table
from orchestration.landing.parse import _q, hash_and_detect, prepare
from orchestration.landing.registry import feeds_for
from orchestration.lib.config import settings
cfg = settings()
only = [s for s in os.environ.get("BENCH_SOURCES", "").split(",") if s]
jobs = [(feed, path, hash_and_detect(path)) for source in SOURCES if not only or source in only
        for path, feed in _classify(cfg.landing_dir / source, feeds_for(source))[0]]
out = {}
for mode in ("sql", "arrow"):
    db = Path(os.environ["BENCH_FLOOR_DB"])
    for suffix in ("", ".wal"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    con.execute("SET preserve_insertion_order = true")
    con.execute("CREATE SCHEMA raw")
    for table, feed in {feed.table: feed for feed, _, _ in jobs}.items():
        _create_table(con, feed)
    now = datetime.now()
    frames = {}
    if mode == "arrow":  # parsed beforehand, untimed: the insert of rows already in memory
        for feed, path, sniffed in jobs:
            with prepare(con, feed, path, sniffed) as source:
                try:
                    frames[path] = con.sql(source.sql).to_arrow_table()
                except duckdb.Error:
                    pass
    rows = 0
    started, cpu = time.perf_counter(), time.process_time()
    for feed, path, sniffed in jobs:
        with prepare(con, feed, path, sniffed) as source:
            if mode == "arrow" and path not in frames:
                continue
            frame = frames.get(path)
            rel = "frame" if mode == "arrow" else f"({source.sql})"
            data = source.columns + (["_record"] if feed.is_json else [])
            select = ", ".join(_q(c) for c in data)
            con.execute("BEGIN TRANSACTION")
            try:
                rows += con.execute(
                    f"INSERT INTO raw.{_q(feed.table)} BY NAME SELECT {select}, "
                    "? AS _source_file, _row AS _row_number, ?::TIMESTAMP AS _loaded_at, "
                    f"? AS _file_hash FROM {rel}",
                    [path.name, now, sniffed.file_hash],
                ).fetchall()[0][0]
                con.execute("COMMIT")
            except duckdb.Error:  # a file landing quarantines
                con.execute("ROLLBACK")
    con.close()
    out[mode] = {"rows": rows, "seconds": time.perf_counter() - started,
                 "cpu_seconds": time.process_time() - cpu}
print(json.dumps(out))
"""

CSV_SOURCES = {
    "crm_contacts",
    "shop_orders",
    "pos_transactions",
    "sms_messages",
    "consent",
    "ad_spend",
    "erasure_requests",
}


def _child(cmd: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Run a child; return (wall seconds, its own peak RSS in MiB via wait4, stdout)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    stdout = proc.stdout.read()
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd, stdout)
    return wall, usage.ru_maxrss // 1024, stdout


def _link_tree(src: Path, dst: Path) -> None:
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst, copy_function=os.link)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=None, help="/tmp/omni-bench-landing-<n>")
    parser.add_argument("--skip-generate", action="store_true", help="reuse <out>/sample")
    parser.add_argument("--repeat", type=int, default=1, help="landing runs (median reported)")
    parser.add_argument("--tag", default="", help="suffix of the results file name")
    parser.add_argument("--sources", default="", help="comma-separated subset of sources")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also time DuckDB alone inserting the same files' rows (no hash, suite or ledger)",
    )
    parser.add_argument(
        "--cold-ge",
        action="store_true",
        help="do not start GE before timing (its import lands on the first file it validates)",
    )
    args = parser.parse_args()

    out_dir = args.out or Path(f"/tmp/omni-bench-landing-{args.customers}")
    sample = out_dir / "sample"
    env = dict(
        os.environ,
        OMNI_LANDING_DIR=str(out_dir / "landing"),
        OMNI_QUARANTINE_DIR=str(out_dir / "quarantine"),
        OMNI_WAREHOUSE=str(out_dir / "warehouse.duckdb"),
        OMNI_TRUTH_DIR=str(out_dir / "truth"),
        OMNI_PII_SALT=os.environ.get("OMNI_PII_SALT", "bench-salt"),
        BENCH_SOURCES=args.sources,
        BENCH_WARM_GE="0" if args.cold_ge else "1",
    )
    generator = None
    if not args.skip_generate:
        shutil.rmtree(out_dir, ignore_errors=True)
        gen_wall, gen_peak, _ = _child(
            [
                sys.executable,
                "-m",
                "orchestration.generator",
                "--customers",
                str(args.customers),
                "--days",
                str(args.days),
                "--seed",
                str(args.seed),
                "--out",
                str(sample),
                "--truth",
                env["OMNI_TRUTH_DIR"],
                "--quiet",
            ],
            env,
        )
        manifest = json.loads((out_dir / "truth" / "manifest.json").read_text())
        gen_rows = sum(f.get("rows", 0) for f in manifest.get("files", []))
        generator = {
            "rows": gen_rows,
            "seconds": round(gen_wall, 2),
            "rows_per_s": round(gen_rows / gen_wall),
            "peak_mib": gen_peak,
        }
    elif not sample.is_dir():
        parser.error(f"--skip-generate: no sample at {sample}")

    runs = []
    for _ in range(args.repeat):
        _link_tree(sample, out_dir / "landing")
        shutil.rmtree(out_dir / "quarantine", ignore_errors=True)
        for suffix in ("", ".wal"):
            Path(env["OMNI_WAREHOUSE"] + suffix).unlink(missing_ok=True)
        land_wall, land_peak, stdout = _child([sys.executable, "-c", LAND], env)
        runs.append((land_wall, land_peak, json.loads(stdout.strip().splitlines()[-1])))

    floor = None
    if args.floor:  # the write floor: the same rows and metadata columns, DuckDB's insert only
        _link_tree(sample, out_dir / "landing")
        floor_env = dict(env, BENCH_FLOOR_DB=str(out_dir / "floor.duckdb"))
        _, _, stdout = _child([sys.executable, "-c", FLOOR], floor_env)
        floor = json.loads(stdout.strip().splitlines()[-1])
        for suffix in ("", ".wal"):
            Path(floor_env["BENCH_FLOOR_DB"] + suffix).unlink(missing_ok=True)

    def med(values: list[float]) -> float:
        return statistics.median(values)

    ge_startup = [r[2].pop("_ge_startup", {}).get("seconds") for r in runs]
    per_source = {}
    for source, first in runs[0][2].items():
        secs = [r[2][source]["seconds"] for r in runs]
        per_source[source] = {
            **first,
            "seconds": round(med(secs), 3),
            "seconds_runs": [round(s, 3) for s in secs],
            "cpu_seconds": round(med([r[2][source]["cpu_seconds"] for r in runs]), 3),
            "phases": {
                k: round(med([r[2][source]["phases"].get(k, 0.0) for r in runs]), 3)
                for k in first["phases"]
            },
        }
    rows = sum(s["rows"] for s in per_source.values())
    csv_rows = sum(s["rows"] for k, s in per_source.items() if k in CSV_SOURCES)
    csv_secs = sum(s["seconds"] for k, s in per_source.items() if k in CSV_SOURCES)
    land_wall = med([r[0] for r in runs])
    result = {
        "customers": args.customers,
        "days": args.days,
        "load_average": os.getloadavg(),
        "generator": generator,
        "landing": {
            "rows": rows,
            "seconds": round(land_wall, 2),
            "seconds_runs": [round(r[0], 2) for r in runs],
            "rows_per_s": round(rows / land_wall),
            "peak_mib": round(med([r[1] for r in runs])),
            "peak_mib_runs": [r[1] for r in runs],
            "ge_startup_seconds": round(med(ge_startup), 2) if all(ge_startup) else None,
            "csv_rows_per_s": round(csv_rows / csv_secs) if csv_secs else None,
        },
        "per_source": per_source,
        "floor": floor,
    }
    print(f"{'stage':<12}{'rows':>12}{'seconds':>10}{'rows/s':>12}{'peak MiB':>10}")
    for stage in ("generator", "landing"):
        r = result[stage]
        if r:
            print(
                f"{stage:<12}{r['rows']:>12,}{r['seconds']:>10.1f}{r['rows_per_s']:>12,}"
                f"{r['peak_mib']:>10,}"
            )
    land = result["landing"]
    print(f"landing runs: {land['seconds_runs']} s, peak MiB {land['peak_mib_runs']}")
    if land["ge_startup_seconds"]:
        print(
            f"GE import + context (once per process, before the sources): "
            f"{land['ge_startup_seconds']:.2f} s"
        )
    if land["csv_rows_per_s"]:
        print(f"landing, CSV sources only: {land['csv_rows_per_s']:,} rows/s")
    for mode, f in (floor or {}).items():
        print(
            f"DuckDB floor ({'read_csv' if mode == 'sql' else 'Arrow'} -> raw, insert + commit "
            f"only, same files): {f['rows']:,} rows in {f['seconds']:.2f} s, cpu "
            f"{f['cpu_seconds']:.2f} s = {f['rows'] / f['seconds']:,.0f} rows/s"
        )
    for source, s in per_source.items():
        rate = s["rows"] / s["seconds"] if s["seconds"] else 0
        phases = " ".join(f"{k} {v:.2f}" for k, v in s["phases"].items())
        print(
            f"  {source:<18}{s['rows']:>10,} rows {s['files']:>4} files {s['seconds']:>7.2f} s "
            f"{rate:>10,.0f} rows/s  cpu {s['cpu_seconds']:6.2f} s  "
            f"rss {s['maxrss_mib']:>5} MiB  [{phases}]"
        )
    print(f"load average: {', '.join(f'{x:.2f}' for x in result['load_average'])}")
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    name = f"landing-{args.customers}{'-' + args.tag if args.tag else ''}.json"
    (results / name).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
