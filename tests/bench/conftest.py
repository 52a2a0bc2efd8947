"""Results files as bench/scale_bench.py writes them, for the tests of --merge and --history."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bench import scale_bench


def _bench_run(
    seconds: float,
    *,
    daily_dbt: float | None = None,
    models: dict[str, float] | None = None,
    raw_rows: int = 1000,
    daily_raw_rows: int = 10,
) -> dict:
    """One run of a size as one_run returns it: every stage takes `seconds` (the daily run
    `daily_dbt` when given); `models` are the daily run's model seconds."""
    stage = {"seconds": seconds, "peak_mib": 100, "cpu_seconds": seconds, "read_gb": 0.1,
             "written_gb": 0.1}  # fmt: skip
    stages = {name: dict(stage) for name in ("daily_land", "daily_dbt", "full_refresh")}
    if daily_dbt is not None:
        stages["daily_dbt"]["seconds"] = daily_dbt
    return {
        "stages": stages,
        "first_build_by_layer": {"staging": seconds},
        "daily_dbt_by_layer": {"staging": seconds / 10},
        "first_build_models": {},
        "daily_dbt_models": models if models is not None else {"stg_a": seconds / 10},
        "full_refresh_models": {"stg_a": seconds},
        "held_back_day": "2026-05-30",
        "raw_rows": raw_rows,
        "daily_raw_rows": daily_raw_rows,
        "touchpoints": 500,
    }


def _write_result(
    tmp: Path,
    name: str,
    commit: str,
    runs: dict[int, list[dict]],
    seed: int = 42,
    days: int = 30,
) -> Path:
    """The results file of one invocation (tmp/<name>.json) with these runs per size."""
    sizes = sorted(runs)
    result = {
        "started_at": "2026-12-07 08:00 UTC",
        "command": f"python bench/scale_bench.py --tag {name}",
        "commit": commit,
        "machine": "2 cores",
        "load_average_before": [1.0, 1.0, 1.0],
        "load_average_after": [1.5, 1.0, 1.0],
        "sizes": sizes,
        "repeats": {str(s): len(runs[s]) for s in sizes},
        "days": days,
        "seed": seed,
        "runs": {str(s): runs[s] for s in sizes},
        "summary": {str(s): scale_bench.summarise(runs[s]) for s in sizes},
        "data": {
            str(s): {
                k: runs[s][-1][k]
                for k in ("raw_rows", "daily_raw_rows", "touchpoints", "held_back_day")
            }
            for s in sizes
        },
    }
    result["slopes"] = scale_bench.slopes(sizes, {s: result["summary"][str(s)] for s in sizes})
    path = tmp / f"{name}.json"
    path.write_text(json.dumps(result))
    return path


@pytest.fixture
def bench_run() -> Callable[..., dict]:
    return _bench_run


@pytest.fixture
def write_result() -> Callable[..., Path]:
    return _write_result
