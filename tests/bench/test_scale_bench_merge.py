"""bench/scale_bench.py --merge: results of separate runs (the small sizes, the opt-in 1M run)
make one report whose slopes span all their sizes, each size keeping its own provenance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import scale_bench


@pytest.fixture
def result(tmp_path, bench_run, write_result):
    """A results file `name` of one run per size, every stage taking seconds[size]."""

    def make(name: str, commit: str, seconds: dict[int, float], seed: int = 42) -> Path:
        runs = {size: [bench_run(value)] for size, value in seconds.items()}
        return write_result(tmp_path, name, commit, runs, seed=seed)

    return make


def test_merge_computes_slopes_across_files_and_keeps_each_size_provenance(tmp_path, result):
    small = result("small", "aaaaaaa", {10_000: 2.0, 100_000: 20.0})
    large = result("large", "bbbbbbb", {1_000_000: 2000.0})

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


def test_merge_writes_one_report_from_the_command_line(tmp_path, result, monkeypatch):
    small = result("small", "aaaaaaa", {10_000: 2.0})
    large = result("large", "bbbbbbb", {1_000_000: 20.0})
    monkeypatch.setattr(scale_bench, "RESULTS", tmp_path / "results")

    assert scale_bench.main(["--merge", str(small), str(large)]) == 0

    written = json.loads((tmp_path / "results" / "scale-10000-1000000-merged.json").read_text())
    # 100x the customers, 10x the time: slope 0.5
    assert written["slopes"]["full_refresh"] == {"10000->1000000": 0.5}
    assert (tmp_path / "results" / "scale-10000-1000000-merged.md").exists()


def test_a_merged_report_merges_again_with_its_sources(tmp_path, result):
    small = result("small", "aaaaaaa", {10_000: 2.0})
    middle = result("middle", "bbbbbbb", {100_000: 20.0})
    large = result("large", "ccccccc", {1_000_000: 2000.0})
    first = tmp_path / "first.json"
    first.write_text(json.dumps(scale_bench.merge([small, middle])))

    merged = scale_bench.merge([first, large])

    assert [src["file"] for src in merged["sources"]] == ["small.json", "middle.json", "large.json"]
    assert merged["commit"] == "aaaaaaa, bbbbbbb, ccccccc"
    assert merged["slopes"]["daily_dbt"] == {"10000->100000": 1.0, "100000->1000000": 2.0}
    assert "middle.json: sizes 100,000, commit bbbbbbb" in scale_bench.markdown(merged)


def test_merge_refuses_a_size_twice_and_other_data(tmp_path, result):
    first = result("first", "aaaaaaa", {10_000: 2.0})
    again = result("again", "bbbbbbb", {10_000: 3.0})
    other_seed = result("other", "ccccccc", {100_000: 3.0}, seed=7)

    with pytest.raises(SystemExit, match=r"size\(s\) \[10000\] in more than one"):
        scale_bench.merge([first, again])
    with pytest.raises(SystemExit, match="other data"):
        scale_bench.merge([first, other_seed])
