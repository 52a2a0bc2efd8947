"""Tables of one DuckDB schema to Parquet: `<out_dir>/<schema>/<table>/part-0.parquet`.

This is the hand-over from the DuckDB warehouse to Spark (raw) and back for comparison (marts).
Only DuckDB is needed, so it runs in either venv:

    python -m orchestration.spark.export --warehouse data/warehouse.duckdb --schema raw --out D
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb


def export_schema(warehouse: Path, schema: str, out_dir: Path) -> dict[str, int]:
    """Write every table of `schema` to `<out_dir>/<schema>/<table>/`; returns row counts.

    One folder per table, as Spark writes and reads tables, so Spark's `location` and DuckDB's
    `read_parquet('<folder>/*.parquet')` treat both sides' files alike.

    Tables whose name starts with `_` (the landing ledger) are bookkeeping and are skipped.
    """
    target = out_dir / schema
    target.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
                [schema],
            ).fetchall()
        ]
        if not tables:
            raise RuntimeError(f"{warehouse}: schema {schema!r} holds no tables to export")
        for table in tables:
            if table.startswith("_"):
                continue
            folder = target / table
            folder.mkdir(exist_ok=True)
            for old in folder.glob("*.parquet"):
                old.unlink()
            path = folder / "part-0.parquet"
            con.execute(f'copy "{schema}"."{table}" to \'{path}\' (format parquet)')
            counts[table] = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--schema", action="append", required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    for schema in args.schema:
        counts = export_schema(args.warehouse, schema, args.out)
        print(f"{schema}: {len(counts)} tables, {sum(counts.values()):,} rows -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
