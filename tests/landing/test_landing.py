"""Landing behaviour: ledger, quarantine, encodings, vendor fixture, schema drift."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from orchestration.landing import land_all, land_source
from tests.landing.conftest import CSV_SAMPLES, query, write

LINE_FIXTURE = Path("/work/shared/fixtures/vendor/line_webhook_v3.json")
HUBSPOT_HEADER = CSV_SAMPLES["crm_contacts/hubspot_contacts"][1].splitlines()[0]
CONSENT = CSV_SAMPLES["consent/consent_events"][1]


def _count(cfg, table: str) -> int:
    return query(cfg, f"SELECT count(*) FROM raw.{table}")[0][0]


def test_redelivered_file_is_a_no_op(cfg) -> None:
    write(cfg, "consent", "consent_a.csv", CONSENT)
    first = land_source("consent", cfg, progress=False)
    assert first.rows_loaded == 1
    again = land_source("consent", cfg, progress=False)
    assert again.rows_loaded == 0 and len(again.files_skipped) == 1
    write(cfg, "consent", "consent_copy_under_another_name.csv", CONSENT)
    renamed = land_source("consent", cfg, progress=False)
    assert renamed.rows_loaded == 0
    assert [f.path for f in renamed.files_skipped] == [
        "consent/consent_a.csv",
        "consent/consent_copy_under_another_name.csv",
    ]
    assert _count(cfg, "consent") == 1
    assert query(cfg, "SELECT count(*), min(status) FROM raw._landing_ledger") == [(1, "loaded")]


def test_a_landed_file_unchanged_since_is_not_read_again(cfg, monkeypatch) -> None:
    """The landing folder keeps every earlier delivery: a file the ledger holds as loaded under
    its name and size, not modified since, is skipped without being hashed; a file written
    again (other bytes, same size) has a later modification time and is hashed and loaded."""
    from orchestration.landing import loader

    write(cfg, "consent", "consent_a.csv", CONSENT)
    assert land_source("consent", cfg, progress=False).rows_loaded == 1
    hashed: list[str] = []
    real = loader.hash_and_detect
    monkeypatch.setattr(loader, "hash_and_detect", lambda p: hashed.append(p.name) or real(p))
    again = land_source("consent", cfg, progress=False)
    assert hashed == [] and [f.path for f in again.files_skipped] == ["consent/consent_a.csv"]
    assert again.files_skipped[0].reasons[0]["rule"] == "already_landed"
    changed = CONSENT.replace("e1,", "e9,")
    assert changed != CONSENT and len(changed) == len(CONSENT)
    write(cfg, "consent", "consent_a.csv", changed)
    rewritten = land_source("consent", cfg, progress=False)
    assert hashed == ["consent_a.csv"] and rewritten.rows_loaded == 1
    assert _count(cfg, "consent") == 2
    # and that version, unchanged since, is not read again either
    assert land_source("consent", cfg, progress=False).rows_loaded == 0
    assert hashed == ["consent_a.csv"]


def test_malformed_file_is_quarantined_while_batch_mates_load(cfg) -> None:
    header = CONSENT.splitlines()[0]
    good_row = CONSENT.splitlines()[1]
    write(cfg, "consent", "consent_1.csv", CONSENT)
    bad = f"{header}\n{good_row}\ne2,2026-05-01T10:00:00Z,email,x@y.z,email,granted,crm,EXTRA\n"
    write(cfg, "consent", "consent_2_bad.csv", bad)
    write(cfg, "consent", "consent_3.csv", CONSENT.replace("e1,", "e3,"))
    result = land_source("consent", cfg, progress=False)
    assert [f.path for f in result.files_loaded] == [
        "consent/consent_1.csv",
        "consent/consent_3.csv",
    ]
    [q] = result.files_quarantined
    assert q.reasons[0]["rule"] == "csv_too_many_fields" and q.reasons[0]["rows"] == [2]
    assert _count(cfg, "consent") == 2
    assert query(cfg, "SELECT count(*) FROM raw.consent WHERE _source_file LIKE '%bad%'") == [(0,)]
    moved = cfg.quarantine_dir / "consent" / "consent_2_bad.csv"
    assert moved.read_text() == bad and not (cfg.landing_dir / "consent/consent_2_bad.csv").exists()
    reason = json.loads((moved.parent / "consent_2_bad.csv.reason.json").read_text())
    assert reason["file"] == "consent/consent_2_bad.csv" and reason["feed"] == "consent_events"
    assert reason["reasons"][0]["rule"] == "csv_too_many_fields"
    assert reason["reasons"][0]["rows"] == [2] and reason["reasons"][0]["count"] == 1
    # the same bad bytes re-delivered are not read again; a corrected file has a new hash
    write(cfg, "consent", "consent_2_bad.csv", bad)
    skipped = land_source("consent", cfg, progress=False).files_skipped
    assert "consent/consent_2_bad.csv" in [f.path for f in skipped]
    write(cfg, "consent", "consent_2_fixed.csv", bad.replace(",EXTRA", ""))
    assert land_source("consent", cfg, progress=False).rows_loaded == 2
    statuses = query(cfg, "SELECT status, count(*) FROM raw._landing_ledger GROUP BY 1 ORDER BY 1")
    assert statuses == [("loaded", 3), ("quarantined", 1)]


def test_missing_required_column_quarantines_naming_source_file_and_column(cfg) -> None:
    write(cfg, "erasure_requests", "erasure_requests_1.csv", "request_id,requested_at\nr1,x\n")
    result = land_source("erasure_requests", cfg, progress=False)
    [q] = result.files_quarantined
    reason = json.loads(
        (cfg.quarantine_dir / "erasure_requests/erasure_requests_1.csv.reason.json").read_text()
    )
    assert reason["reasons"][0]["rule"] == "required_columns"
    assert "subject_type" in reason["reasons"][0]["column"]
    assert "erasure_requests" in reason["message"] and "erasure_requests_1.csv" in reason["message"]
    assert "subject_value" in reason["message"]
    assert _count(cfg, "erasure_requests") == 0


def test_bad_timestamps_and_numbers_are_named_with_rows(cfg) -> None:
    content = (
        "Day,Campaign name,Campaign ID,Amount spent (TWD),Impressions,Reach,Link clicks,Results,"
        "Reporting starts,Reporting ends\n"
        "2026-05-01,A,1,10,1,1,1,1,2026-05-01,2026-05-31\n"
        "yesterday,A,1,10,1,1,1,1,2026-05-01,2026-05-31\n"
        "1999-05-01,A,1,ten,1,1,1,1,2026-05-01,2026-05-31\n"
        "2099-05-01,A,,10,1,1,1,1,2026-05-01,2026-05-31\n"
    )
    write(cfg, "ad_spend", "meta_ads_insights_bad.csv", content)
    [q] = land_source("ad_spend", cfg, progress=False).files_quarantined
    by_rule = {(r["rule"], r["column"]): r for r in q.reasons}
    assert by_rule[("timestamp_parses", "day")]["rows"] == [2]
    assert by_rule[("timestamp_in_range", "day")]["rows"] == [3, 4]
    assert by_rule[("numeric_parses", "amount_spent_twd")]["rows"] == [3]
    assert by_rule[("required_not_null", "campaign_id")]["rows"] == [4]


def test_unparseable_truncated_binary_and_wrong_delimiter_files_are_quarantined(cfg) -> None:
    from tests.landing.conftest import SENDGRID_EVENT, ndjson

    events = ndjson(SENDGRID_EVENT, SENDGRID_EVENT)
    write(cfg, "email_events", "sendgrid_events_ok.json", events)
    write(cfg, "email_events", "sendgrid_events_truncated.json", events[:-40])
    write(cfg, "email_events", "sendgrid_events_garbage.json", "not json at all\n")
    write(cfg, "email_events", "sendgrid_events_binary.json", bytes(range(256)) * 4)
    res = land_source("email_events", cfg, progress=False)
    assert [f.path for f in res.files_loaded] == ["email_events/sendgrid_events_ok.json"]
    rules = {Path(f.path).name: f.reasons[0] for f in res.files_quarantined}
    assert rules["sendgrid_events_truncated.json"]["rule"] == "json_invalid"
    assert rules["sendgrid_events_truncated.json"]["rows"] == [2]
    assert rules["sendgrid_events_garbage.json"]["rule"] == "json_invalid"
    assert rules["sendgrid_events_binary.json"]["rule"] == "encoding"

    write(cfg, "consent", "consent_semicolon.csv", CONSENT.replace(",", ";"))
    write(cfg, "consent", "consent_short_row.csv", CONSENT + "e9,2026-05-01T10:00:00Z\n")
    write(cfg, "consent", "consent_open_quote.csv", CONSENT + 'e9,"2026-05-01\n')
    res = land_source("consent", cfg, progress=False)
    rules = {Path(f.path).name: f.reasons[0] for f in res.files_quarantined}
    assert rules["consent_semicolon.csv"]["rule"] == "required_columns"
    assert rules["consent_short_row.csv"]["rule"] == "csv_too_few_fields"
    assert rules["consent_short_row.csv"]["rows"] == [2]
    assert rules["consent_open_quote.csv"]["rule"] in {"csv_unterminated_quote", "csv_unreadable"}
    assert _count(cfg, "consent") == 0


def test_big5_file_decodes_chinese_text(cfg) -> None:
    name, content = CSV_SAMPLES["pos_transactions/pos_lines"]
    write(cfg, "pos_transactions", "pos_big5.csv", content, encoding="cp950")
    result = land_source("pos_transactions", cfg, progress=False)
    assert result.files_loaded[0].encoding == "cp950"
    assert query(cfg, "SELECT store_name, item_name FROM raw.pos_transactions") == [
        ("信義店", "格紋襯衫")
    ]


def test_utf8_bom_header_is_read(cfg) -> None:
    write(cfg, "consent", "consent_bom.csv", "\ufeff" + CONSENT.replace("\n", "\r\n"))
    result = land_source("consent", cfg, progress=False)
    assert result.files_loaded[0].encoding == "utf-8-sig" and result.rows_loaded == 1
    assert query(cfg, "SELECT event_id, source FROM raw.consent") == [("e1", "crm")]


def test_line_vendor_fixture_loads_all_events_and_flags_unknown_types(cfg) -> None:
    (cfg.landing_dir / "line_events").mkdir()
    shutil.copy(LINE_FIXTURE, cfg.landing_dir / "line_events" / "webhook_vendor_sample.json")
    result = land_source("line_events", cfg, progress=False)
    assert result.rows_loaded == 28 and not result.files_quarantined
    assert result.flagged == {"type": 2}
    check = next(c for c in result.files_loaded[0].validation if c["rule"] == "unknown_value")
    assert set(check["values"]) == {"messageEdited", "undefined"}
    rows = query(cfg, "SELECT type, destination FROM raw.line_events WHERE type = 'undefined'")
    assert rows == [("undefined", "U123")]
    assert query(cfg, "SELECT count(*) FROM raw.line_events WHERE _record IS NULL") == [(0,)]
    redelivered = query(
        cfg, "SELECT count(*) FROM raw.line_events WHERE delivery_context__is_redelivery = 'true'"
    )
    assert redelivered[0][0] >= 1


def test_new_column_is_kept(cfg) -> None:
    content = CSV_SAMPLES["crm_contacts/hubspot_contacts"][1]
    lines = content.splitlines()
    drift = f"{lines[0]},Favourite Store\n{lines[1]},S01\n"
    write(cfg, "crm_contacts", "hubspot-crm-exports-1.csv", content)
    write(cfg, "crm_contacts", "hubspot-crm-exports-2.csv", drift.replace("101,", "102,"))
    result = land_source("crm_contacts", cfg, progress=False)
    assert result.files_loaded[1].new_columns == ["favourite_store"]
    rows = query(cfg, "SELECT record_id, favourite_store FROM raw.crm_contacts ORDER BY 1")
    assert rows == [("101", None), ("102", "S01")]


def test_empty_and_header_only_files_load_zero_rows(cfg) -> None:
    write(cfg, "crm_contacts", "hubspot-crm-exports-empty.csv", "")
    write(cfg, "crm_contacts", "hubspot-crm-exports-header.csv", HUBSPOT_HEADER + "\n")
    write(cfg, "email_events", "sendgrid_events_empty.json", "\n")
    results = land_all(cfg, progress=False)
    assert len(results["crm_contacts"].files_loaded) == 2
    assert len(results["email_events"].files_loaded) == 1
    assert _count(cfg, "crm_contacts") == 0
    ledger = query(cfg, "SELECT rows, status FROM raw._landing_ledger")
    assert sorted(ledger) == [(0, "loaded")] * 3
    assert (cfg.warehouse.parent / "landing_report.json").exists()


def test_file_matching_no_glob_is_reported_and_left(cfg) -> None:
    path = write(cfg, "crm_contacts", "notes.txt", "hello")
    result = land_source("crm_contacts", cfg, progress=False)
    assert result.files_unrecognised == ["crm_contacts/notes.txt"]
    assert path.exists() and not result.files_quarantined
