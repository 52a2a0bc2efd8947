"""Run the real dbt project against a throwaway DuckDB warehouse (subprocess, one per call)."""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tests.identity.raw_tables import create_raw_tables

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"
SALT = "test-salt"
PARTIAL_PARSE = "partial_parse.msgpack"
#: One parsed project per set of --vars, shared by every warehouse of the test session: a fresh
#: target folder would otherwise cost dbt a full parse (about 10 s against 4 s, measured on this
#: project). dbt reuses a saved parse only when the profile's connection values are the same, so
#: dbt runs in the warehouse's folder with a relative path (see Warehouse.dbt).
_PARSE_CACHE = Path(tempfile.mkdtemp(prefix="omni-dbt-parse-"))
atexit.register(shutil.rmtree, _PARSE_CACHE, ignore_errors=True)


@dataclass
class Warehouse:
    path: Path

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(OMNI_WAREHOUSE=str(self.path), OMNI_PII_SALT=SALT)
        return env

    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.path), read_only=read_only)

    def setup_raw(self) -> None:
        con = self.connect()
        try:
            create_raw_tables(con)
        finally:
            con.close()

    def dbt(
        self, *args: str, vars: dict | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        command = [
            str(DBT),
            *args,
            "--profiles-dir",
            str(PROJECT_DIR),
            "--project-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(self.path.parent / "target"),
            "--log-path",
            str(self.path.parent / "logs"),
        ]
        vars_json = json.dumps(vars or {}, sort_keys=True)
        if vars:
            command += ["--vars", vars_json]
        target = self.path.parent / "target"
        cached = _PARSE_CACHE / f"{hashlib.sha256(vars_json.encode()).hexdigest()}.msgpack"
        if cached.exists():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy(cached, target / PARTIAL_PARSE)
        # The path relative to dbt's working folder keeps the profile the same for every
        # warehouse of one file name, so the cached parse applies.
        env = self.env() | {"OMNI_WAREHOUSE": self.path.name}
        result = subprocess.run(
            command, env=env, capture_output=True, text=True, cwd=self.path.parent
        )
        if not cached.exists() and (target / PARTIAL_PARSE).exists():
            shutil.copy(target / PARTIAL_PARSE, cached)
        if check and result.returncode != 0:
            raise AssertionError(f"dbt {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def query(self, sql: str) -> list[tuple]:
        con = self.connect(read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def build_identity(self) -> subprocess.CompletedProcess[str]:
        """Seeds, staging and the identity layer up to customer_identifiers, with their tests."""
        return self.dbt(
            "build",
            "--select",
            "+customer_identifiers",
            "+int_customer_merges",
            "assert_no_edge_spans_two_customers",
            # Only tests whose every parent is selected: a relationships test from a later mart
            # (e.g. customer_360) must not run when that mart is not built.
            "--indirect-selection",
            "cautious",
        )
