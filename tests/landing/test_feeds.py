"""Every feed of docs/sources.md parses from a tiny file written from its documented format."""

from __future__ import annotations

import json

import pytest

from orchestration.landing import FEEDS, SOURCES, land_source, snake_case
from tests.landing.conftest import CSV_SAMPLES, JSON_SAMPLES, query, write


def test_every_feed_has_a_sample() -> None:
    assert set(CSV_SAMPLES) | set(JSON_SAMPLES) == set(FEEDS)
    assert SOURCES[0] == "crm_contacts" and len(SOURCES) == 12


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Lineitem quantity", "lineitem_quantity"),
        ("Amount spent (TWD)", "amount_spent_twd"),
        ("Impr.", "impr"),
        ("smtp-id", "smtp_id"),
        ("userId", "user_id"),
        ("\ufeffRecord ID", "record_id"),
        ("SentDate", "sent_date"),
    ],
)
def test_header_is_snake_case(header: str, column: str) -> None:
    assert snake_case(header) == column


@pytest.mark.parametrize("key", sorted(CSV_SAMPLES))
def test_csv_feed_parses(cfg, key: str) -> None:
    feed = FEEDS[key]
    name, content = CSV_SAMPLES[key]
    write(cfg, feed.source, name, content)
    result = land_source(feed.source, cfg, progress=False)
    assert not result.files_quarantined, result.files_quarantined
    expected = content.count("\n") - 1 - feed.skip_lines
    assert result.rows_loaded == expected
    cols = [r[0] for r in query(cfg, f"DESCRIBE raw.{feed.table}")]
    assert cols[: len(feed.columns)] == list(feed.columns)
    assert {"_source_file", "_row_number", "_loaded_at", "_file_hash"} <= set(cols)
    rows = query(cfg, f"SELECT _source_file, _row_number FROM raw.{feed.table} ORDER BY 2")
    assert rows == [(f"{feed.source}/{name}", i + 1) for i in range(expected)]
    types = {r[1] for r in query(cfg, f"DESCRIBE raw.{feed.table}") if not r[0].startswith("_")}
    assert types == {"VARCHAR"}


@pytest.mark.parametrize("key", sorted(JSON_SAMPLES))
def test_json_feed_parses(cfg, key: str) -> None:
    feed = FEEDS[key]
    name, content, n = JSON_SAMPLES[key]
    write(cfg, feed.source, name, content)
    result = land_source(feed.source, cfg, progress=False)
    assert not result.files_quarantined, result.files_quarantined
    assert result.rows_loaded == n
    cols = [r[0] for r in query(cfg, f"DESCRIBE raw.{feed.table}")]
    assert cols[: len(feed.columns)] == list(feed.columns)
    assert "_record" in cols
    records = query(cfg, f"SELECT _record FROM raw.{feed.table} ORDER BY _row_number")
    assert all(isinstance(json.loads(r[0]), dict) for r in records)


def test_ga4_params_and_nested_fields_are_flattened(cfg) -> None:
    name, content, _ = JSON_SAMPLES["web_events/ga4_events"]
    write(cfg, "web_events", name, content)
    land_source("web_events", cfg, progress=False)
    row = query(
        cfg,
        "SELECT param__ga_session_id, param__page_location, param__engagement_time_msec, "
        "device__web_info__browser, geo__city, collected_traffic_source__manual_source, "
        "event_timestamp, _record FROM raw.web_events LIMIT 1",
    )[0]
    assert row[:7] == (
        "1777629600",
        "https://shop.tw/?utm_source=line",
        "1200",
        "Safari",
        "Taipei",
        "line",
        "1777629600000000",
    )
    assert "unlisted_param" in row[7]


def test_sendgrid_array_category_is_json_text(cfg) -> None:
    name, content, _ = JSON_SAMPLES["email_events/sendgrid_events"]
    write(cfg, "email_events", name, content)
    land_source("email_events", cfg, progress=False)
    assert query(cfg, "SELECT smtp_id, category FROM raw.email_events") == [
        ("<x@y>", '["promo","may"]')
    ]


def test_meta_webhook_one_row_per_messaging_item(cfg) -> None:
    name, content, _ = JSON_SAMPLES["social_messages/meta_webhook"]
    write(cfg, "social_messages", name, content)
    land_source("social_messages", cfg, progress=False)
    rows = query(
        cfg,
        "SELECT object, entry__id, entry__time, sender__id, recipient__id, message__is_echo "
        "FROM raw.social_messages ORDER BY _row_number",
    )
    assert rows == [
        ("page", "PAGE1", "1777629600000", "PSID1", "PAGE1", None),
        ("page", "PAGE1", "1777629600000", "PAGE1", "PSID1", "true"),
    ]


def test_google_ads_title_lines_are_skipped(cfg) -> None:
    name, content = CSV_SAMPLES["ad_spend/google_ads"]
    write(cfg, "ad_spend", name, content)
    land_source("ad_spend", cfg, progress=False)
    assert query(cfg, "SELECT day, campaign_id, impr, cost FROM raw.ad_spend_google_ads") == [
        ("2026-05-01", "111", "1,234", "1,500.25")
    ]


def test_raw_tables_exist_even_without_files(cfg) -> None:
    land_source("consent", cfg, progress=False)
    assert query(cfg, "SELECT count(*) FROM raw.consent") == [(0,)]
