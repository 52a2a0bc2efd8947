"""Compare tables of two DuckDB warehouses: every row and column, order-independent."""

from __future__ import annotations

from pathlib import Path

import duckdb

#: Doubles are compared at this many significant digits: the same inputs summed in another order
#: (parallel aggregation, rows re-inserted by an incremental run) may differ in the last bits;
#: any real difference is far larger. A value within those bits of a rounding boundary would
#: round apart, so a table also counts as equal when it is equal with the boundaries moved half a
#: step (no tiny difference straddles both).
DOUBLE_DIGITS = 12


def _rounded(column: str, shifted: bool) -> str:
    """SQL: the double column rounded to DOUBLE_DIGITS significant digits (shifted: the rounding
    boundaries moved by half a step)."""
    exponent = f'cast(floor(log10(abs("{column}"))) as integer)'
    value = f'"{column}"'
    if shifted:
        value = f"({value} + 0.5 * pow(10, {exponent} - {DOUBLE_DIGITS - 1}))"
    return (
        f'case when "{column}" = 0 or not isfinite("{column}") then "{column}" '
        f"else round({value}, {DOUBLE_DIGITS - 1} - {exponent}) end"
    )


def tables(warehouse: Path, schema: str) -> list[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
            [schema],
        ).fetchall()
    finally:
        con.close()
    return [name for (name,) in rows]


def differences(
    left: Path, right: Path, qualified_tables: list[str], ignore: frozenset[str] = frozenset()
) -> dict[str, dict]:
    """Per table whose contents differ: rows only in left / only in right (counts, a sample).
    Columns named in `ignore` (e.g. a run's timestamp) are left out of the comparison."""
    con = duckdb.connect()
    found: dict[str, dict] = {}
    try:
        con.execute(f"attach '{left}' as lhs (read_only)")
        con.execute(f"attach '{right}' as rhs (read_only)")
        for table in qualified_tables:
            schema, name = table.split(".")
            columns = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_catalog = 'lhs' and table_schema = ? and table_name = ? "
                "order by ordinal_position",
                [schema, name],
            ).fetchall()
            columns = [(col, kind) for col, kind in columns if col not in ignore]
            right_columns = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_catalog = 'rhs' and table_schema = ? and table_name = ? "
                "order by ordinal_position",
                [schema, name],
            ).fetchall()
            right_columns = [(col, kind) for col, kind in right_columns if col not in ignore]
            if columns != right_columns:
                found[table] = {"columns": {"left": columns, "right": right_columns}}
                continue
            has_doubles = any(kind in ("DOUBLE", "FLOAT") for _, kind in columns)
            for shifted in (False, True) if has_doubles else (False,):
                select = ", ".join(
                    f'{_rounded(col, shifted)} as "{col}"'
                    if kind in ("DOUBLE", "FLOAT")
                    else f'"{col}"'
                    for col, kind in columns
                )
                only = {}
                for a, b in (("lhs", "rhs"), ("rhs", "lhs")):
                    sql = (
                        f"select {select} from {a}.{schema}.{name} except all "
                        f"select {select} from {b}.{schema}.{name}"
                    )
                    count = con.execute(f"select count(*) from ({sql})").fetchone()[0]
                    if count:
                        sample = con.execute(f"{sql} limit 3").fetchall()
                        only[a] = {"rows": count, "sample": sample}
                if not only:
                    break
            if only:
                found[table] = only
    finally:
        con.close()
    return found
