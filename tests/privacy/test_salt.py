"""The salt: every run but the demo without OMNI_PII_SALT fails at once, saying so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.lib.config import DEMO_SALT, ConfigError, settings

PROJECT = Path(__file__).resolve().parents[2]
MESSAGE = "OMNI_PII_SALT is not set"


def _env_without_salt(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OMNI_PII_SALT", "OMNI_DEMO")}
    env.update(
        OMNI_LANDING_DIR=str(tmp_path / "landing"),
        OMNI_QUARANTINE_DIR=str(tmp_path / "quarantine"),
        OMNI_WAREHOUSE=str(tmp_path / "warehouse" / "warehouse.duckdb"),
        OMNI_TRUTH_DIR=str(tmp_path / "truth"),
        **extra,
    )
    return env


def test_settings_without_salt_outside_the_demo_raise_a_config_error(monkeypatch):
    monkeypatch.delenv("OMNI_PII_SALT", raising=False)
    monkeypatch.delenv("OMNI_DEMO", raising=False)
    with pytest.raises(ConfigError, match=MESSAGE):
        settings()


def test_the_demo_alone_falls_back_to_the_dev_salt(monkeypatch):
    monkeypatch.delenv("OMNI_PII_SALT", raising=False)
    monkeypatch.setenv("OMNI_DEMO", "1")
    cfg = settings()
    assert (cfg.pii_salt, cfg.salt_is_demo) == (DEMO_SALT, True)
    monkeypatch.setenv("OMNI_PII_SALT", "real-salt")
    assert (settings().pii_salt, settings().salt_is_demo) == ("real-salt", False)


def test_cli_run_without_salt_stops_before_doing_anything(tmp_path):
    """`python -m orchestration.cli run` exits 2 with the message and generates nothing."""
    done = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run"],
        cwd=PROJECT,
        env=_env_without_salt(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done
    assert MESSAGE in " ".join((done.stdout + done.stderr).split())
    assert not (tmp_path / "landing").exists()
    assert not (tmp_path / "warehouse").exists()


def test_loading_the_dagster_definitions_without_salt_fails_with_the_message(tmp_path):
    """The Dagster entry point (dagster dev, schedules, sensors) refuses to load."""
    done = subprocess.run(
        [sys.executable, "-c", "import orchestration.definitions"],
        cwd=PROJECT,
        env=_env_without_salt(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "ConfigError" in done.stderr and MESSAGE in done.stderr
