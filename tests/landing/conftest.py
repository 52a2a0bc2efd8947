"""Fixtures for landing tests: a tmp landing dir, quarantine dir and DuckDB warehouse."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.config import Settings, settings

#: One tiny valid file per feed, written from the documented header / fields.
CSV_SAMPLES: dict[str, tuple[str, str]] = {
    "crm_contacts/hubspot_contacts": (
        "hubspot-crm-exports-all-2026-05-01.csv",
        "Record ID,First Name,Last Name,Email,Phone Number,Mobile Phone Number,Lifecycle Stage,"
        "Create Date,Last Modified Date,Member Number,LINE User ID,Email Opt In,SMS Opt In,"
        "LINE Opt In\n"
        "101,Mei,Lin,mei@example.com,02 2345 6789,0912345678,customer,2026-05-01 09:30,"
        "2026-05-02 10:00,M0001,U1234,true,false,\n",
    ),
    "shop_orders/shopify_orders": (
        "orders_export_1.csv",
        "Name,Email,Financial Status,Paid at,Fulfillment Status,Accepts Marketing,Currency,"
        "Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Created at,"
        "Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Billing Phone,"
        "Shipping Phone,Notes,Cancelled at,Payment Method,Refunded Amount,Id,Tags,Source,Phone\n"
        "#1001,mei@example.com,paid,2026-05-01 10:00:00 +0800,fulfilled,yes,TWD,1200.00,60.00,"
        "0.00,1260.00,,0.00,2026-05-01 09:59:00 +0800,2,Plaid shirt,600.00,SH-1,Mei Lin,"
        "+886912345678,,,,credit_card,0.00,5551001,,web,+886912345678\n"
        "#1001,,,,,,,,,,,,,,1,Socks,0.00,SO-1,,,,,,,,5551001,,,\n",
    ),
    "pos_transactions/pos_lines": (
        "pos_2026-05-01.csv",
        "store_id,store_name,transaction_no,transaction_time,member_no,phone,item_sku,item_name,"
        "quantity,unit_price,amount,payment_type,transaction_type\n"
        "S01,信義店,T0001,2026/05/01 14:03:00,M0001,0912345678,SH-1,格紋襯衫,1,600,600,cash,SALE\n",
    ),
    "line_events/line_send_log": (
        "send_log_2026-05-01.csv",
        "request_id,sent_at,line_user_id,campaign_id,message_type,content_tags,short_code,status,"
        "error_code,unit_cost,currency\n"
        "r-1,2026-05-01T10:00:00+08:00,U1234,cmp-1,push,plaid_shirt|size_m,abc123,delivered,,"
        "0.2,TWD\n",
    ),
    "sms_messages/twilio_messages": (
        "twilio_messages_2026-05.csv",
        "From,To,Body,Status,SentDate,ApiVersion,NumSegments,ErrorCode,AccountSid,Sid,Direction,"
        "Price,PriceUnit\n"
        "+15005550006,+886912345678,Sale! https://s.omni.tw/abc,delivered,"
        "2026-05-01T10:00:00+08:00,2010-04-01,1,,AC1,SM1,outbound-api,-0.0079,USD\n",
    ),
    "social_messages/inbox_contacts": (
        "inbox_contacts_2026-05.csv",
        "contact_id,channel,channel_user_id,name,email,phone,created_at,last_message_at,"
        "conversation_status,assignee\n"
        "c1,messenger,PSID1,Mei,mei@example.com,,2026-05-01T10:00:00Z,2026-05-01T11:00:00Z,"
        "open,agent1\n",
    ),
    "ad_spend/google_ads": (
        "google_ads_campaign_report_2026-05.csv",
        "Campaign report\nMay 1, 2026 - August 31, 2026\n"
        "Day,Campaign ID,Campaign,Campaign status,Currency code,Impr.,Clicks,Cost,Conversions\n"
        '2026-05-01,111,Brand,Enabled,TWD,"1,234",56,"1,500.25",3.00\n',
    ),
    "ad_spend/meta_ads": (
        "meta_ads_insights_2026-05.csv",
        "Day,Campaign name,Campaign ID,Amount spent (TWD),Impressions,Reach,Link clicks,Results,"
        "Reporting starts,Reporting ends\n"
        "2026-05-01,Spring,222,800.5,10000,8000,120,4,2026-05-01,2026-05-31\n",
    ),
    "consent/consent_events": (
        "consent_2026-05.csv",
        "event_id,occurred_at,subject_type,subject_value,channel,status,source\n"
        "e1,2026-05-01T10:00:00Z,email,mei@example.com,email,granted,crm\n",
    ),
    "erasure_requests/erasure_requests": (
        "erasure_requests_2026-05.csv",
        "request_id,requested_at,subject_type,subject_value\n"
        "er1,2026-05-03T10:00:00Z,phone,0912345678\n",
    ),
}

GA4_EVENT = {
    "event_date": "20260501",
    "event_timestamp": "1777629600000000",
    "event_name": "page_view",
    "event_params": [
        {"key": "ga_session_id", "value": {"int_value": 1777629600}},
        {"key": "page_location", "value": {"string_value": "https://shop.tw/?utm_source=line"}},
        {"key": "engagement_time_msec", "value": {"int_value": 1200}},
        {"key": "unlisted_param", "value": {"double_value": 1.5}},
    ],
    "user_id": "M0001",
    "user_pseudo_id": "123.456",
    "platform": "WEB",
    "stream_id": "9001",
    "device": {"category": "mobile", "operating_system": "iOS", "web_info": {"browser": "Safari"}},
    "geo": {"country": "Taiwan", "city": "Taipei"},
    "collected_traffic_source": {"manual_source": "line", "gclid": None},
    "ecommerce": {"transaction_id": None, "purchase_revenue": None},
}
SENDGRID_EVENT = {
    "email": "mei@example.com",
    "timestamp": 1777629600,
    "event": "click",
    "sg_event_id": "ev1",
    "sg_message_id": "msg1",
    "smtp-id": "<x@y>",
    "category": ["promo", "may"],
    "url": "https://s.omni.tw/abc",
    "campaign_id": "cmp-1",
    "content_tags": "plaid_shirt|size_m",
}
META_BODY = {
    "object": "page",
    "entry": [
        {
            "id": "PAGE1",
            "time": 1777629600000,
            "messaging": [
                {
                    "sender": {"id": "PSID1"},
                    "recipient": {"id": "PAGE1"},
                    "timestamp": 1777629600000,
                    "message": {"mid": "m1", "text": "hi"},
                },
                {
                    "sender": {"id": "PAGE1"},
                    "recipient": {"id": "PSID1"},
                    "timestamp": 1777629601000,
                    "message": {"mid": "m2", "text": "hello", "is_echo": True},
                },
            ],
        }
    ],
}
SHLINK_VISIT = {
    "shortUrl": {
        "shortCode": "abc123",
        "shortUrl": "https://s.omni.tw/abc123",
        "longUrl": "https://shop.tw/p/1?utm_source=line",
        "dateCreated": "2026-05-01T09:00:00+08:00",
        "tags": ["recipient", "campaign:cmp-1", "channel:line"],
        "title": None,
    },
    "visit": {
        "referer": "",
        "date": "2026-05-01T10:00:00+08:00",
        "userAgent": "Mozilla/5.0",
        "visitLocation": {"countryCode": "TW", "cityName": "Taipei", "timezone": "Asia/Taipei"},
        "potentialBot": False,
        "visitedUrl": "https://s.omni.tw/abc123",
    },
}
LINE_BODY = {
    "destination": "Ubrand",
    "events": [
        {
            "type": "follow",
            "mode": "active",
            "timestamp": 1777629600000,
            "source": {"type": "user", "userId": "U1234"},
            "webhookEventId": "01H",
            "deliveryContext": {"isRedelivery": False},
            "replyToken": "rt",
        }
    ],
}


def ndjson(*records: dict) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


JSON_SAMPLES: dict[str, tuple[str, str, int]] = {
    "web_events/ga4_events": ("events_20260501.json", ndjson(GA4_EVENT, GA4_EVENT), 2),
    "email_events/sendgrid_events": ("sendgrid_events_2026-05-01.json", ndjson(SENDGRID_EVENT), 1),
    "social_messages/meta_webhook": ("webhook_2026-05-01.json", ndjson(META_BODY), 2),
    "link_clicks/shlink_visits": ("visits_2026-05-01.json", ndjson(SHLINK_VISIT), 1),
    "line_events/line_webhook": ("webhook_2026-05-01.json", ndjson(LINE_BODY, LINE_BODY), 2),
}


@pytest.fixture
def cfg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("OMNI_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("OMNI_QUARANTINE_DIR", str(tmp_path / "quarantine"))
    monkeypatch.setenv("OMNI_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("OMNI_PII_SALT", "test-salt")
    s = settings()
    s.landing_dir.mkdir(parents=True)
    return s


def write(cfg: Settings, source: str, name: str, content: str | bytes, encoding="utf-8") -> Path:
    path = cfg.landing_dir / source / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def query(cfg: Settings, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(cfg.warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def kill_landing_inside_transaction(source: str) -> list[str]:
    """Land `source` in a child process told to sleep inside its transaction (after the inserts,
    before COMMIT), SIGKILL it there, and return the words it printed on arrival: the marker
    and the files of the transaction."""
    from orchestration.landing.loader import SLEEP_IN_TXN_ENV

    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from orchestration.landing import land_source; "
            f"land_source({source!r}, progress=False)",
        ],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, SLEEP_IN_TXN_ENV: "60"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        words = proc.stdout.readline().split()
        assert words[:1] == ["SLEEPING_IN_TRANSACTION"], words
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
    return words


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "generated_sample: lands a small generated sample (generator, tmp dir)"
    )
