"""Run the real dbt project against a throwaway DuckDB warehouse (subprocess, one per call)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tests.identity.raw_tables import create_raw_tables

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"
SALT = "test-salt"


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
        if vars:
            command += ["--vars", json.dumps(vars)]
        result = subprocess.run(
            command, env=self.env(), capture_output=True, text=True, cwd=PROJECT_DIR
        )
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
