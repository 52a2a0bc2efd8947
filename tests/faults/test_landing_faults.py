"""Faults the landing gate decides alone: tiny crafted files, real `land_source` runs.

Scenarios already proven in tests/landing are not repeated here (docs/faults.md maps each
scenario to its test); these are the ones that had no test.
"""

from __future__ import annotations

import gzip
import json

from orchestration.landing import land_source
from tests.landing.conftest import (
    CSV_SAMPLES,
    GA4_EVENT,
    LINE_BODY,
    SENDGRID_EVENT,
    ndjson,
    query,
    write,
)

ORDERS_NAME, ORDERS = CSV_SAMPLES["shop_orders/shopify_orders"]


def _reason(cfg, source: str, name: str) -> dict:
    return json.loads((cfg.quarantine_dir / source / f"{name}.reason.json").read_text())


def test_renamed_required_column_stops_the_file_naming_source_file_and_column(cfg) -> None:
    """Shopify renames `Id` to `Order ID`: the file stops at the contract (quarantined, nothing
    loaded) with a message naming the source, the file and the missing column; the vendor's new
    name is not taken for the old one. The good export beside it still loads."""
    write(cfg, "shop_orders", "orders_export_2026-05.csv", ORDERS)
    header, *rows = ORDERS.splitlines()
    renamed = "\n".join([header.replace(",Id,", ",Order ID,"), *rows]) + "\n"
    write(cfg, "shop_orders", "orders_export_2026-06.csv", renamed.replace("5551001", "5551002"))

    result = land_source("shop_orders", cfg, progress=False)

    assert [f.path for f in result.files_loaded] == ["shop_orders/orders_export_2026-05.csv"]
    [bad] = result.files_quarantined
    assert bad.reasons[0]["rule"] == "required_columns" and bad.reasons[0]["column"] == "id"
    reason = _reason(cfg, "shop_orders", "orders_export_2026-06.csv")
    assert reason["message"].startswith("shop_orders: shop_orders/orders_export_2026-06.csv")
    assert reason["message"].endswith("required column(s) missing: id"), reason["message"]
    assert query(cfg, "select distinct trim(id) from raw.shop_orders") == [("5551001",)]


def test_epoch_milliseconds_where_seconds_are_documented_quarantine_the_file(cfg) -> None:
    """SendGrid timestamps are seconds; a file carrying milliseconds would read as year ~58000.
    The file is quarantined (timestamp_in_range, naming the row), never loaded as the far
    future; the same event in seconds loads."""
    ok = {**SENDGRID_EVENT, "sg_event_id": "s1"}
    millis = SENDGRID_EVENT["timestamp"] * 1000
    in_ms = {**SENDGRID_EVENT, "sg_event_id": "ms1", "timestamp": millis}
    write(cfg, "email_events", "sendgrid_events_seconds.json", ndjson(ok))
    write(cfg, "email_events", "sendgrid_events_millis.json", ndjson(ok, in_ms))

    result = land_source("email_events", cfg, progress=False)

    assert [f.path for f in result.files_loaded] == ["email_events/sendgrid_events_seconds.json"]
    [bad] = result.files_quarantined
    rule = {(r["rule"], r["column"]): r["rows"] for r in bad.reasons}
    assert rule == {("timestamp_in_range", "timestamp"): [2]}
    assert query(cfg, "select sg_event_id from raw.email_events") == [("s1",)]


def test_epoch_seconds_where_milliseconds_are_documented_quarantine_the_file(cfg) -> None:
    """LINE webhook timestamps are milliseconds; seconds would read as January 1970. The file is
    quarantined (timestamp_in_range on `timestamp`); nothing of it loads."""
    event = {**LINE_BODY["events"][0], "timestamp": LINE_BODY["events"][0]["timestamp"] // 1000}
    write(cfg, "line_events", "webhook_seconds.json", json.dumps({**LINE_BODY, "events": [event]}))

    result = land_source("line_events", cfg, progress=False)

    [bad] = result.files_quarantined
    assert [(r["rule"], r["column"]) for r in bad.reasons] == [("timestamp_in_range", "timestamp")]
    assert query(cfg, "select count(*) from raw.line_events") == [(0,)]


def test_future_timestamp_beyond_tomorrow_quarantines_the_file(cfg) -> None:
    """An event dated next year (clock or export bug) fails timestamp_in_range (upper bound: the
    load time + 2 days) and the file is quarantined naming that row."""
    future = {**GA4_EVENT, "event_timestamp": str(4102444800 * 1_000_000)}  # 2100-01-01
    write(cfg, "web_events", "events_20260501.json", ndjson(GA4_EVENT, future, GA4_EVENT))

    result = land_source("web_events", cfg, progress=False)

    [bad] = result.files_quarantined
    assert {(r["rule"], r["column"]): r["rows"] for r in bad.reasons} == {
        ("timestamp_in_range", "event_timestamp"): [2]
    }
    assert query(cfg, "select count(*) from raw.web_events") == [(0,)]


def test_gzip_export_loads_and_truncated_gzip_is_quarantined(cfg) -> None:
    """A gzip-compressed GA4 day file (`events_*.json.gz`) loads like the plain file; the same
    export cut short in transfer (truncated gzip) is quarantined with rule `gzip` and a message
    saying the stream is truncated, whatever its name; nothing of it loads. Redelivering the
    good gzip is a no-op (the ledger hashes the delivered bytes)."""
    packed = gzip.compress(ndjson(GA4_EVENT, GA4_EVENT).encode())
    write(cfg, "web_events", "events_20260501.json.gz", packed)
    write(cfg, "web_events", "events_20260502.json.gz", packed[: len(packed) // 2])
    write(cfg, "web_events", "events_20260503.json", packed[:-10])

    result = land_source("web_events", cfg, progress=False)

    assert [(f.path, f.rows) for f in result.files_loaded] == [
        ("web_events/events_20260501.json.gz", 2)
    ]
    rules = {f.path: f.reasons[0] for f in result.files_quarantined}
    assert set(rules) == {"web_events/events_20260502.json.gz", "web_events/events_20260503.json"}
    assert all(r["rule"] == "gzip" and "truncated" in r["message"] for r in rules.values())
    assert query(cfg, "select count(*), min(_source_file) from raw.web_events") == [
        (2, "web_events/events_20260501.json.gz")
    ]
    write(cfg, "web_events", "events_20260501_again.json.gz", packed)
    assert land_source("web_events", cfg, progress=False).rows_loaded == 0


def test_dropped_or_renamed_optional_column_loads_as_null_and_is_reported(cfg) -> None:
    """A documented but optional column the vendor drops (`Notes`) or renames (`Billing Phone` ->
    `Billing Phone Number`) does not stop the file (docs/sources.md: only required columns do);
    the rows load with it null, the renamed one is kept under its new name, and the file's
    result (and landing_report.json) lists both as `missing_columns`."""
    header, *rows = ORDERS.splitlines()
    fields = header.split(",")
    notes = fields.index("Notes")
    dropped = [",".join(f for i, f in enumerate(line.split(",")) if i != notes) for line in rows]
    renamed_header = [f for f in fields if f != "Notes"]
    renamed_header[renamed_header.index("Billing Phone")] = "Billing Phone Number"
    write(
        cfg,
        "shop_orders",
        "orders_export_drift.csv",
        "\n".join([",".join(renamed_header), *dropped]) + "\n",
    )

    result = land_source("shop_orders", cfg, progress=False)

    [loaded] = result.files_loaded
    assert loaded.rows == 2 and not result.files_quarantined
    assert loaded.missing_columns == ["billing_phone", "notes"]
    assert loaded.new_columns == ["billing_phone_number"]
    assert query(
        cfg, "select billing_phone, billing_phone_number from raw.shop_orders order by _row_number"
    ) == [(None, "+886912345678"), (None, None)]
