"""Great Expectations suites per feed, built in code from the feed registry.

The frame a suite validates is computed by DuckDB from a file's rows (`frame_sql`): the raw text
of the columns that are checked, plus helper columns for what GE cannot see in text:

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

Landing validates with `screen`: DuckDB counts every expectation's unexpected rows over the whole
file in one aggregate pass (`Spec.predicate`, built from the same `specs` list as the suite), and
GE runs the suite on the candidate rows only (the first 20 unexpected rows of each expectation,
indexed by file row), so a 2M-row file costs one scan, not a 2M-row pandas frame; GE's verdict
per expectation must match the counts, or the file is validated by GE on every row. A file with
nothing to report does not call GE unless `OMNI_LANDING_GE=always`. `validate(feed, frame(...))`
is GE on every row (Dagster asset checks, tests, the fallback).

One ephemeral GE context per process; suites and batch definitions are created once per feed.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import duckdb

from orchestration.landing.parse import Problem, _lit, _q
from orchestration.landing.registry import EPOCH_MS, EPOCH_S, EPOCH_US, ISO, Feed

if TYPE_CHECKING:  # pandas / pyarrow are imported when a frame is built (not for a clean file)
    import pandas as pd
    import pyarrow as pa

#: default table of `frame_sql` / `frame` (a temp table holding one parsed file)
STAGE = "_stage"

#: Timestamps before this are not plausible for any feed.
TS_MIN = datetime(2000, 1, 1, tzinfo=UTC)
#: Timestamps may run this far ahead of the wall clock (time zones, clock skew).
TS_FUTURE = timedelta(days=2)

#: rows named per failed rule (reason files, validation summaries)
PARTIAL = 20
#: env: when GE runs on a file whose SQL screen found nothing (`findings`: not; `always`)
GE_MODE_ENV = "OMNI_LANDING_GE"
GE_MODES = ("findings", "always")

log = logging.getLogger(__name__)
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


@dataclass(frozen=True)
class Spec:
    """One expectation of a feed's suite: the GE expectation (class name and kwargs), the names
    the reason file uses, and the same test as a DuckDB predicate over the frame's columns
    (TRUE when a row is *unexpected*; NULL-safe the way GE's column map expectations are).
    `build_suite` and the SQL screen (`screen`) are both built from this one list."""

    expectation: str  # GE class name, e.g. ExpectColumnValuesToBeInSet
    kwargs: tuple[tuple[str, Any], ...]
    rule: str
    column: str | None  # the feed column the reason names
    frame_column: str | None  # the frame column GE checks (None: table-level)
    flag: bool = False

    def predicate(self, params: dict[str, float]) -> str | None:
        """SQL: TRUE for a row GE would count as unexpected (None: table-level expectation)."""
        if self.frame_column is None:
            return None
        c = _q(self.frame_column)
        kw = dict(self.kwargs)
        if self.expectation == "ExpectColumnValuesToNotBeNull":
            return f"({c} IS NULL)"
        if self.expectation == "ExpectColumnValuesToBeInSet":
            values = ", ".join(_sql_value(v) for v in kw["value_set"])
            return f"({c} IS NOT NULL AND {c} NOT IN ({values}))"
        if self.expectation == "ExpectColumnValuesToBeBetween":
            lo, hi = (_resolve(kw.get(k), params) for k in ("min_value", "max_value"))
            parts = ([f"{c} < {lo!r}"] if lo is not None else []) + (
                [f"{c} > {hi!r}"] if hi is not None else []
            )
            return f"({c} IS NOT NULL AND ({' OR '.join(parts) or 'false'}))"
        raise ValueError(f"no SQL for {self.expectation}")


def _sql_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return _lit(str(value))


def _resolve(value: Any, params: dict[str, float]) -> float | None:
    if isinstance(value, dict) and "$PARAMETER" in value:
        return params[value["$PARAMETER"]]
    return value


def specs(feed: Feed) -> list[Spec]:
    """The expectations of a feed's suite, in suite order (see the module docstring)."""
    out: list[Spec] = [
        Spec(
            "ExpectTableColumnsToMatchSet",
            (("column_set", list(feed.required)), ("exact_match", False)),
            "required_columns",
            None,
            None,
        )
    ]
    for col in feed.required:
        out.append(Spec("ExpectColumnValuesToNotBeNull", (), "required_not_null", col, col))
    for col in feed.timestamps:
        out.append(
            Spec(
                "ExpectColumnValuesToBeInSet",
                (("value_set", [True]),),
                "timestamp_parses",
                col,
                f"_tsok__{col}",
            )
        )
        out.append(
            Spec(
                "ExpectColumnValuesToBeBetween",
                (("min_value", {"$PARAMETER": "ts_min"}), ("max_value", {"$PARAMETER": "ts_max"})),
                "timestamp_in_range",
                col,
                f"_ts__{col}",
            )
        )
    for col in feed.numerics:
        out.append(
            Spec(
                "ExpectColumnValuesToBeInSet",
                (("value_set", [True]),),
                "numeric_parses",
                col,
                f"_numok__{col}",
            )
        )
    for enum in feed.enums:
        out.append(
            Spec(
                "ExpectColumnValuesToBeInSet",
                (("value_set", list(enum.values)),),
                "enum" if enum.strict else "unknown_value",
                enum.column,
                enum.column,
                flag=not enum.strict,
            )
        )
    return out


def build_suite(feed: Feed) -> Any:
    """The expectation suite of one feed (not registered; see `suite_for`)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    suite = gx.ExpectationSuite(name=f"landing.{feed.source}.{feed.name}")
    for pos, spec in enumerate(specs(feed)):
        kwargs = dict(spec.kwargs)
        if spec.frame_column is not None:
            kwargs["column"] = spec.frame_column
        exp = getattr(gxe, spec.expectation)(**kwargs)
        # `check`: the position in `specs(feed)` (GE may return results in another order)
        exp.meta = {"rule": spec.rule, "column": spec.column, "flag": spec.flag, "check": pos}
        suite.add_expectation(exp)
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
    """NULL or `trim(col) = ''`; a value opening with a printable non-space ASCII character is not
    blank whatever follows, so `trim` (a string copy) runs only for the rest."""
    c = _q(col)
    return (
        f"(CASE WHEN {c} IS NULL THEN true WHEN ascii({c}) BETWEEN 33 AND 126 THEN false "
        f"ELSE trim({c}) = '' END)"
    )


def frame_sql(
    feed: Feed,
    present: set[str],
    table: str = STAGE,
    row: str | None = None,
    where: str | None = None,
) -> str:
    """SQL for the frame the suite validates (rows in file order). `row`: an expression for the
    1-based file row, added as column `_row`; `where`: which rows of `table` are the file's."""
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
    if row is not None:
        parts.append(f"{row} AS _row")
    # no ORDER BY: with preserve_insertion_order a projection keeps the file order
    sql = f"SELECT {', '.join(parts) or '1 AS _one'} FROM {table}"
    return sql + (f" WHERE {where}" if where else "")


def frame(
    con: duckdb.DuckDBPyConnection,
    feed: Feed,
    present: set[str],
    table: str = STAGE,
    row: str | None = None,
    where: str | None = None,
) -> pd.DataFrame:
    """The frame to validate, computed in DuckDB from the parsed file (every row). With `row`,
    the frame's index is the 0-based file row (`row` - 1), so GE's row indexes are file rows."""
    return _to_frame(feed, con.sql(frame_sql(feed, present, table, row, where)).to_arrow_table())


def _to_frame(feed: Feed, table: pa.Table) -> pd.DataFrame:
    import pandas as pd
    import pyarrow.compute as pc

    # via Arrow: twice as fast as .df() for string columns (kept Arrow-backed in pandas)
    enum_cols = {e.column for e in feed.enums}
    for i, name in enumerate(table.column_names):
        if name in enum_cols:  # few distinct values: categorical makes the set checks cheap
            table = table.set_column(i, name, pc.dictionary_encode(table.column(i)))
    if "_row" not in table.column_names:
        return table.to_pandas()
    rows = table.column("_row").to_numpy(zero_copy_only=False)
    df = table.drop_columns(["_row"]).to_pandas()
    df.index = pd.Index(rows.astype("int64") - 1)
    return df


def _params(now: datetime) -> dict[str, float]:
    return {"ts_min": TS_MIN.timestamp(), "ts_max": (now + TS_FUTURE).timestamp()}


def _run_ge(feed: Feed, df: pd.DataFrame, now: datetime, only: set[int] | None = None) -> list[Any]:
    """GE's results on `df`: the whole suite, or (`only`) those of its expectations, each
    validated on its own (a GE run costs about the same per expectation, whatever the rows)."""
    suite, batch_def = suite_for(feed)
    batch = batch_def.get_batch(batch_parameters={"dataframe": df})
    fmt = {"result_format": "SUMMARY", "partial_unexpected_count": PARTIAL}
    if only is None:
        return list(
            batch.validate(suite, result_format=fmt, expectation_parameters=_params(now)).results
        )
    return [
        batch.validate(exp, result_format=fmt, expectation_parameters=_params(now))
        for exp in suite.expectations
        if (exp.meta or {}).get("check") in only
    ]


def validate(
    feed: Feed,
    df: pd.DataFrame,
    now: datetime | None = None,
    counts: dict[int, int] | None = None,
) -> Outcome:
    """Run the feed's suite on `df` (from `frame`). Row numbers are 1-based file rows: the
    frame's index + 1. `counts` (expectation position -> unexpected rows, from `screen`) replace
    GE's counts when `df` holds only a file's candidate rows."""
    return _summarise(feed, _run_ge(feed, df, now or datetime.now(UTC)), df, counts)[0]


def _summarise(
    feed: Feed, results: list[Any], df: pd.DataFrame, counts: dict[int, int] | None
) -> tuple[Outcome, dict[int, bool]]:
    """The outcome of GE's results (in suite order; an expectation GE did not run passed: its
    count is 0), and GE's verdict per expectation position."""
    missing = [c for c in feed.required if c not in df.columns]
    by_pos = {(res.expectation_config.meta or {}).get("check"): res for res in results}
    checks: list[CheckSummary] = []
    failures: list[Problem] = []
    flagged: dict[str, int] = {}
    verdicts: dict[int, bool] = {}
    for pos, spec in enumerate(specs(feed)):
        rule, col, flag = spec.rule, spec.column, spec.flag
        if col in missing and rule != "required_columns":
            continue  # reported once, by required_columns
        res = by_pos.get(pos)
        if res is None:
            checks.append(CheckSummary(_snake(spec.expectation), rule, col, True, flag=flag))
            continue
        verdicts[pos] = bool(res.success)
        r = res.result or {}
        count = int(r.get("unexpected_count") or 0)
        if counts is not None and pos in counts:
            count = counts[pos]
        rows = [int(i) + 1 for i in (r.get("partial_unexpected_index_list") or [])][:PARTIAL]
        values = [str(v) for v in dict.fromkeys(r.get("partial_unexpected_list") or [])][:PARTIAL]
        if rule == "required_columns" and missing:
            count = len(missing)
            values = missing
        check = CheckSummary(
            res.expectation_config.type, rule, col, bool(res.success), count, rows, flag, values
        )
        checks.append(check)
        if res.success:
            continue
        if flag:
            flagged[f"{col}"] = flagged.get(f"{col}", 0) + count
            continue
        failures.append(_problem(feed, check, missing))
    return Outcome(not failures, checks, failures, flagged), verdicts


def ge_mode() -> str:
    """`OMNI_LANDING_GE`: `findings` (default) or `always`; see `screen`."""
    mode = os.environ.get(GE_MODE_ENV, "findings").strip().lower() or "findings"
    if mode not in GE_MODES:
        raise ValueError(f"{GE_MODE_ENV}={mode!r}: expected one of {', '.join(GE_MODES)}")
    return mode


def screen(
    con: duckdb.DuckDBPyConnection,
    feed: Feed,
    present: set[str],
    table: str,
    row: str,
    where: str | None = None,
    now: datetime | None = None,
    mode: str | None = None,
    expected_rows: int | None = None,
) -> Outcome:
    """Validate one file's rows of `table` (`where`) without a full-size frame.

    1. DuckDB counts, in one aggregate pass, the unexpected rows of every expectation of the
       suite (`Spec.predicate`: the same test as the expectation, on the same helper columns).
    2. Great Expectations validates every expectation with unexpected rows (and the required
       columns when some are missing) on the *candidate rows*: the first 20 unexpected rows of
       each such expectation, indexed by file row. GE's results name rule, column, rows and
       values exactly as on the whole file; the counts are DuckDB's (exact).
    3. GE must confirm every count (fail where DuckDB counted, pass elsewhere); if it does not
       (a predicate that drifted from its expectation), GE validates the whole file instead.

    Expectations without unexpected rows are reported as passed without a GE run (GE on rows
    that all pass cannot fail), so a clean file costs one DuckDB scan. `mode="always"`
    (`OMNI_LANDING_GE=always`) runs the whole suite on the candidate rows of every file, clean
    or not, as an audit. `expected_rows`: how many rows `where` must select (else an error).
    """
    now = now or datetime.now(UTC)
    mode = mode or ge_mode()
    missing = [c for c in feed.required if c not in present]
    all_specs = specs(feed)
    preds = {
        pos: spec.predicate(_params(now))
        for pos, spec in enumerate(all_specs)
        if spec.frame_column is not None and spec.column not in missing
    }
    base = frame_sql(feed, present, table, row, where)
    aggs = "".join(f", count_if({p})" for p in preds.values())
    total, *found = con.execute(f"SELECT count(*){aggs} FROM ({base})").fetchall()[0]
    if expected_rows is not None and total != expected_rows:
        raise RuntimeError(f"{feed.key}: the screen saw {total} rows, {expected_rows} were loaded")
    counts = {pos: int(n or 0) for pos, n in zip(preds, found, strict=True)}
    if not missing and not any(counts.values()) and mode != "always":
        return _summarise(feed, [], _Columns(present), counts)[0]
    failing = [preds[pos] for pos, n in counts.items() if n]
    if failing:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _screen AS {base}")
        picks = " UNION ".join(
            f"(SELECT _row FROM _screen WHERE {p} ORDER BY _row LIMIT {PARTIAL})" for p in failing
        )
        try:
            rows = con.sql(
                f"SELECT * FROM _screen WHERE _row IN ({picks}) ORDER BY _row"
            ).to_arrow_table()
        finally:
            con.execute("DROP TABLE IF EXISTS _screen")
    else:
        rows = con.sql(f"SELECT * FROM ({base}) WHERE false").to_arrow_table()
    df = _to_frame(feed, rows)
    only = None
    if mode != "always":  # GE confirms and describes each finding; passing ones are not re-run
        only = {pos for pos, n in counts.items() if n} | ({0} if missing else set())
    outcome, verdicts = _summarise(feed, _run_ge(feed, df, now, only), df, counts)
    if all(verdicts.get(pos, True) == (n == 0) for pos, n in counts.items()):
        return outcome
    log.warning(
        "%s: GE and the SQL screen disagree; validating every row with GE instead", feed.key
    )
    return validate(feed, frame(con, feed, present, table, row, where), now)


class _Columns:
    """Stands in for a frame where only the column names are needed."""

    def __init__(self, columns: set[str]):
        self.columns = columns


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


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
