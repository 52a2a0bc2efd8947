"""Execute right-to-erasure requests: the person leaves every layer of the warehouse.

Runs after the dbt build, so the identity graph already knows every identifier linked to the
subject of a new request (`intermediate.int_customers_stitched`, where the request marked the
customer `is_erased`). For each request not yet in `privacy.erasure_audit`:

1. the subject and every identifier of the customer(s) it belongs to are added to
   `privacy.suppressed_identifiers` (salted hashes only);
2. raw: every row whose personal columns (orchestration/privacy/columns.py), normalised and
   salted as staging does, hash to a suppressed identifier is deleted, the request's own row
   too: erasure is the one exception to "raw keeps every delivered copy";
3. the quarantine folder is scrubbed (quarantine.py) against the whole suppression list;
4. every base table of every other schema (staging tables, intermediate, identity, marts,
   incremental ones included) loses the rows where a text column equals one of the erased
   customer ids, identifier hashes or keys, or (for layers that keep them) the plain, normalised
   or unsalted-hashed values found in the rows deleted from raw and quarantine;
5. one audit row per request: id, requested_at, executed_at, rows removed per table (JSON),
   quarantine files rewritten or removed; no PII.

Steps 1, 2, 4 and 5 are one transaction. Aggregate marts (counts, revenue per channel) are
rebuilt without the person by the next dbt build, which no longer sees their raw rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb

from orchestration.lib.config import Settings
from orchestration.lib.config import settings as load_settings
from orchestration.privacy.columns import PII_COLUMNS
from orchestration.privacy.normalize import (
    KIND_EMAIL,
    KIND_ID,
    KIND_PHONE,
    hash_pii,
    normalize,
    nullif_blank,
    sha256_unsalted,
)
from orchestration.privacy.quarantine import FileScrub, scrub_quarantine
from orchestration.privacy.suppression import (
    AUDIT,
    SCHEMA,
    SUPPRESSED,
    ensure_privacy_schema,
    has_suppressions,
    quote,
)

REQUESTS = "staging.stg_erasure__requests"
STITCHED = "intermediate.int_customers_stitched"
#: schemas whose tables are never scrubbed: raw (matched by hash, step 2) and the privacy tables
_NOT_DERIVED = ("raw", SCHEMA, "information_schema", "pg_catalog")


@dataclass
class ErasureResult:
    """What one execution did."""

    executed: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[FileScrub] = field(default_factory=list)
    rows_removed: dict[str, int] = field(default_factory=dict)

    @property
    def rows_removed_total(self) -> int:
        return sum(self.rows_removed.values())


def _relation_exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, name = relation.split(".")
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_schema = ? AND table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def _pending(con: duckdb.DuckDBPyConnection) -> list[tuple[str, Any]]:
    if not _relation_exists(con, REQUESTS):
        return []
    return con.execute(
        f"""SELECT erasure_request_id, min(requested_at)
        FROM {REQUESTS}
        WHERE erasure_request_id NOT IN (SELECT erasure_request_id FROM {AUDIT})
        GROUP BY erasure_request_id ORDER BY erasure_request_id"""
    ).fetchall()


def _collect_identifiers(con: duckdb.DuckDBPyConnection, now: datetime) -> None:
    """Temp table _erased (request, customer, identifier) for the pending requests: the
    subject itself and every identifier of every customer the subject belongs to."""
    stitched = _relation_exists(con, STITCHED)
    graph = (
        f"""
        UNION
        SELECT requests.erasure_request_id, stitched_all.customer_id,
            split_part(stitched_all.identifier_key, ':', 1),
            substr(stitched_all.identifier_key, strpos(stitched_all.identifier_key, ':') + 1)
        FROM requests
        INNER JOIN {STITCHED} AS stitched_subject
            ON stitched_subject.identifier_key
                = concat(requests.subject_type, ':', requests.subject_hash)
        INNER JOIN {STITCHED} AS stitched_all
            ON stitched_all.customer_id = stitched_subject.customer_id"""
        if stitched
        else ""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _erased AS
        WITH requests AS (
            SELECT * FROM {REQUESTS}
            WHERE erasure_request_id NOT IN (SELECT erasure_request_id FROM {AUDIT})
                AND subject_hash IS NOT NULL
        )
        SELECT erasure_request_id, NULL::VARCHAR AS customer_id,
            subject_type AS identifier_type, subject_hash AS identifier_hash
        FROM requests
        {graph}"""
    )
    con.execute(
        f"""INSERT INTO {SUPPRESSED}
        SELECT identifier_type, identifier_hash, min(erasure_request_id), ?::TIMESTAMP
        FROM _erased
        WHERE NOT EXISTS (
            SELECT 1 FROM {SUPPRESSED} AS s
            WHERE s.identifier_type = _erased.identifier_type
                AND s.identifier_hash = _erased.identifier_hash
        )
        GROUP BY identifier_type, identifier_hash""",
        [now],
    )


def _erase_raw(
    con: duckdb.DuckDBPyConnection, salt: str, pending_ids: list[str], counts: dict
) -> None:
    """Delete raw rows holding a suppressed identifier; remember their plain values (in a temp
    table, for the derived layers) and count rows per request and table."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _plain (erasure_request_id VARCHAR, value VARCHAR,"
        " kind VARCHAR)"
    )
    tables = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'"
            " AND table_type = 'BASE TABLE'"
        ).fetchall()
    }
    for table in sorted(tables & set(PII_COLUMNS)):
        columns = PII_COLUMNS[table]
        if not columns:
            continue
        hits = " UNION ALL ".join(
            f"""SELECT rowid AS row_id, {quote(column)} AS value, '{kind}' AS kind,
                {hash_pii(normalize(quote(column), kind), salt)} AS identifier_hash
            FROM raw.{quote(table)} WHERE {nullif_blank(quote(column))} IS NOT NULL"""
            for column, kind in columns.items()
        )
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _hits AS
            SELECT hits.row_id, hits.value, hits.kind, suppressed.erasure_request_id
            FROM ({hits}) AS hits
            INNER JOIN {SUPPRESSED} AS suppressed
                ON hits.identifier_hash = suppressed.identifier_hash"""
        )
        for request_id, rows in con.execute(
            "SELECT erasure_request_id, count(DISTINCT row_id) FROM _hits GROUP BY 1"
        ).fetchall():
            counts.setdefault(request_id, {})[f"raw.{table}"] = int(rows)
        con.execute("INSERT INTO _plain SELECT DISTINCT erasure_request_id, value, kind FROM _hits")
        con.execute(f"DELETE FROM raw.{quote(table)} WHERE rowid IN (SELECT row_id FROM _hits)")
    if "erasure_requests" in tables:
        # the request itself, even when its subject does not normalise to an identifier
        for request_id in pending_ids:
            deleted = con.execute(
                "DELETE FROM raw.erasure_requests WHERE trim(request_id) = ?", [request_id]
            ).fetchone()[0]
            if deleted:
                per_table = counts.setdefault(request_id, {})
                per_table["raw.erasure_requests"] = per_table.get("raw.erasure_requests", 0) + int(
                    deleted
                )


def _tokens(con: duckdb.DuckDBPyConnection) -> None:
    """Temp table _tokens (request, token): every value an erased person's row may carry in
    a derived layer."""
    forms = [f"SELECT erasure_request_id, {nullif_blank('value')} FROM _plain"]
    for kind in (KIND_EMAIL, KIND_PHONE, KIND_ID):
        normal = normalize("value", kind)
        forms.append(f"SELECT erasure_request_id, {normal} FROM _plain WHERE kind = '{kind}'")
        if kind != KIND_ID:
            forms.append(
                f"SELECT erasure_request_id, {sha256_unsalted(normal)} FROM _plain"
                f" WHERE kind = '{kind}'"
            )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _tokens AS
        SELECT DISTINCT erasure_request_id, token FROM (
            SELECT erasure_request_id, customer_id AS token FROM _erased
            UNION ALL SELECT erasure_request_id, identifier_hash FROM _erased
            UNION ALL SELECT erasure_request_id, concat(identifier_type, ':', identifier_hash)
                FROM _erased
            UNION ALL {" UNION ALL ".join(forms)}
        ) WHERE token IS NOT NULL"""
    )


def _erase_derived(con: duckdb.DuckDBPyConnection, counts: dict) -> None:
    """Delete, from every base table outside raw and privacy, the rows where a text column
    equals an erased token."""
    placeholders = ", ".join("?" for _ in _NOT_DERIVED)
    columns = con.execute(
        f"""SELECT c.table_schema, c.table_name, c.column_name
        FROM information_schema.columns AS c
        INNER JOIN information_schema.tables AS t
            ON c.table_schema = t.table_schema AND c.table_name = t.table_name
        WHERE t.table_type = 'BASE TABLE' AND c.data_type IN ('VARCHAR')
            AND c.table_schema NOT IN ({placeholders})
            AND c.table_catalog = current_database()
            AND NOT starts_with(c.table_name, '_')
        ORDER BY 1, 2, 3""",
        list(_NOT_DERIVED),
    ).fetchall()
    by_table: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in columns:
        by_table.setdefault((schema, table), []).append(column)
    for (schema, table), text_columns in by_table.items():
        relation = f"{quote(schema)}.{quote(table)}"
        hits = " UNION ALL ".join(
            f"SELECT {relation}.rowid AS row_id, _tokens.erasure_request_id FROM {relation}"
            f" INNER JOIN _tokens ON {relation}.{quote(column)} = _tokens.token"
            for column in text_columns
        )
        con.execute(f"CREATE OR REPLACE TEMP TABLE _hits AS {hits}")
        found = con.execute(
            "SELECT erasure_request_id, count(DISTINCT row_id) FROM _hits GROUP BY 1"
        ).fetchall()
        if not found:
            continue
        for request_id, rows in found:
            if request_id is None:  # a value only found in quarantine
                continue
            counts.setdefault(request_id, {})[f"{schema}.{table}"] = int(rows)
        con.execute(f"DELETE FROM {relation} WHERE rowid IN (SELECT row_id FROM _hits)")


def execute_erasures(settings: Settings | None = None) -> ErasureResult:
    """Execute every pending erasure request and scrub quarantine; see the module docstring."""
    cfg = settings or load_settings()
    result = ErasureResult()
    con = duckdb.connect(str(cfg.warehouse))
    try:
        ensure_privacy_schema(con)
        pending = _pending(con)
        pending_ids = [request_id for request_id, _ in pending]
        now = datetime.now(UTC).replace(tzinfo=None)
        if not pending and not has_suppressions(con):
            return result
        counts: dict[str, dict[str, int]] = {}
        con.execute("BEGIN TRANSACTION")
        try:
            if pending:
                _collect_identifiers(con, now)
            else:
                con.execute(
                    "CREATE OR REPLACE TEMP TABLE _erased (erasure_request_id VARCHAR,"
                    " customer_id VARCHAR, identifier_type VARCHAR, identifier_hash VARCHAR)"
                )
            result.quarantine, found = scrub_quarantine(
                con, cfg.quarantine_dir, cfg.pii_salt, SUPPRESSED
            )
            if pending:
                _erase_raw(con, cfg.pii_salt, pending_ids, counts)
                if found:  # values seen only in quarantine are erased downstream too
                    con.executemany(
                        "INSERT INTO _plain VALUES (NULL, ?, ?)",
                        [[value, kind] for value, kinds in found.items() for kind in kinds],
                    )
                _tokens(con)
                _erase_derived(con, counts)
                _write_audit(con, pending, counts, result.quarantine, now)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        for request_id, _ in pending:
            per_table = counts.get(request_id, {})
            result.executed.append({"erasure_request_id": request_id, "rows_removed": per_table})
            for key, rows in per_table.items():
                result.rows_removed[key] = result.rows_removed.get(key, 0) + rows
        return result
    finally:
        con.close()


def _write_audit(
    con: duckdb.DuckDBPyConnection,
    pending: list[tuple[str, Any]],
    counts: dict[str, dict[str, int]],
    scrubbed: list[FileScrub],
    now: datetime,
) -> None:
    for request_id, requested_at in pending:
        customers, identifiers = con.execute(
            "SELECT count(DISTINCT customer_id), count(DISTINCT identifier_hash) FROM _erased"
            " WHERE erasure_request_id = ?",
            [request_id],
        ).fetchone()
        per_table = dict(sorted(counts.get(request_id, {}).items()))
        files = [s.to_dict() for s in scrubbed if request_id in s.request_ids or not s.request_ids]
        con.execute(
            f"INSERT INTO {AUDIT} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                request_id,
                requested_at,
                now,
                int(customers),
                int(identifiers),
                sum(per_table.values()),
                json.dumps(per_table),
                json.dumps(files),
            ],
        )
