"""Shared pytest fixtures.

Environment first: every test runs against throwaway folders and a test salt, set before any
project module is imported (the dbt project reads OMNI_PII_SALT at parse time).

`pipeline` is the expensive one: the generator's small sample, landed and built by a real Dagster
run of every asset (landing, GE checks, dbt build with its tests) into a real DuckDB file. It is
session-scoped and read-only for the tests that use it; tests that change data make their own.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="omni-tests-"))
# The session's folders (about 60 MB) go when pytest exits; OMNI_KEEP_TEST_DIR=1 keeps them.
if not os.environ.get("OMNI_KEEP_TEST_DIR"):
    atexit.register(shutil.rmtree, _SESSION_DIR, ignore_errors=True)
os.environ["OMNI_PII_SALT"] = os.environ.get("OMNI_PII_SALT") or "test-salt"
os.environ.pop("OMNI_DEMO", None)
for var, sub in {
    "OMNI_LANDING_DIR": "landing",
    "OMNI_QUARANTINE_DIR": "quarantine",
    "OMNI_WAREHOUSE": "warehouse/warehouse.duckdb",
    "OMNI_TRUTH_DIR": "truth",
}.items():
    os.environ[var] = str(_SESSION_DIR / "default" / sub)

#: The generator's small sample used by the end-to-end tests.
SAMPLE_CUSTOMERS = int(os.environ.get("OMNI_TEST_CUSTOMERS", "400"))
SAMPLE_DAYS = int(os.environ.get("OMNI_TEST_DAYS", "30"))
SAMPLE_SEED = 7


@dataclass(frozen=True)
class Workspace:
    root: Path
    landing: Path
    quarantine: Path
    warehouse: Path
    truth: Path

    def activate(self, monkeypatch: pytest.MonkeyPatch | None = None) -> None:
        """Point the project's settings at this workspace."""
        values = {
            "OMNI_LANDING_DIR": str(self.landing),
            "OMNI_QUARANTINE_DIR": str(self.quarantine),
            "OMNI_WAREHOUSE": str(self.warehouse),
            "OMNI_TRUTH_DIR": str(self.truth),
        }
        for key, value in values.items():
            if monkeypatch is not None:
                monkeypatch.setenv(key, value)
            else:
                os.environ[key] = value


def make_workspace(root: Path) -> Workspace:
    ws = Workspace(
        root=root,
        landing=root / "landing",
        quarantine=root / "quarantine",
        warehouse=root / "warehouse" / "warehouse.duckdb",
        truth=root / "truth",
    )
    ws.warehouse.parent.mkdir(parents=True, exist_ok=True)
    return ws


def pytest_configure(config: pytest.Config) -> None:
    """Parse the dbt project once, in the process that starts the session.

    `make test` runs the tests in several processes (pytest-xdist): each imports the Dagster
    definitions, which read target/manifest.json, and a process re-parsing the project while
    another reads it could hand that one a half-written file. So the manifest is made fresh here,
    before any worker starts, and no test process parses again unless a project file changed.
    """
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: the controller did it
        return
    from orchestration.lib.dbt import manifest_is_stale, prepare_manifest

    if manifest_is_stale():
        prepare_manifest()


@pytest.fixture(scope="session")
def sample_exports() -> Workspace:
    """The generator's small sample (landing + truth folders), generated once per session."""
    from orchestration.lib.sample import generate_sample

    ws = make_workspace(_SESSION_DIR / "sample")
    generate_sample(
        ws.landing,
        ws.truth,
        customers=SAMPLE_CUSTOMERS,
        days=SAMPLE_DAYS,
        seed=SAMPLE_SEED,
        progress=False,
    )
    return ws


def copy_sample(sample: Workspace, root: Path) -> Workspace:
    """A private, writable copy of the sample exports (for tests that change files)."""
    ws = make_workspace(root)
    shutil.copytree(sample.landing, ws.landing)
    shutil.copytree(sample.truth, ws.truth)
    return ws


@pytest.fixture(scope="session")
def pipeline(sample_exports: Workspace):
    """The whole asset graph materialised once on the sample; returns (workspace, result)."""
    import dagster as dg

    ws = copy_sample(sample_exports, _SESSION_DIR / "pipeline")
    ws.activate()
    from orchestration.definitions import defs

    job = defs.resolve_job_def("refresh_all")
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    return ws, result
