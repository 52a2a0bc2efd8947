"""Stage benchmark: wall time and peak memory of every stage, from 10k customers up, and its slope.

    python bench/scale_bench.py                                  # 10k (3 runs) and 100k (1 run)
    python bench/scale_bench.py --sizes 10000,100000,1000000 --repeats 3,1,1   # or BENCH_1M=1
    python bench/scale_bench.py --sizes 10000 --repeats 1 --no-write          # a quick look
    python bench/scale_bench.py --merge bench/results/scale-10000-100000.json \
        bench/results/scale-1000000.json                     # one report, slopes 10k -> 1M
    python bench/scale_bench.py --history bench/results/scale-100000-d10.json \
        bench/results/scale-100000-d90.json    # the daily run against the history's length

Per size and run, in a fresh folder `<out>/<customers>/run<i>/`:

  generate     the generator's sample (`--days` days, seed 42); its last day of daily exports
               (GA4, LINE / Meta webhooks, Shlink visits: the `*_<YYYYMMDD>.json` files) is held
               back for the daily run
  land         every other file landed into a fresh DuckDB warehouse (GE gates included)
  staging      dbt: seeds and models/staging (event feeds incremental, first build)
  identity     dbt: models/intermediate/identity
  touchpoints  dbt: models/intermediate/touchpoints (incremental, first build)
  marts        dbt: everything else (journeys, attribution, customers, marts)
  daily_land   the held-back day landed
  daily_dbt    `dbt run` of the whole project, incremental (the daily run)
  full_refresh `dbt build --full-refresh` of the seeds and models, on the same data: the full
               refresh a user runs (one invocation, 2 threads, so independent models overlap; the
               staged stages above run one layer at a time); `--no-full-refresh` skips it

`--first-build one` builds the history in that one invocation instead of the four staged
stages (stage `full_refresh`, on the history without the held-back day; no second full refresh
after the daily run): half the dbt time of a size, without the per-layer wall times.

`full_dbt` in the summary is staging + identity + touchpoints + marts (models only, no dbt
tests: those are gates, not transforms); `daily / full` compares the daily dbt run with it, and
`daily / full_refresh` with the one-invocation full refresh of the same data.
Each stage is one child process measured by `/usr/bin/time -v` (maximum resident set size; wall
time by this script), or by os.wait4's rusage where that tool is missing. A `dbt parse` before
the dbt stages is not timed (every stage would otherwise pay the project parse). The load
average is recorded around every stage: the machine may be shared.

`--landed-cache DIR` keeps the state after `land` (landing, held-back day, truth, warehouse) in
`DIR/<customers>-<days>-<seed>/` with the generate and land measurements; a later run with the
same cache starts from a copy of it (files hard-linked, the warehouse copied) and reports those
two stages as measured then (flagged `reused` in the JSON and Markdown). `--land-only` fills the
cache and stops. The dbt stages always run afresh. Each dbt stage also records its models'
execution times (run_results), and the Markdown lists the slowest of the full build and the
daily run.

Medians per stage over the runs of a size; the slope of a stage is d log(time) / d log(customers)
between consecutive sizes (1 = linear, 2 = quadratic). Results: bench/results/scale-<sizes>.json
and .md (and a -<tag> suffix with --tag), so runs can be compared.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from orchestration.lib.sample import hold_back_day, last_day, move_files

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
DBT = str(Path(sys.executable).parent / "dbt")
TIME = Path("/usr/bin/time")
DBT_STAGES = ("staging", "identity", "touchpoints", "marts")
STAGES = ("generate", "land", *DBT_STAGES, "daily_land", "daily_dbt", "full_refresh")
INCREMENTAL_TOUCHPOINT_MODELS = {
    "int_web_sessions_sessionized",
    "int_service_chats_sessionized",
    "int_short_link_visits_resolved",
    "int_touchpoints_keyed",
}
IDENTITY_MODELS = {p.stem for p in (ROOT / "models/intermediate/identity").glob("*.sql")}

GENERATE = """
import sys
from pathlib import Path
from orchestration.lib.sample import generate_sample
generate_sample(Path(sys.argv[1]), Path(sys.argv[2]), customers=int(sys.argv[3]),
                days=int(sys.argv[4]), seed=int(sys.argv[5]), progress=False)
"""

LAND = """
from orchestration.landing import land_all
results = land_all(progress=False)
print(sum(r.rows_loaded for r in results.values()), "rows")
"""


def measure(cmd: list[str], env: dict[str, str], log: Path) -> dict:
    """Run one stage as a child process: wall seconds, peak RSS (MiB), load average around it."""
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with log.open("w") as out:
        if TIME.exists():
            report = log.with_suffix(".time")
            proc = subprocess.run(
                [str(TIME), "-v", "-o", str(report), *cmd],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            seconds = time.perf_counter() - started
            text = report.read_text()

            def field(label: str) -> float:
                match = re.search(rf"{re.escape(label)}: ([\d.]+)", text)
                return float(match.group(1)) if match else 0.0

            peak_kib = field("Maximum resident set size (kbytes)")
            cpu = field("User time (seconds)") + field("System time (seconds)")
            blocks_in = field("File system inputs")
            blocks_out = field("File system outputs")
            returncode = proc.returncode
        else:
            proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - started
            peak_kib = usage.ru_maxrss
            cpu = usage.ru_utime + usage.ru_stime
            blocks_in, blocks_out = usage.ru_inblock, usage.ru_oublock
            returncode = os.waitstatus_to_exitcode(status)
    if returncode != 0:
        raise SystemExit(f"stage failed ({returncode}): {' '.join(cmd)}\nsee {log}")
    return {
        "seconds": round(seconds, 2),
        "peak_mib": round(peak_kib / 1024),
        # CPU (user + system) and disk traffic (512-byte blocks the kernel read from and wrote
        # to the device; page-cache hits do not count): a stage whose CPU is well under twice
        # its wall time on two cores is waiting, often on cold reads
        "cpu_seconds": round(cpu, 1),
        "read_gb": round(blocks_in * 512 / 1e9, 2),
        "written_gb": round(blocks_out * 512 / 1e9, 2),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }


def raw_rows(warehouse: Path) -> int:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        names = con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'raw' and table_name not like '\\_%' escape '\\'"
        ).fetchall()
        return sum(con.execute(f'select count(*) from raw."{n}"').fetchone()[0] for (n,) in names)
    finally:
        con.close()


def _restore_landed(cache: Path, work: Path) -> dict:
    """Start `work` from a landed-cache entry: files hard-linked (landing never rewrites a file,
    it moves them), the warehouse copied. Returns the entry's meta (stage figures, provenance)."""
    for name in ("landing", "truth", "held_back", "quarantine"):
        if (cache / name).exists():
            shutil.copytree(cache / name, work / name, copy_function=os.link)
    (work / "warehouse").mkdir(parents=True)
    shutil.copy2(cache / "warehouse" / "warehouse.duckdb", work / "warehouse" / "warehouse.duckdb")
    return json.loads((cache / "meta.json").read_text())


def _save_landed(work: Path, cache: Path, meta: dict) -> None:
    tmp = cache.with_name(cache.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    for name in ("landing", "truth", "held_back", "quarantine"):
        if (work / name).exists():
            shutil.copytree(work / name, tmp / name, copy_function=os.link)
    (tmp / "warehouse").mkdir(parents=True)
    shutil.copy2(work / "warehouse" / "warehouse.duckdb", tmp / "warehouse" / "warehouse.duckdb")
    (tmp / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    tmp.rename(cache)


def model_seconds(run_results: Path) -> dict[str, float]:
    """execution_time per model (and seed) of one dbt invocation, from its run_results.json."""
    return {
        node["unique_id"].split(".")[-1]: round(node["execution_time"], 2)
        for node in json.loads(run_results.read_text())["results"]
    }


def one_run(
    customers: int,
    days: int,
    seed: int,
    work: Path,
    landed_cache: Path | None = None,
    land_only: bool = False,
    full_refresh: bool = True,
    staged: bool = True,
    keep_before_daily: bool = False,
) -> dict:
    shutil.rmtree(work, ignore_errors=True)
    landing, truth, held = work / "landing", work / "truth", work / "held_back"
    warehouse = work / "warehouse" / "warehouse.duckdb"
    work.mkdir(parents=True)
    logs = work / "logs"
    logs.mkdir()
    cache = landed_cache / f"{customers}-{days}-{seed}" if landed_cache else None
    env = dict(os.environ)
    env.update(
        OMNI_PII_SALT=env.get("OMNI_PII_SALT") or "bench-salt",
        OMNI_LANDING_DIR=str(landing),
        OMNI_QUARANTINE_DIR=str(work / "quarantine"),
        OMNI_WAREHOUSE=str(warehouse),
        OMNI_TRUTH_DIR=str(truth),
    )
    env.pop("OMNI_DEMO", None)
    refresh_cmd = [DBT, "build", "--resource-type", "seed", "--resource-type", "model",
                   "--full-refresh"]  # fmt: skip
    dbt_paths = [
        "--profiles-dir", str(ROOT), "--project-dir", str(ROOT),
        "--target-path", str(work / "target"), "--log-path", str(work / "dbt-logs"),
    ]  # fmt: skip
    stages: dict[str, dict] = {}

    def stage(name: str, cmd: list[str]) -> None:
        stages[name] = measure(cmd, env, logs / f"{name}.log")
        print(f"    {name:<12} {stages[name]['seconds']:>8.1f} s {stages[name]['peak_mib']:>6} MiB",
              flush=True)  # fmt: skip

    if cache is not None and (cache / "meta.json").exists():
        meta = _restore_landed(cache, work)
        for name in ("generate", "land"):
            stages[name] = {**meta["stages"][name], "reused": str(cache)}
            print(f"    {name:<12} reused from {cache} (measured {meta['measured_at']}, "
                  f"commit {meta['commit']})", flush=True)  # fmt: skip
        day = meta["held_back_day"]
    else:
        warehouse.parent.mkdir(parents=True)
        stage("generate", [PYTHON, "-c", GENERATE, str(landing), str(truth), str(customers),
                           str(days), str(seed)])  # fmt: skip
        day = last_day(landing)
        hold_back_day(landing, held, day)
        stage("land", [PYTHON, "-c", LAND])
        if cache is not None:
            _save_landed(work, cache, {
                "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "commit": _commit(), "held_back_day": day,
                "stages": {name: stages[name] for name in ("generate", "land")},
            })  # fmt: skip
            print(f"    landed state saved in {cache}", flush=True)
    if land_only:
        return {"stages": stages, "held_back_day": day}
    history_rows = raw_rows(warehouse)
    subprocess.run([DBT, "parse", *dbt_paths], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    selections = {
        "staging": ["build", "--resource-type", "seed", "--resource-type", "model",
                    "--select", "path:seeds", "path:models/staging"],
        "identity": ["run", "--select", "path:models/intermediate/identity"],
        "touchpoints": ["run", "--select", "path:models/intermediate/touchpoints"],
        "marts": ["run", "--exclude", "path:models/staging", "path:models/intermediate/identity",
                  "path:models/intermediate/touchpoints"],
    }  # fmt: skip
    first_build: dict[str, float] = {}
    first_models: dict[str, float] = {}
    for name in DBT_STAGES if staged else ("full_refresh",):
        stage(name, [*refresh_cmd, *dbt_paths] if name == "full_refresh" else
              [DBT, *selections[name], *dbt_paths])  # fmt: skip
        for layer, seconds in layer_seconds(work / "target" / "run_results.json").items():
            first_build[layer] = round(first_build.get(layer, 0.0) + seconds, 2)
        first_models.update(model_seconds(work / "target" / "run_results.json"))
    move_files(held, landing)
    stage("daily_land", [PYTHON, "-c", LAND])
    total_rows = raw_rows(warehouse)
    if keep_before_daily:
        # the state a daily run starts from, to time variants of the daily run on it again
        (work / "before_daily").mkdir()
        shutil.copy2(warehouse, work / "before_daily" / "warehouse.duckdb")
    stage("daily_dbt", [DBT, "run", *dbt_paths])
    touchpoints = _count(warehouse, "marts.touchpoints")
    daily_models = model_seconds(work / "target" / "run_results.json")
    daily_layers = layer_seconds(work / "target" / "run_results.json")
    refresh_models = {} if staged else dict(first_models)
    if full_refresh and staged:
        stage("full_refresh", [*refresh_cmd, *dbt_paths])
        refresh_models = model_seconds(work / "target" / "run_results.json")
    return {
        "stages": stages,
        "first_build_by_layer": first_build,
        "daily_dbt_by_layer": daily_layers,
        "first_build_models": first_models,
        "daily_dbt_models": daily_models,
        "full_refresh_models": refresh_models,
        "held_back_day": day,
        "raw_rows": total_rows,
        "daily_raw_rows": total_rows - history_rows,
        "touchpoints": touchpoints,
    }


def layer_seconds(run_results: Path) -> dict[str, float]:
    """Seconds per layer of one dbt invocation (its run_results.json), incremental models apart."""
    layers: dict[str, float] = {}
    for node in json.loads(run_results.read_text())["results"]:
        uid = node["unique_id"]  # model.omnichannel.<name>
        name = uid.split(".")[-1]
        if uid.startswith("seed."):
            layer = "seeds"
        elif name.startswith("stg_"):
            layer = "staging"
        elif name in INCREMENTAL_TOUCHPOINT_MODELS:
            layer = "touchpoints (incremental)"
        elif name.startswith("int_") and name in IDENTITY_MODELS:
            layer = "identity"
        else:
            layer = "other intermediate and marts"
        layers[layer] = round(layers.get(layer, 0.0) + node["execution_time"], 2)
    return layers


def _commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()


def _count(warehouse: Path, table: str) -> int:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(f"select count(*) from {table}").fetchone()[0]
    finally:
        con.close()


def summarise(size_runs: list[dict]) -> dict:
    def med(values: list[float]) -> float:
        return round(statistics.median(values), 2)

    summary = {
        name: {
            "seconds": med([r["stages"][name]["seconds"] for r in size_runs]),
            "seconds_runs": [r["stages"][name]["seconds"] for r in size_runs],
            "peak_mib": round(med([r["stages"][name]["peak_mib"] for r in size_runs])),
        }
        for name in STAGES
        if all(name in r["stages"] for r in size_runs)
    }
    if all(s in summary for s in DBT_STAGES):
        full = [sum(r["stages"][s]["seconds"] for s in DBT_STAGES) for r in size_runs]
        summary["full_dbt"] = {
            "seconds": med(full),
            "seconds_runs": [round(v, 2) for v in full],
            "peak_mib": max(summary[s]["peak_mib"] for s in DBT_STAGES),
        }
    return summary


def slopes(sizes: list[int], summaries: dict[int, dict]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for name in (*STAGES, "full_dbt"):
        if not all(name in summaries[s] for s in sizes):
            continue
        per: dict[str, float] = {}
        for small, large in zip(sizes, sizes[1:], strict=False):
            a, b = summaries[small][name]["seconds"], summaries[large][name]["seconds"]
            if a > 0 and b > 0:
                per[f"{small}->{large}"] = round(math.log(b / a) / math.log(large / small), 2)
        out[name] = per
    return out


def _load(paths: list[Path]) -> list[tuple[Path, dict]]:
    return [(path, json.loads(path.read_text())) for path in paths]


def _derived(label: str, option: str, paths: list[Path], parts: list[tuple[Path, dict]]) -> dict:
    """The header of a report made of results files (--merge, --history): when, how, where."""
    return {
        "started_at": f"{label} " + datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(["python", "bench/scale_bench.py", option, *map(str, paths)]),
        "machine": "; ".join(sorted({part["machine"] for _, part in parts})),
    }


def merge(paths: list[Path]) -> dict:
    """One result of several results files (the same --days and seed, no size twice): the 1M
    run is opt-in and long, so it is usually run apart from the small sizes. Each size keeps
    its runs, commit and load averages (`sources`); the slopes are computed across all sizes."""
    parts = _load(paths)
    settings = {(part["days"], part["seed"]) for _, part in parts}
    if len(settings) > 1:
        raise SystemExit(
            "--merge: the results are of other data (days, seed): "
            + "; ".join(f"{path}: {part['days']} days, seed {part['seed']}" for path, part in parts)
        )
    sizes = sorted(size for _, part in parts for size in part["sizes"])
    if len(set(sizes)) != len(sizes):
        twice = sorted({size for size in sizes if sizes.count(size) > 1})
        raise SystemExit(f"--merge: size(s) {twice} in more than one of {[str(p) for p in paths]}")
    days, seed = settings.pop()
    sources: list[dict] = []
    for path, part in parts:
        if "sources" in part:  # a merged report: its own sources
            sources += part["sources"]
            continue
        sources.append({
            "file": path.name,
            "sizes": part["sizes"],
            "commit": part["commit"],
            "started_at": part["started_at"],
            "command": part["command"],
            "load_average_before": part["load_average_before"],
            "load_average_after": part["load_average_after"],
        })  # fmt: skip
    result: dict = {
        **_derived("merged", "--merge", paths, parts),
        "sources": sources,
        "commit": ", ".join(sorted({src["commit"] for src in sources})),
        "sizes": sizes,
        "days": days,
        "seed": seed,
    }
    for key in ("repeats", "runs", "summary", "data"):
        result[key] = {str(s): part[key][str(s)] for _, part in parts for s in part["sizes"]}
    result["slopes"] = slopes(sizes, {s: result["summary"][str(s)] for s in sizes})
    return result


def history(paths: list[Path]) -> dict:
    """The daily run against the length of the history: results files of the same size(s) and
    seed but other --days. A day of data is about the same size whatever the number of days
    (the generator's customers are as active each day), so the daily run brings the same new
    data on a longer history: a daily cost that grows with --days grows with the history, one
    that stays flat is in proportion to the new data. Per model, the growth of its median
    daily seconds from the shortest to the longest history names the models that read it."""
    parts = sorted(_load(paths), key=lambda part: part[1]["days"])
    if len({part["seed"] for _, part in parts}) > 1:
        seeds = "; ".join(f"{path}: seed {part['seed']}" for path, part in parts)
        raise SystemExit(f"--history: the results are of other seeds: {seeds}")
    days = [part["days"] for _, part in parts]
    if len(parts) < 2 or len(set(days)) != len(days):
        raise SystemExit(f"--history: needs results of two or more different --days, got {days}")
    sizes = sorted(set.intersection(*(set(part["sizes"]) for _, part in parts)))
    if not sizes:
        raise SystemExit("--history: no size is in every one of " + ", ".join(map(str, paths)))

    def median_models(runs: list[dict]) -> dict[str, float]:
        names = set.intersection(*(set(run.get("daily_dbt_models", {})) for run in runs))
        return {
            name: round(statistics.median(run["daily_dbt_models"][name] for run in runs), 2)
            for name in sorted(names)
        }

    by_size: dict[str, dict] = {}
    for size in sizes:
        points = []
        for path, part in parts:
            summary, data = part["summary"][str(size)], part["data"][str(size)]
            if "daily_dbt" not in summary:
                raise SystemExit(f"--history: {path} has no daily run of {size:,} customers")
            points.append({
                "days": part["days"],
                "file": path.name,
                "commit": part.get("commit", ""),
                "runs": part["repeats"][str(size)],
                "raw_rows": data["raw_rows"],
                "daily_raw_rows": data["daily_raw_rows"],
                "daily_dbt": summary["daily_dbt"]["seconds"],
                "daily_dbt_runs": summary["daily_dbt"]["seconds_runs"],
                "full_refresh": summary.get("full_refresh", {}).get("seconds"),
                "models": median_models(part["runs"][str(size)]),
            })  # fmt: skip
        first, last = points[0], points[-1]
        common = set(first["models"]) & set(last["models"])
        growth = sorted(
            ((name, round(last["models"][name] - first["models"][name], 2)) for name in common),
            key=lambda item: (-item[1], item[0]),  # ties by name: the same report every time
        )
        by_size[str(size)] = {
            "points": points,
            # d log(seconds) / d log(raw rows of history), between consecutive --days
            "slopes": {
                key: {
                    f"{a['days']}->{b['days']} days": round(
                        math.log(b[key] / a[key]) / math.log(b["raw_rows"] / a["raw_rows"]), 2
                    )
                    for a, b in zip(points, points[1:], strict=False)
                    if a[key] and b[key] and b["raw_rows"] != a["raw_rows"]
                }
                for key in ("daily_dbt", "full_refresh")
            },
            "model_growth": dict(growth),
        }
    return {
        **_derived("history", "--history", paths, parts),
        "seed": parts[0][1]["seed"],
        "days": days,
        "sizes": sizes,
        "by_size": by_size,
    }


def history_markdown(result: dict, top: int = 12) -> str:
    lines = [
        f"# Daily run against the history ({result['started_at']})",
        "",
        f"Command: `{result['command']}`  ",
        f"{result['machine']}; seed {result['seed']}; --days "
        f"{', '.join(map(str, result['days']))}.",
        "",
        "Each --days is a longer history of the same customers; the daily run lands one more day "
        "of about the same size. Median wall seconds; slope = d log(seconds) / d log(raw rows of "
        "history) (0 = flat: the cost follows the new data; 1 = in proportion to the history).",
    ]
    for size, info in result["by_size"].items():
        points = info["points"]
        lines += [
            "",
            f"## {int(size):,} customers",
            "",
            "| days | raw rows | daily raw rows (share) | daily_dbt (runs) | full_refresh "
            "| daily / full_refresh | results file (commit) |",
            "|---|---|---|---|---|---|---|",
        ]
        for p in points:
            runs = ", ".join(f"{v:.1f}" for v in p["daily_dbt_runs"])
            refresh = f"{p['full_refresh']:.1f} s" if p["full_refresh"] else "-"
            ratio = f"{p['daily_dbt'] / p['full_refresh']:.0%}" if p["full_refresh"] else "-"
            lines.append(
                f"| {p['days']} | {p['raw_rows']:,} | {p['daily_raw_rows']:,} "
                f"({p['daily_raw_rows'] / p['raw_rows']:.1%}) | {p['daily_dbt']:.1f} s ({runs}) "
                f"| {refresh} | {ratio} | {p['file']} ({p['commit']}) |"
            )
        lines.append("")
        for key, per in info["slopes"].items():
            if per:
                lines.append(f"- slope of {key}: " + ", ".join(f"{k} {v}" for k, v in per.items()))
        growth = list(info["model_growth"].items())
        if growth:
            first, last = points[0], points[-1]
            grown = [(name, delta) for name, delta in growth if delta > 0]
            lines += [
                f"- daily model seconds summed: {sum(first['models'].values()):.1f} s at "
                f"{first['days']} days, {sum(last['models'].values()):.1f} s at {last['days']} "
                f"days ({len(grown)} models grew, by {sum(d for _, d in grown):.1f} s)",
                f"- the models whose daily seconds grew most from {first['days']} to "
                f"{last['days']} days (median of runs; "
                + " -> ".join(f"{p['days']}" for p in points)
                + " days): "
                + ", ".join(
                    f"{name} " + " -> ".join(f"{p['models'].get(name, 0):.1f}" for p in points)
                    for name, _ in growth[:top]
                ),
            ]
    lines.append("")
    return "\n".join(lines)


def markdown(result: dict) -> str:
    sizes = result["sizes"]
    if "sources" in result:
        provenance = [
            f"{result['machine']}; {result['days']} days of data, seed {result['seed']}; "
            "merged from:",
            "",
            *(
                f"- {src['file']}: sizes {', '.join(f'{s:,}' for s in src['sizes'])}, commit "
                f"{src['commit']}, {src['started_at']}, load average (1 min) before / after "
                f"{src['load_average_before']} / {src['load_average_after']}; `{src['command']}`"
                for src in result["sources"]
            ),
        ]
    else:
        provenance = [
            f"Commit {result['commit']}; {result['machine']}; {result['days']} days of data, seed "
            f"{result['seed']}; load average (1 min) before / after: "
            f"{result['load_average_before']} / {result['load_average_after']}."
        ]
    lines = [
        f"# Stage benchmark ({result['started_at']})",
        "",
        f"Command: `{result['command']}`  ",
        *provenance,
        "",
        "Median wall seconds (peak RSS MiB) per stage; runs per size: "
        + ", ".join(f"{s}: {result['repeats'][str(s)]}" for s in sizes)
        + ".",
        "",
        "| stage | " + " | ".join(f"{s:,} customers" for s in sizes) + " | slope (log-log) |",
        "|---|" + "---|" * len(sizes) + "---|",
    ]
    for name in (*STAGES, "full_dbt"):
        if name not in result["slopes"]:
            continue
        cells = [
            f"{result['summary'][str(s)][name]['seconds']:.1f} s "
            f"({result['summary'][str(s)][name]['peak_mib']} MiB)"
            for s in sizes
        ]
        slope = ", ".join(f"{k}: {v}" for k, v in result["slopes"][name].items()) or "-"
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {slope} |")
    lines += [
        "",
        "| size | raw rows | daily raw rows (share) | touchpoints | daily_dbt / full_dbt "
        "| daily_dbt / full_refresh |",
        "|---|---|---|---|---|---|",
    ]
    for s in sizes:
        info = result["data"][str(s)]
        summ = result["summary"][str(s)]
        staged_full = summ.get("full_dbt")
        ratio = (
            f"{summ['daily_dbt']['seconds'] / staged_full['seconds']:.0%}" if staged_full else "-"
        )
        share = info["daily_raw_rows"] / info["raw_rows"]
        refresh = summ.get("full_refresh")
        refresh_ratio = (
            f"{summ['daily_dbt']['seconds'] / refresh['seconds']:.0%}" if refresh else "-"
        )
        lines.append(
            f"| {s:,} | {info['raw_rows']:,} | {info['daily_raw_rows']:,} ({share:.1%}) | "
            f"{info['touchpoints']:,} | {ratio} | {refresh_ratio} |"
        )
    lines += ["", "CPU seconds and disk GB read / written (last run of a size):", ""]
    for s in sizes:
        stages = result["runs"][str(s)][-1]["stages"]
        cells = [
            f"{name} CPU {st['cpu_seconds']:.0f} s, read {st['read_gb']} GB, "
            f"written {st['written_gb']} GB"
            for name, st in stages.items()
            if "cpu_seconds" in st and name not in ("generate", "land")
        ]
        if cells:  # results before 4ab1eb0 have no CPU and disk figures
            lines.append(f"- {s:,}: " + "; ".join(cells))
    lines += [
        "",
        "Model seconds by layer (dbt's run_results, last run of a size): first build -> daily run",
        "",
    ]
    for s in sizes:
        run = result["runs"][str(s)][-1]
        first, daily = run["first_build_by_layer"], run["daily_dbt_by_layer"]
        cells = [f"{k} {first.get(k, 0):.1f} -> {daily.get(k, 0):.1f} s" for k in sorted(daily)]
        lines.append(f"- {s:,}: " + "; ".join(cells))
    for s in sizes:
        run = result["runs"][str(s)][-1]
        for label, key in (
            ("staged full build", "first_build_models"),
            ("daily run", "daily_dbt_models"),
            ("full refresh", "full_refresh_models"),
        ):
            top = sorted(run.get(key, {}).items(), key=lambda kv: -kv[1])[:12]
            if key == "first_build_models" and "staging" not in run["stages"]:
                continue  # --first-build one: the full refresh line below lists them
            if top:
                lines.append(f"- {s:,}, slowest models of the {label}: "
                             + ", ".join(f"{m} {v:.1f} s" for m, v in top))  # fmt: skip
    reused = sorted({
        stage["reused"] for runs in result["runs"].values() for run in runs
        for stage in run["stages"].values() if "reused" in stage
    })  # fmt: skip
    if reused:
        lines += ["", "generate and land were not run again: their figures are those measured "
                  "when the landed state was cached (" + ", ".join(reused) + ")."]  # fmt: skip
    lines += [
        "",
        "Stages: see bench/scale_bench.py. full_dbt = staging + identity + touchpoints + marts "
        "(first build, models only); daily_dbt = `dbt run` after landing the held-back last day; "
        "full_refresh = `dbt build --resource-type seed --resource-type model --full-refresh`, "
        "one invocation (after the daily run; with --first-build one, the first build itself).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_sizes = "10000,100000,1000000" if os.environ.get("BENCH_1M") == "1" else "10000,100000"
    default_repeats = "3,1,1" if os.environ.get("BENCH_1M") == "1" else "3,1"
    parser.add_argument("--sizes", default=default_sizes, help="customers, comma-separated")
    parser.add_argument("--repeats", default=default_repeats, help="runs per size (or one for all)")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=Path("/tmp/omni-bench-scale"))
    parser.add_argument("--tag", default="", help="suffix of the results file names")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/results")
    parser.add_argument("--keep", action="store_true", help="keep the last run's folders")
    parser.add_argument(
        "--keep-before-daily",
        action="store_true",
        help="with --keep: also keep a copy of the warehouse the daily run started from "
        "(before_daily/warehouse.duckdb; as large as the warehouse)",
    )
    parser.add_argument(
        "--landed-cache",
        type=Path,
        default=None,
        help="reuse (or fill) the state after `land` kept in this folder",
    )
    parser.add_argument(
        "--first-build",
        choices=("staged", "one"),
        default="staged",
        help="first build in four timed stages (default) or one invocation",
    )
    parser.add_argument(
        "--no-full-refresh", action="store_true", help="skip the one-invocation full refresh"
    )
    parser.add_argument(
        "--land-only", action="store_true", help="generate and land into --landed-cache, then stop"
    )
    parser.add_argument(
        "--merge",
        nargs="+",
        type=Path,
        metavar="RESULT_JSON",
        help="run nothing: merge these results files (e.g. 10k-100k and a separate 1M run) into "
        "one report with slopes across all their sizes (written as scale-<sizes>-merged)",
    )
    parser.add_argument(
        "--history",
        nargs="+",
        type=Path,
        metavar="RESULT_JSON",
        help="run nothing: the daily run against the length of the history, from results of the "
        "same size and seed but other --days (written as history-<size>-d<days>...)",
    )
    args = parser.parse_args(argv)
    if args.history or args.merge:
        if args.history:
            result = history(args.history)
            text = history_markdown(result)
            days = "-".join(f"d{d}" for d in result["days"])
            name = f"history-{'-'.join(map(str, result['sizes']))}-{days}"
            name += f"-{args.tag}" if args.tag else ""
        else:
            result = merge(args.merge)
            text = markdown(result)
            name = "scale-" + "-".join(map(str, result["sizes"])) + f"-{args.tag or 'merged'}"
        print(text)
        if not args.no_write:
            _write(result, text, name)
        return 0
    if args.land_only and args.landed_cache is None:
        parser.error("--land-only needs --landed-cache")

    sizes = [int(s) for s in args.sizes.split(",")]
    repeats = [int(r) for r in args.repeats.split(",")]
    if len(repeats) == 1:
        repeats *= len(sizes)
    if len(repeats) != len(sizes):
        parser.error("--repeats needs one value, or one per size")
    commit = _commit()
    result: dict = {
        "started_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(["python", "bench/scale_bench.py", *(argv or sys.argv[1:])]),
        "commit": commit,
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python "
        f"{platform.python_version()}, peak by {'/usr/bin/time -v' if TIME.exists() else 'wait4'}",
        "load_average_before": [round(v, 2) for v in os.getloadavg()],
        "sizes": sizes,
        "repeats": {str(s): r for s, r in zip(sizes, repeats, strict=True)},
        "days": args.days,
        "seed": args.seed,
        "runs": {},
        "summary": {},
        "data": {},
    }
    for size, repeat in zip(sizes, repeats, strict=True):
        runs = []
        for i in range(repeat):
            print(f"== {size:,} customers, run {i + 1}/{repeat}", flush=True)
            work = args.out / str(size) / f"run{i}"
            runs.append(
                one_run(
                    size,
                    args.days,
                    args.seed,
                    work,
                    args.landed_cache,
                    args.land_only,
                    not args.no_full_refresh,
                    args.first_build == "staged",
                    args.keep and args.keep_before_daily,
                )
            )
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
        if args.land_only:
            continue
        result["runs"][str(size)] = runs
        result["summary"][str(size)] = summarise(runs)
        result["data"][str(size)] = {
            k: runs[-1][k] for k in ("raw_rows", "daily_raw_rows", "touchpoints", "held_back_day")
        }
    if args.land_only:
        return 0
    result["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
    result["slopes"] = slopes(sizes, {s: result["summary"][str(s)] for s in sizes})
    text = markdown(result)
    print(text)
    if not args.no_write:
        name = "scale-" + "-".join(str(s) for s in sizes) + (f"-{args.tag}" if args.tag else "")
        _write(result, text, name)
    return 0


def _write(result: dict, text: str, name: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / f"{name}.md").write_text(text)
    print(f"written: {RESULTS / name}.json and .md")


if __name__ == "__main__":
    sys.exit(main())
