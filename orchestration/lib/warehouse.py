"""Small helpers over the DuckDB warehouse file (read-only summaries, lock detection)."""

from __future__ import annotations

from pathlib import Path

import duckdb


def is_lock_error(exc: BaseException) -> bool:
    """True when DuckDB refused the file because another process holds the write lock."""
    text = str(exc).lower()
    return isinstance(exc, duckdb.IOException) and ("lock" in text or "conflicting" in text)


def table_counts(warehouse: Path, schemas: tuple[str, ...]) -> list[tuple[str, str, int]]:
    """(schema, table, rows) for every base table in the given schemas, sorted."""
    if not warehouse.exists():
        return []
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        placeholders = ",".join("?" for _ in schemas)
        tables = con.execute(
            f"""
            select table_schema, table_name
            from information_schema.tables
            where table_schema in ({placeholders}) and table_type = 'BASE TABLE'
            order by 1, 2
            """,
            list(schemas),
        ).fetchall()
        out = []
        for schema, table in tables:
            (rows,) = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()
            out.append((schema, table, int(rows)))
        return out
    finally:
        con.close()
