"""Transient errors (another process holds the DuckDB write lock) are retried with backoff;
permanent ones fail the step at once."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import dagster as dg

from tests.conftest import make_workspace


def _landing_asset(source: str):
    from orchestration.defs.landing.assets import landing_assets
    from orchestration.lib.dbt import landing_key

    return next(a for a in landing_assets if landing_key(source) in a.keys)


def _attempts(result, step_key: str) -> int:
    return sum(
        1
        for e in result.all_events
        if e.step_key == step_key and e.event_type_value in ("STEP_START", "STEP_RESTARTED")
    )


def test_locked_warehouse_is_retried_until_the_lock_is_released(tmp_path, monkeypatch):
    ws = make_workspace(tmp_path)
    ws.activate(monkeypatch)
    (ws.landing / "consent").mkdir(parents=True)
    (ws.landing / "consent" / "consent_2026-05.csv").write_text(
        "event_id,occurred_at,subject_type,subject_value,channel,status,source\n"
        "c1,2026-05-01T00:00:00Z,email,a@example.com,email,granted,crm\n"
    )
    asset = _landing_asset("consent")  # import first: the lock must be held when it runs
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import duckdb, sys, time
                con = duckdb.connect({str(ws.warehouse)!r})
                print("locked", flush=True)
                time.sleep(12)
                con.close()
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    started = time.perf_counter()
    result = dg.materialize([asset], raise_on_error=False)
    holder.wait()

    assert result.success
    assert _attempts(result, "landing__consent") >= 2  # failed on the lock, then retried
    assert time.perf_counter() - started >= 1.5  # it waited (backoff) rather than spinning


def test_a_permanent_error_is_not_retried(tmp_path, monkeypatch):
    ws = make_workspace(tmp_path)
    ws.activate(monkeypatch)

    def broken(*args, **kwargs):
        raise ValueError("column 'Sid' renamed: contract broken")

    monkeypatch.setattr("orchestration.defs.landing.assets.land_source", broken)
    result = dg.materialize([_landing_asset("sms_messages")], raise_on_error=False)

    assert not result.success
    assert _attempts(result, "landing__sms_messages") == 1
