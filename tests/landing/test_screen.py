"""The SQL screen + GE on candidate rows gives the same outcome as GE on every row."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest

from orchestration import quality
from orchestration.landing import FEEDS
from orchestration.quality import suites

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _table(rows: list[dict[str, str | None]], columns: list[str]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t (" + ", ".join(f'"{c}" VARCHAR' for c in columns) + ", _row BIGINT)"
    )
    con.executemany(
        f"INSERT INTO t VALUES ({', '.join('?' for _ in columns)}, ?)",
        [[r.get(c) for c in columns] + [i + 1] for i, r in enumerate(rows)],
    )
    return con


def _clean_rows(n: int) -> list[dict[str, str | None]]:
    rows = []
    for i in range(n):
        rows.append(
            {
                "event_id": f"e{i}",
                "occurred_at": "2026-05-01T10:00:00Z",
                "subject_type": "email",
                "subject_value": f"p{i}@example.com",
                "channel": "email",
                "status": "granted",
                "source": "crm",
            }
        )
    return rows


def _consent_rows() -> list[dict[str, str | None]]:
    rows = _clean_rows(300)
    for i in range(10, 70, 2):  # 30 unparseable timestamps: more than the 20 rows named
        rows[i]["occurred_at"] = "yesterday"
    rows[5]["occurred_at"] = "1999-01-01T00:00:00Z"
    rows[250]["occurred_at"] = "2099-01-01T00:00:00Z"
    rows[7]["event_id"] = "  "
    rows[8]["subject_value"] = None
    rows[9]["channel"] = "fax"  # strict enum
    for i in (3, 100, 200):
        rows[i]["source"] = f"kiosk{i % 2}"  # open enum: flagged, not a failure
    return rows


def _compare(con, feed, present) -> quality.Outcome:
    full = quality.validate(feed, quality.frame(con, feed, present, "t", row="_row"), NOW)

    def key(outcome):
        return sorted((c.rule, c.column or "", str(c.to_dict())) for c in outcome.checks)

    for mode in ("always", "findings"):
        screened = quality.screen(con, feed, present, "t", "_row", now=NOW, mode=mode)
        assert key(screened) == key(full)
        assert [p.to_dict() for p in screened.failures] == [p.to_dict() for p in full.failures]
        assert screened.flagged == full.flagged and screened.success == full.success
    return screened


def test_screen_matches_ge_on_every_row_line_webhook_flags() -> None:
    feed = FEEDS["line_events/line_webhook"]
    rows = [
        {"type": t, "timestamp": "1777629600000", "source__user_id": "U1"}
        for t in ["follow", "messageEdited", "message", "undefined", None, "follow"] * 10
    ]
    rows[4]["timestamp"] = "soon"
    con = _table(rows, list(feed.columns))
    outcome = _compare(con, feed, set(feed.columns))
    assert outcome.flagged == {"type": 20}
    assert {(p.rule, p.column) for p in outcome.failures} == {
        ("required_not_null", "type"),
        ("timestamp_parses", "timestamp"),
    }


def test_screen_matches_ge_on_every_row() -> None:
    feed = FEEDS["consent/consent_events"]
    con = _table(_consent_rows(), list(feed.columns))
    outcome = _compare(con, feed, set(feed.columns))
    by_rule = {(p.rule, p.column): p for p in outcome.failures}
    parses = by_rule[("timestamp_parses", "occurred_at")]
    assert parses.count == 30 and parses.rows == list(range(11, 51, 2))
    assert by_rule[("timestamp_in_range", "occurred_at")].rows == [6, 251]
    assert by_rule[("required_not_null", "event_id")].rows == [8]
    assert by_rule[("required_not_null", "subject_value")].rows == [9]
    assert by_rule[("enum", "channel")].rows == [10]
    assert outcome.flagged == {"source": 3}


def test_screen_matches_ge_with_a_missing_required_column() -> None:
    feed = FEEDS["consent/consent_events"]
    columns = [c for c in feed.columns if c != "status"]
    con = _table(_consent_rows(), columns)
    outcome = _compare(con, feed, set(columns))
    assert ("required_columns", "status") in {(p.rule, p.column) for p in outcome.failures}


def test_clean_file_needs_no_ge_run_unless_always(monkeypatch: pytest.MonkeyPatch) -> None:
    feed = FEEDS["consent/consent_events"]
    rows = _clean_rows(40)
    con = _table(rows, list(feed.columns))
    calls = []
    real = suites._run_ge
    monkeypatch.setattr(suites, "_run_ge", lambda *a: calls.append(1) or real(*a))
    fast = quality.screen(con, feed, set(feed.columns), "t", "_row", now=NOW)
    assert fast.success and not calls
    monkeypatch.setenv(quality.GE_MODE_ENV, "always")
    audited = quality.screen(con, feed, set(feed.columns), "t", "_row", now=NOW)
    assert audited.success and calls == [1]
    assert [c.to_dict() for c in sorted(fast.checks, key=lambda c: (c.rule, c.column or ""))] == [
        c.to_dict() for c in sorted(audited.checks, key=lambda c: (c.rule, c.column or ""))
    ]


def test_a_drifted_predicate_falls_back_to_ge_on_every_row(monkeypatch) -> None:
    feed = FEEDS["consent/consent_events"]
    con = _table(_consent_rows(), list(feed.columns))
    expected = quality.validate(
        feed, quality.frame(con, feed, set(feed.columns), "t", row="_row"), NOW
    )
    monkeypatch.setattr(suites.Spec, "predicate", lambda self, params: "(_row % 7 = 0)")
    outcome = quality.screen(con, feed, set(feed.columns), "t", "_row", now=NOW)
    assert [p.to_dict() for p in outcome.failures] == [p.to_dict() for p in expected.failures]


def test_ndjson_rows_are_line_numbers_and_non_objects_are_invalid(cfg) -> None:
    from orchestration.landing import land_source
    from tests.landing.conftest import SENDGRID_EVENT, ndjson, query, write

    event = ndjson(SENDGRID_EVENT)
    write(cfg, "email_events", "sendgrid_events_gaps.json", "\ufeff" + event + "\n  \n" + event)
    write(cfg, "email_events", "sendgrid_events_array.json", event + "\n[1, 2]\n" + event)
    result = land_source("email_events", cfg, progress=False)
    assert [f.path for f in result.files_loaded] == ["email_events/sendgrid_events_gaps.json"]
    assert query(cfg, "SELECT _row_number FROM raw.email_events ORDER BY 1") == [(1,), (4,)]
    [bad] = result.files_quarantined
    assert bad.reasons[0]["rule"] == "json_invalid" and bad.reasons[0]["rows"] == [3]


def test_blank_is_null_or_trims_to_empty() -> None:
    values = [
        None,
        "",
        " ",
        "  ",
        "a",
        " a",
        "a ",
        "\u3000",
        "\u3000x",
        "\t",
        "\ta",
        "中",
        "-",
        "~",
    ]
    con = duckdb.connect()
    for v in values:
        sql = f"SELECT {suites._blank('x')}, (x IS NULL OR trim(x) = '') FROM (SELECT ? AS x)"
        fast, plain = con.execute(sql, [v]).fetchall()[0]
        assert fast == plain, v
