"""Great Expectations gates for landing: one suite per feed, built in code.

    from orchestration.quality import build_suite, frame, screen, validate
    outcome = validate(feed, frame(con, feed, present_columns))        # every row to GE
    outcome = screen(con, feed, present_columns, table, row, where)    # what landing does
    outcome.success, outcome.failures, outcome.flagged, outcome.checks

See `suites` for the expectations, the helper columns and how `screen` splits the work between
DuckDB (counts over every row) and GE (the suite on the rows that fail, or on every file with
`OMNI_LANDING_GE=always`). The landing engine (`orchestration.landing`) calls `screen` for every
file; Dagster asset checks can call `validate` on any frame with the same columns.
"""

from orchestration.quality.suites import (
    GE_MODE_ENV,
    TS_FUTURE,
    TS_MIN,
    CheckSummary,
    Outcome,
    Spec,
    build_suite,
    context,
    frame,
    frame_sql,
    screen,
    specs,
    suite_for,
    validate,
)

__all__ = [
    "GE_MODE_ENV",
    "TS_FUTURE",
    "TS_MIN",
    "CheckSummary",
    "Outcome",
    "Spec",
    "build_suite",
    "context",
    "frame",
    "frame_sql",
    "screen",
    "specs",
    "suite_for",
    "validate",
]
