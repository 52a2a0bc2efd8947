"""bench/scale_bench.py --merge: results of separate runs (the small sizes, the opt-in 1M run)
make one report whose slopes span all their sizes, each size keeping its own provenance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import scale_bench


def _run(seconds: float) -> dict:
    """One run of a size as one_run returns it, every stage taking `seconds`."""
    stage = {"seconds": seconds, "peak_mib": 100, "cpu_seconds": seconds, "read_gb": 0.1,
             "written_gb": 0.1}  # fmt: skip
    return {
        "stages": {name: dict(stage) for name in ("daily_land", "daily_dbt", "full_refresh")},
        "first_build_by_layer": {"staging": seconds},
        "daily_dbt_by_layer": {"staging": seconds / 10},
        "first_build_models": {},
        "daily_dbt_models": {"stg_a": seconds / 10},
        "full_refresh_models": {"stg_a": seconds},
        "held_back_day": "2026-05-30",
        "raw_rows": 1000,
        "daily_raw_rows": 10,
        "touchpoints": 500,
    }


def _result(tmp: Path, name: str, commit: str, seconds: dict[int, float], seed: int = 42) -> Path:
    sizes = sorted(seconds)
    runs = {str(s): [_run(seconds[s])] for s in sizes}
    result = {
        "started_at": "2026-12-07 08:00 UTC",
        "command": f"python bench/scale_bench.py --tag {name}",
        "commit": commit,
        "machine": "2 cores",
        "load_average_before": [1.0, 1.0, 1.0],
        "load_average_after": [1.5, 1.0, 1.0],
        "sizes": sizes,
        "repeats": {str(s): 1 for s in sizes},
        "days": 30,
        "seed": seed,
        "runs": runs,
        "summary": {str(s): scale_bench.summarise(runs[str(s)]) for s in sizes},
        "data": {
            str(s): {
                k: runs[str(s)][-1][k]
                for k in ("raw_rows", "daily_raw_rows", "touchpoints", "held_back_day")
            }
            for s in sizes
        },
    }
    result["slopes"] = scale_bench.slopes(sizes, {s: result["summary"][str(s)] for s in sizes})
    path = tmp / f"{name}.json"
    path.write_text(json.dumps(result))
    return path


def test_merge_computes_slopes_across_files_and_keeps_each_size_provenance(tmp_path):
    small = _result(tmp_path, "small", "aaaaaaa", {10_000: 2.0, 100_000: 20.0})
    large = _result(tmp_path, "large", "bbbbbbb", {1_000_000: 2000.0})

    merged = scale_bench.merge([large, small])

    assert merged["sizes"] == [10_000, 100_000, 1_000_000]
    # 10x the customers: 10x the time (slope 1), then 100x the time (slope 2)
    assert merged["slopes"]["daily_dbt"] == {"10000->100000": 1.0, "100000->1000000": 2.0}
    assert merged["summary"]["1000000"]["full_refresh"]["seconds"] == 2000.0
    assert [src["commit"] for src in merged["sources"]] == ["bbbbbbb", "aaaaaaa"]
    text = scale_bench.markdown(merged)
    assert "small.json: sizes 10,000, 100,000, commit aaaaaaa" in text
    assert "large.json: sizes 1,000,000, commit bbbbbbb" in text
    assert "| daily_dbt | 2.0 s (100 MiB) | 20.0 s (100 MiB) | 2000.0 s (100 MiB) |" in text


def test_merge_writes_one_report_from_the_command_line(tmp_path, monkeypatch):
    small = _result(tmp_path, "small", "aaaaaaa", {10_000: 2.0})
    large = _result(tmp_path, "large", "bbbbbbb", {1_000_000: 20.0})
    monkeypatch.setattr(scale_bench, "RESULTS", tmp_path / "results")

    assert scale_bench.main(["--merge", str(small), str(large)]) == 0

    written = json.loads((tmp_path / "results" / "scale-10000-1000000-merged.json").read_text())
    # 100x the customers, 10x the time: slope 0.5
    assert written["slopes"]["full_refresh"] == {"10000->1000000": 0.5}
    assert (tmp_path / "results" / "scale-10000-1000000-merged.md").exists()


def test_a_merged_report_merges_again_with_its_sources(tmp_path):
    small = _result(tmp_path, "small", "aaaaaaa", {10_000: 2.0})
    middle = _result(tmp_path, "middle", "bbbbbbb", {100_000: 20.0})
    large = _result(tmp_path, "large", "ccccccc", {1_000_000: 2000.0})
    first = tmp_path / "first.json"
    first.write_text(json.dumps(scale_bench.merge([small, middle])))

    merged = scale_bench.merge([first, large])

    assert [src["file"] for src in merged["sources"]] == ["small.json", "middle.json", "large.json"]
    assert merged["commit"] == "aaaaaaa, bbbbbbb, ccccccc"
    assert merged["slopes"]["daily_dbt"] == {"10000->100000": 1.0, "100000->1000000": 2.0}
    assert "middle.json: sizes 100,000, commit bbbbbbb" in scale_bench.markdown(merged)


def test_merge_refuses_a_size_twice_and_other_data(tmp_path):
    first = _result(tmp_path, "first", "aaaaaaa", {10_000: 2.0})
    again = _result(tmp_path, "again", "bbbbbbb", {10_000: 3.0})
    other_seed = _result(tmp_path, "other", "ccccccc", {100_000: 3.0}, seed=7)

    with pytest.raises(SystemExit, match=r"size\(s\) \[10000\] in more than one"):
        scale_bench.merge([first, again])
    with pytest.raises(SystemExit, match="other data"):
        scale_bench.merge([first, other_seed])
