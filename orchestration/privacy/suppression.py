"""The suppression list and the audit table (schema `privacy`), and the landing hook.

`privacy.suppressed_identifiers` holds the salted hash of every identifier an executed erasure
request removed (identifier_type, identifier_hash, erasure_request_id, suppressed_at): no plain
value. Landing filters rows matching `suppressed_rows_sql` out of each file's insert, so a
re-delivered export never brings an erased person back. `privacy.erasure_audit` keeps one row
per executed request: its id, when it was requested and executed, and how many rows left which
table; no PII.
"""

from __future__ import annotations

import duckdb

from orchestration.lib.config import pii_salt
from orchestration.privacy.columns import PII_COLUMNS
from orchestration.privacy.normalize import hash_pii, normalize

SCHEMA = "privacy"
SUPPRESSED = f"{SCHEMA}.suppressed_identifiers"
AUDIT = f"{SCHEMA}.erasure_audit"


def ensure_privacy_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {SUPPRESSED} (
            identifier_type VARCHAR NOT NULL,
            identifier_hash VARCHAR NOT NULL,
            erasure_request_id VARCHAR NOT NULL,
            suppressed_at TIMESTAMP NOT NULL,
            PRIMARY KEY (identifier_type, identifier_hash)
        )"""
    )
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {AUDIT} (
            erasure_request_id VARCHAR PRIMARY KEY,
            requested_at TIMESTAMP,
            executed_at TIMESTAMP NOT NULL,
            customers_erased INTEGER NOT NULL,
            identifiers_suppressed INTEGER NOT NULL,
            rows_removed_total BIGINT NOT NULL,
            rows_removed VARCHAR NOT NULL,
            quarantine_files VARCHAR NOT NULL
        )"""
    )


def has_suppressions(con: duckdb.DuckDBPyConnection) -> bool:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables"
        " WHERE table_schema = ? AND table_name = 'suppressed_identifiers'",
        [SCHEMA],
    ).fetchone()[0]
    if not exists:
        return False
    return bool(con.execute(f"SELECT count(*) > 0 FROM {SUPPRESSED}").fetchone()[0])


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def row_matches_sql(table: str, salt: str, hashes: str) -> str | None:
    """A predicate on rows of raw.<table>: some personal column's salted hash is in `hashes`
    (a relation with column identifier_hash). None when the table carries no identifier."""
    columns = PII_COLUMNS.get(table, {})
    if not columns:
        return None
    tests = [
        f"{hash_pii(normalize(quote(column), kind), salt)}"
        f" IN (SELECT identifier_hash FROM {hashes})"
        for column, kind in columns.items()
    ]
    return "(" + " OR ".join(tests) + ")"


def suppressed_rows_sql(con: duckdb.DuckDBPyConnection, table: str) -> str | None:
    """Landing hook: a predicate on raw.<table>'s columns, TRUE when a row carries an identifier
    on the suppression list (an erased person); landing inserts only rows where it is not TRUE,
    inside the file's transaction. None when nothing is suppressed or the table holds no
    identifier. (A filter in the insert, not a delete after it: deletes make DuckDB append the
    whole transaction through the WAL at commit instead of writing its rows directly.)"""
    if table not in PII_COLUMNS:
        raise KeyError(
            f"raw.{table} is not listed in orchestration/privacy/columns.py: say which of its "
            "columns carry identifiers (or that none do) before landing it"
        )
    if not PII_COLUMNS[table] or not has_suppressions(con):
        return None
    salt, _ = pii_salt()
    return row_matches_sql(table, salt, SUPPRESSED)
