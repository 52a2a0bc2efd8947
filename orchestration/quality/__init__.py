"""Great Expectations gates for landing: one suite per feed, built in code.

    from orchestration.quality import build_suite, frame, validate
    outcome = validate(feed, frame(con, feed, present_columns))
    outcome.success, outcome.failures, outcome.flagged, outcome.checks

See `suites` for the expectations and the helper columns. The landing engine
(`orchestration.landing`) calls these for every file; Dagster asset checks can call `validate`
on any frame with the same columns.
"""

from orchestration.quality.suites import (
    TS_FUTURE,
    TS_MIN,
    CheckSummary,
    Outcome,
    build_suite,
    context,
    frame,
    frame_sql,
    suite_for,
    validate,
)

__all__ = [
    "TS_FUTURE",
    "TS_MIN",
    "CheckSummary",
    "Outcome",
    "build_suite",
    "context",
    "frame",
    "frame_sql",
    "suite_for",
    "validate",
]
