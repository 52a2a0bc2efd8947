"""bench/scale_bench.py --history: results of one size on histories of different lengths (--days)
make one report of the daily run against the history, and name the models that grow with it."""

from __future__ import annotations

import json

import pytest

from bench import scale_bench


@pytest.fixture
def histories(tmp_path, bench_run, write_result):
    """100k customers on 10, 30 and 90 days: the history's raw rows 1e6, 3e6, 9e6, a daily run
    of 1e4 raw rows each time. Model `flat` costs 2 s whatever the history; `grows` is in
    proportion to it (1, 3, 9 s). Three runs per length, the median the middle one."""

    def runs(days: int, grows: float) -> list[dict]:
        raw = days * 100_000
        return [
            bench_run(
                days * 10.0,
                daily_dbt=2.0 + grows + jitter,
                models={"flat": 2.0, "grows": grows + jitter},
                raw_rows=raw,
                daily_raw_rows=10_000,
            )
            for jitter in (0.5, 0.0, -0.25)
        ]

    return [
        write_result(tmp_path, f"d{days}", f"c{days}", {100_000: runs(days, grows)}, days=days)
        for days, grows in ((90, 9.0), (10, 1.0), (30, 3.0))
    ]


def test_history_orders_by_days_and_measures_the_daily_run_against_the_history(histories):
    result = scale_bench.history(histories)

    assert result["days"] == [10, 30, 90]
    info = result["by_size"]["100000"]
    assert [p["daily_dbt"] for p in info["points"]] == [3.0, 5.0, 11.0]
    assert info["points"][0]["daily_dbt_runs"] == [3.5, 3.0, 2.75]
    # full refresh in proportion to the history: slope 1; the daily run between flat and that
    assert info["slopes"]["full_refresh"] == {"10->30 days": 1.0, "30->90 days": 1.0}
    assert info["slopes"]["daily_dbt"] == {"10->30 days": 0.46, "30->90 days": 0.72}
    # the model that reads the history grew by 8 s (median 1 -> 9 s), the other not at all
    assert info["model_growth"] == {"grows": 8.0, "flat": 0.0}


def test_history_report_names_the_growing_models_and_is_written(histories, tmp_path, monkeypatch):
    monkeypatch.setattr(scale_bench, "RESULTS", tmp_path / "results")

    assert scale_bench.main(["--history", *map(str, histories), "--tag", "t"]) == 0

    written = tmp_path / "results" / "history-100000-d10-d30-d90-t"
    assert json.loads(written.with_suffix(".json").read_text())["days"] == [10, 30, 90]
    text = written.with_suffix(".md").read_text()
    assert "| 10 | 1,000,000 | 10,000 (1.0%) | 3.0 s (3.5, 3.0, 2.8) | 100.0 s | 3% |" in text
    assert "(1 models grew, by 8.0 s)" in text
    assert "grows 1.0 -> 3.0 -> 9.0, flat 2.0 -> 2.0 -> 2.0" in text


def test_history_refuses_one_length_other_seeds_no_common_size_and_no_daily_run(
    tmp_path, bench_run, write_result
):
    a = write_result(tmp_path, "a", "c1", {10_000: [bench_run(1.0)]}, days=10)
    same_days = write_result(tmp_path, "b", "c2", {10_000: [bench_run(1.0)]}, days=10)
    other_seed = write_result(tmp_path, "c", "c3", {10_000: [bench_run(1.0)]}, days=30, seed=7)
    other_size = write_result(tmp_path, "d", "c4", {100_000: [bench_run(1.0)]}, days=30)

    with pytest.raises(SystemExit, match="two or more different --days"):
        scale_bench.history([a, same_days])
    with pytest.raises(SystemExit, match="other seeds"):
        scale_bench.history([a, other_seed])
    with pytest.raises(SystemExit, match="no size is in every one"):
        scale_bench.history([a, other_size])
    no_daily_run = bench_run(1.0)
    del no_daily_run["stages"]["daily_dbt"]
    landed_only = write_result(tmp_path, "e", "c5", {10_000: [no_daily_run]}, days=30)
    with pytest.raises(SystemExit, match="e.json has no daily run of 10,000 customers"):
        scale_bench.history([a, landed_only])
