"""A load killed inside its transaction leaves nothing behind; a rerun loads the file once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from orchestration.landing import land_source
from orchestration.landing.loader import SLEEP_IN_TXN_ENV
from tests.landing.conftest import query, write

PROJECT = Path(__file__).resolve().parents[2]


def test_killed_mid_load_leaves_no_partial_rows(cfg) -> None:
    header = "event_id,occurred_at,subject_type,subject_value,channel,status,source\n"
    rows = "".join(
        f"e{i},2026-05-01T10:00:00Z,email,p{i}@example.com,email,granted,crm\n" for i in range(5000)
    )
    write(cfg, "consent", "consent_big.csv", header + rows)
    env = {**os.environ, SLEEP_IN_TXN_ENV: "60"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from orchestration.landing import land_source; land_source('consent', progress=False)",
        ],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()  # printed after the INSERTs, before COMMIT
        assert line.startswith("SLEEPING_IN_TRANSACTION consent/consent_big.csv"), line
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()

    assert query(cfg, "SELECT count(*) FROM raw.consent") == [(0,)]
    assert query(cfg, "SELECT count(*) FROM raw._landing_ledger") == [(0,)]
    assert (cfg.landing_dir / "consent/consent_big.csv").exists()

    result = land_source("consent", cfg, progress=False)
    assert result.rows_loaded == 5000
    assert land_source("consent", cfg, progress=False).rows_loaded == 0
    assert query(cfg, "SELECT count(*), count(DISTINCT event_id) FROM raw.consent") == [
        (5000, 5000)
    ]
