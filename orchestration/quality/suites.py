"""Great Expectations suites per feed, built in code from the feed registry.

The frame a suite validates is computed by DuckDB from the parsed file (`_stage`): the raw text of
the columns that are checked, plus helper columns for what GE cannot see in text:

| helper            | meaning                                                       |
|-------------------|---------------------------------------------------------------|
| `_tsok__<col>`    | True when `<col>` is empty or parses with the feed's format   |
| `_ts__<col>`      | `<col>` as seconds since the epoch (NULL when empty/unparsed) |
| `_numok__<col>`   | True when `<col>` is empty, `--` or a number (`1,234.5` too)  |

Required columns that are not enumerations are passed as a 1-byte marker (NULL when empty or
blank) since only their nullness is checked; enumeration columns keep their text (categorical).

Expectations (each carries `meta.rule` and `meta.column`, the names the reason file uses):

| rule               | expectation                                                  |
|--------------------|--------------------------------------------------------------|
| required_columns   | expect_table_columns_to_match_set(required, exact=False)     |
| required_not_null  | expect_column_values_to_not_be_null(required column)         |
| timestamp_parses   | expect_column_values_to_be_in_set(_tsok__col, [True])        |
| timestamp_in_range | expect_column_values_to_be_between(_ts__col, 2000-01-01, now + 2 days) |
| numeric_parses     | expect_column_values_to_be_in_set(_numok__col, [True])       |
| enum               | expect_column_values_to_be_in_set(col, documented values)    |

An enumeration that is not strict (event types a vendor may add) never fails a file: its
unexpected values are counted as *flagged* (`meta.flag = True`).

One ephemeral GE context per process; suites and batch definitions are created once per feed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd
import pyarrow.compute as pc

from orchestration.landing.parse import STAGE, Problem, _lit, _q
from orchestration.landing.registry import EPOCH_MS, EPOCH_S, EPOCH_US, ISO, Feed

#: Timestamps before this are not plausible for any feed.
TS_MIN = datetime(2000, 1, 1, tzinfo=UTC)
#: Timestamps may run this far ahead of the wall clock (time zones, clock skew).
TS_FUTURE = timedelta(days=2)

_lock = threading.Lock()
_context: Any = None
_suites: dict[str, tuple[Any, Any]] = {}


@dataclass
class CheckSummary:
    """One expectation's outcome on one file."""

    expectation: str
    rule: str
    column: str | None
    success: bool
    unexpected_count: int = 0
    rows: list[int] = field(default_factory=list)
    flag: bool = False
    values: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class Outcome:
    """Validation of one file: failures quarantine it; flags are counted, never fail."""

    success: bool
    checks: list[CheckSummary]
    failures: list[Problem]
    flagged: dict[str, int]


def context() -> Any:
    """The process-wide ephemeral GE context (created on first use; creation is slow)."""
    global _context
    with _lock:
        if _context is None:
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig
            from great_expectations.execution_engine import pandas_execution_engine

            # GE fingerprints each in-memory batch by hashing every cell (md5 over
            # hash_pandas_object) when the frame is under HASH_THRESHOLD bytes: half the
            # validation time on a 200k-row file. Landing files carry their own SHA-256
            # (`_file_hash`), so the fingerprint is switched off.
            pandas_execution_engine.HASH_THRESHOLD = 0
            ctx = gx.get_context(mode="ephemeral")
            try:
                ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
            except Exception:  # noqa: BLE001 - cosmetic only
                pass
            ctx.data_sources.add_pandas("landing")
            _context = ctx
        return _context


def _helper_needed(feed: Feed) -> list[str]:
    cols = list(feed.required)
    cols += [e.column for e in feed.enums]
    return list(dict.fromkeys(cols))


def build_suite(feed: Feed) -> Any:
    """The expectation suite of one feed (not registered; see `suite_for`)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    suite = gx.ExpectationSuite(name=f"landing.{feed.source}.{feed.name}")

    def add(exp: Any, rule: str, column: str | None, flag: bool = False) -> None:
        exp.meta = {"rule": rule, "column": column, "flag": flag}
        suite.add_expectation(exp)

    add(
        gxe.ExpectTableColumnsToMatchSet(column_set=list(feed.required), exact_match=False),
        "required_columns",
        None,
    )
    for col in feed.required:
        add(gxe.ExpectColumnValuesToNotBeNull(column=col), "required_not_null", col)
    for col in feed.timestamps:
        add(
            gxe.ExpectColumnValuesToBeInSet(column=f"_tsok__{col}", value_set=[True]),
            "timestamp_parses",
            col,
        )
        add(
            gxe.ExpectColumnValuesToBeBetween(
                column=f"_ts__{col}",
                min_value={"$PARAMETER": "ts_min"},
                max_value={"$PARAMETER": "ts_max"},
            ),
            "timestamp_in_range",
            col,
        )
    for col in feed.numerics:
        add(
            gxe.ExpectColumnValuesToBeInSet(column=f"_numok__{col}", value_set=[True]),
            "numeric_parses",
            col,
        )
    for enum in feed.enums:
        add(
            gxe.ExpectColumnValuesToBeInSet(column=enum.column, value_set=list(enum.values)),
            "enum" if enum.strict else "unknown_value",
            enum.column,
            flag=not enum.strict,
        )
    return suite


def suite_for(feed: Feed) -> tuple[Any, Any]:
    """(suite, batch definition) of a feed, registered once per process."""
    with _lock:
        if feed.key in _suites:
            return _suites[feed.key]
    ctx = context()
    with _lock:
        if feed.key not in _suites:
            suite = ctx.suites.add(build_suite(feed))
            asset = ctx.data_sources.get("landing").add_dataframe_asset(name=feed.key)
            batch_def = asset.add_batch_definition_whole_dataframe("whole_file")
            _suites[feed.key] = (suite, batch_def)
        return _suites[feed.key]


def _ts_expr(col: str, kind: str | tuple[str, ...]) -> str:
    c = _q(col)
    if kind == EPOCH_S:
        return f"try_cast({c} AS DOUBLE)"
    if kind == EPOCH_MS:
        return f"try_cast({c} AS DOUBLE) / 1e3"
    if kind == EPOCH_US:
        return f"try_cast({c} AS DOUBLE) / 1e6"
    if kind == ISO:
        return f"epoch(try_cast({c} AS TIMESTAMPTZ))"
    fmts = ", ".join(_lit(f) for f in kind)
    return f"epoch(try_strptime({c}, [{fmts}]))"


def _blank(col: str) -> str:
    return f"({_q(col)} IS NULL OR trim({_q(col)}) = '')"


def frame_sql(feed: Feed, present: set[str], table: str = STAGE) -> str:
    """SQL for the frame the suite validates (rows in file order)."""
    parts: list[str] = []
    enum_cols = {e.column for e in feed.enums}
    for col in _helper_needed(feed):
        if col not in present:
            if col not in feed.required:
                parts.append(f"NULL::VARCHAR AS {_q(col)}")
        elif col in enum_cols:
            parts.append(f"CASE WHEN {_blank(col)} THEN NULL ELSE {_q(col)} END AS {_q(col)}")
        else:
            # only nullness is checked: a 1-byte marker (NULL when blank), not the text
            parts.append(f"CASE WHEN {_blank(col)} THEN NULL ELSE 1 END::UTINYINT AS {_q(col)}")
    for col, kind in feed.timestamps.items():
        if col in present:
            ts = _ts_expr(col, kind)
            parts.append(f"{ts} AS {_q('_ts__' + col)}")
            parts.append(f"({_blank(col)} OR {ts} IS NOT NULL) AS {_q('_tsok__' + col)}")
        else:
            parts.append(f"NULL::DOUBLE AS {_q('_ts__' + col)}")
            parts.append(f"true AS {_q('_tsok__' + col)}")
    for col in feed.numerics:
        if col in present:
            num = f"try_cast(replace(trim({_q(col)}), ',', '') AS DOUBLE)"
            ok = f"({_blank(col)} OR trim({_q(col)}) = '--' OR {num} IS NOT NULL)"
            parts.append(f"{ok} AS {_q('_numok__' + col)}")
        else:
            parts.append(f"true AS {_q('_numok__' + col)}")
    # no ORDER BY: with preserve_insertion_order a projection keeps the file order
    return f"SELECT {', '.join(parts) or '1 AS _one'} FROM {table}"


def frame(con: duckdb.DuckDBPyConnection, feed: Feed, present: set[str]) -> pd.DataFrame:
    """The frame to validate, computed in DuckDB from the parsed file."""
    # via Arrow: twice as fast as .df() for string columns (kept Arrow-backed in pandas)
    table = con.sql(frame_sql(feed, present)).to_arrow_table()
    enum_cols = {e.column for e in feed.enums}
    for i, name in enumerate(table.column_names):
        if name in enum_cols:  # few distinct values: categorical makes the set checks cheap
            table = table.set_column(i, name, pc.dictionary_encode(table.column(i)))
    return table.to_pandas()


def validate(feed: Feed, df: pd.DataFrame, now: datetime | None = None) -> Outcome:
    """Run the feed's suite on `df` (from `frame`). Row numbers are 1-based file rows."""
    suite, batch_def = suite_for(feed)
    now = now or datetime.now(UTC)
    batch = batch_def.get_batch(batch_parameters={"dataframe": df})
    result = batch.validate(
        suite,
        result_format={"result_format": "SUMMARY", "partial_unexpected_count": 20},
        expectation_parameters={
            "ts_min": TS_MIN.timestamp(),
            "ts_max": (now + TS_FUTURE).timestamp(),
        },
    )
    missing = [c for c in feed.required if c not in df.columns]
    checks: list[CheckSummary] = []
    failures: list[Problem] = []
    flagged: dict[str, int] = {}
    for res in result.results:
        cfg = res.expectation_config
        meta = cfg.meta or {}
        rule, col, flag = meta.get("rule", cfg.type), meta.get("column"), meta.get("flag", False)
        if col in missing and rule != "required_columns":
            continue  # reported once, by required_columns
        r = res.result or {}
        count = int(r.get("unexpected_count") or 0)
        rows = [int(i) + 1 for i in (r.get("partial_unexpected_index_list") or [])][:20]
        values = [str(v) for v in dict.fromkeys(r.get("partial_unexpected_list") or [])][:20]
        if rule == "required_columns" and missing:
            count = len(missing)
            values = missing
        check = CheckSummary(cfg.type, rule, col, bool(res.success), count, rows, flag, values)
        checks.append(check)
        if res.success:
            continue
        if flag:
            flagged[f"{col}"] = flagged.get(f"{col}", 0) + count
            continue
        failures.append(_problem(feed, check, missing))
    return Outcome(not failures, checks, failures, flagged)


def _problem(feed: Feed, check: CheckSummary, missing: list[str]) -> Problem:
    col = check.column
    messages = {
        "required_columns": f"required column(s) missing: {', '.join(missing)}",
        "required_not_null": f"required column `{col}` is empty in {check.unexpected_count} row(s)",
        "timestamp_parses": f"`{col}` does not parse as {feed.timestamps.get(col or '')} in "
        f"{check.unexpected_count} row(s)",
        "timestamp_in_range": f"`{col}` outside {TS_MIN.date()} .. now + {TS_FUTURE.days} days "
        f"in {check.unexpected_count} row(s)",
        "numeric_parses": f"`{col}` is not a number in {check.unexpected_count} row(s)",
        "enum": f"`{col}` has values outside the documented set: {check.values[:5]}",
    }
    if check.rule == "required_columns":
        return Problem(
            rule="required_columns",
            column=", ".join(missing),
            rows=[],
            count=len(missing),
            message=messages["required_columns"],
        )
    return Problem(
        rule=check.rule,
        column=col,
        rows=check.rows,
        count=check.unexpected_count,
        message=messages.get(check.rule, check.expectation),
    )
