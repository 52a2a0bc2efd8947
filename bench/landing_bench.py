"""Generator and landing throughput: rows per second and peak memory at a given size.

    python bench/landing_bench.py --customers 100000 [--days 30] [--out /tmp/bench-landing]

Each stage runs in its own child process so its peak memory (ru_maxrss) is its own. Results are
printed as a table and written to bench/results/landing.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LAND = """
import json, sys, time
from orchestration.landing import land_source, SOURCES
out = {}
for source in SOURCES:
    started = time.perf_counter()
    result = land_source(source, progress=False)
    out[source] = {"rows": result.rows_loaded, "seconds": time.perf_counter() - started,
                   "files": len(result.files_loaded), "quarantined": len(result.files_quarantined)}
print(json.dumps(out))
"""


def _child(cmd: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Run a child; return (wall seconds, its peak RSS in MiB, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) // 1024, proc.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=Path("/tmp/omni-bench-landing"))
    args = parser.parse_args()

    shutil.rmtree(args.out, ignore_errors=True)
    env = dict(
        os.environ,
        OMNI_LANDING_DIR=str(args.out / "landing"),
        OMNI_QUARANTINE_DIR=str(args.out / "quarantine"),
        OMNI_WAREHOUSE=str(args.out / "warehouse.duckdb"),
        OMNI_TRUTH_DIR=str(args.out / "truth"),
        OMNI_PII_SALT=os.environ.get("OMNI_PII_SALT", "bench-salt"),
    )
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
            env["OMNI_LANDING_DIR"],
            "--truth",
            env["OMNI_TRUTH_DIR"],
            "--quiet",
        ],
        env,
    )
    manifest = json.loads((args.out / "truth" / "manifest.json").read_text())
    gen_rows = sum(f.get("rows", 0) for f in manifest.get("files", []))
    land_wall, land_peak, out = _child([sys.executable, "-c", LAND], env)
    per_source = json.loads(out.strip().splitlines()[-1])

    csv_sources = {
        "crm_contacts",
        "shop_orders",
        "pos_transactions",
        "sms_messages",
        "consent",
        "ad_spend",
        "erasure_requests",
    }
    rows = sum(s["rows"] for s in per_source.values())
    csv_rows = sum(s["rows"] for k, s in per_source.items() if k in csv_sources)
    csv_secs = sum(s["seconds"] for k, s in per_source.items() if k in csv_sources)
    result = {
        "customers": args.customers,
        "days": args.days,
        "generator": {
            "rows": gen_rows,
            "seconds": round(gen_wall, 2),
            "rows_per_s": round(gen_rows / gen_wall),
            "peak_mib": gen_peak,
        },
        "landing": {
            "rows": rows,
            "seconds": round(land_wall, 2),
            "rows_per_s": round(rows / land_wall),
            "peak_mib": land_peak,
            "csv_rows_per_s": round(csv_rows / csv_secs) if csv_secs else None,
        },
        "per_source": per_source,
    }
    print(f"{'stage':<12}{'rows':>12}{'seconds':>10}{'rows/s':>12}{'peak MiB':>10}")
    for stage in ("generator", "landing"):
        r = result[stage]
        print(
            f"{stage:<12}{r['rows']:>12,}{r['seconds']:>10.1f}{r['rows_per_s']:>12,}"
            f"{r['peak_mib']:>10,}"
        )
    print(f"landing, CSV sources only: {result['landing']['csv_rows_per_s']:,} rows/s")
    for source, s in per_source.items():
        rate = s["rows"] / s["seconds"] if s["seconds"] else 0
        print(f"  {source:<18}{s['rows']:>10,} rows {s['seconds']:>7.1f} s {rate:>10,.0f} rows/s")
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "landing.json").write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
