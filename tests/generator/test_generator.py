"""The sample generator writes every feed of docs/sources.md, deterministically, with its mess."""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import io
import json
import re
from pathlib import Path

import phonenumbers
import pytest

from orchestration.generator import generate, params
from orchestration.generator.cli import main
from orchestration.generator.core import GeneratorError
from orchestration.generator.truth import IDENTIFIER_TYPES

from .conftest import SMALL

#: (source folder, feed glob, exact CSV header or required JSON fields, kind)
FEEDS = [
    (
        "crm_contacts",
        "hubspot-crm-exports-*.csv",
        "Record ID, First Name, Last Name, Email, "
        "Phone Number, Mobile Phone Number, Lifecycle Stage, Create Date, Last Modified Date, "
        "Member Number, LINE User ID, Email Opt In, SMS Opt In, LINE Opt In",
        "csv",
    ),
    (
        "shop_orders",
        "orders_export*.csv",
        "Name, Email, Financial Status, Paid at, Fulfillment "
        "Status, Accepts Marketing, Currency, Subtotal, Shipping, Taxes, Total, Discount Code, "
        "Discount Amount, Created at, Lineitem quantity, Lineitem name, Lineitem price, Lineitem "
        "sku, Billing Name, Billing Phone, Shipping Phone, Notes, Cancelled at, Payment Method, "
        "Refunded Amount, Id, Tags, Source, Phone",
        "csv",
    ),
    (
        "pos_transactions",
        "pos_*.csv",
        "store_id, store_name, transaction_no, transaction_time, "
        "member_no, phone, item_sku, item_name, quantity, unit_price, amount, payment_type, "
        "transaction_type",
        "csv",
    ),
    (
        "line_events",
        "send_log_*.csv",
        "request_id, sent_at, line_user_id, campaign_id, "
        "message_type, content_tags, short_code, status, error_code, unit_cost, currency",
        "csv",
    ),
    (
        "sms_messages",
        "twilio_messages_*.csv",
        "From, To, Body, Status, SentDate, ApiVersion, "
        "NumSegments, ErrorCode, AccountSid, Sid, Direction, Price, PriceUnit",
        "csv",
    ),
    (
        "social_messages",
        "inbox_contacts_*.csv",
        "contact_id, channel, channel_user_id, name, "
        "email, phone, created_at, last_message_at, conversation_status, assignee",
        "csv",
    ),
    (
        "ad_spend",
        "google_ads_campaign_report_*.csv",
        "Day, Campaign ID, Campaign, Campaign "
        "status, Currency code, Impr., Clicks, Cost, Conversions",
        "gads",
    ),
    (
        "ad_spend",
        "meta_ads_insights_*.csv",
        "Day, Campaign name, Campaign ID, Amount spent "
        "(TWD), Impressions, Reach, Link clicks, Results, Reporting starts, Reporting ends",
        "csv",
    ),
    (
        "consent",
        "consent_*.csv",
        "event_id, occurred_at, subject_type, subject_value, channel, status, source",
        "csv",
    ),
    (
        "erasure_requests",
        "erasure_requests_*.csv",
        "request_id, requested_at, subject_type, subject_value",
        "csv",
    ),
    ("web_events", "events_*.json", "event_date event_timestamp event_name user_pseudo_id", "ga4"),
    ("line_events", "webhook_*.json", "type timestamp", "line"),
    ("email_events", "sendgrid_events_*.json", "email timestamp event sg_event_id", "ndjson"),
    ("social_messages", "webhook_*.json", "object timestamp", "meta"),
    ("link_clicks", "visits_*.json", "shortUrl.shortCode visit.date", "shlink"),
]


def _hash_tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _good_files(landing: Path, source: str, glob: str, manifest: dict) -> list[Path]:
    faulty = {f["file"] for f in manifest["injected_faults"]}
    return [
        p
        for p in sorted((landing / source).iterdir())
        if fnmatch.fnmatch(p.name, glob) and f"{source}/{p.name}" not in faulty
    ]


def _decode(p: Path) -> str:
    raw = p.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp950")


def test_same_seed_writes_byte_identical_files(sample, tmp_path):
    landing, truth, _ = sample
    generate(tmp_path / "landing", tmp_path / "truth", seed=42, **SMALL)
    assert _hash_tree(tmp_path / "landing") == _hash_tree(landing)
    assert _hash_tree(tmp_path / "truth") == _hash_tree(truth)


def test_different_seed_writes_different_files(sample, tmp_path):
    landing, _, _ = sample
    generate(tmp_path / "landing", tmp_path / "truth", seed=43, **SMALL)
    other = _hash_tree(tmp_path / "landing")
    mine = _hash_tree(landing)
    common = set(other) & set(mine)
    assert sum(other[k] != mine[k] for k in common) > len(common) * 0.8


@pytest.mark.parametrize(("source", "glob", "spec", "kind"), FEEDS, ids=[f[1] for f in FEEDS])
def test_every_feed_has_a_file_with_the_documented_header(sample, source, glob, spec, kind):
    landing, _, manifest = sample
    files = _good_files(landing, source, glob, manifest)
    assert files, f"no {source}/{glob}"
    for p in files:
        text = _decode(p)
        if kind in ("csv", "gads"):
            lines = text.splitlines()
            if kind == "gads":
                assert lines[0] == "Campaign report"
                assert re.fullmatch(r"\w+ \d+, \d{4} - \w+ \d+, \d{4}", lines[1])
                lines = lines[2:]
            header = next(csv.reader(io.StringIO(lines[0])))
            assert header == [h.strip() for h in spec.split(", ")]
            continue
        for line in text.splitlines():
            rec = json.loads(line)
            items = [rec]
            if kind == "line":
                assert "destination" in rec
                items = rec["events"]
            if kind == "meta":
                items = [
                    {"object": rec["object"], **m} for e in rec["entry"] for m in e["messaging"]
                ]
                assert all("id" in m["sender"] for m in items)
            for item in items:
                for field in spec.split():
                    value = item
                    for part in field.split("."):
                        value = value[part]
                    assert value not in (None, ""), f"{p.name}: {field} empty"


def test_pos_big5_store_file_decodes_as_cp950_and_not_as_utf8(sample):
    landing, _, _ = sample
    big5 = sorted((landing / "pos_transactions").glob("pos_S002_*.csv"))
    assert big5
    raw = big5[0].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "台北西門店" in raw.decode("cp950")


def test_pos_bom_store_file_starts_with_a_utf8_bom(sample):
    landing, _, _ = sample
    bom = sorted((landing / "pos_transactions").glob("pos_S003_2026-05.csv"))
    assert bom and bom[0].read_bytes().startswith(b"\xef\xbb\xbf")


def test_phone_variants_and_foreign_numbers_appear(sample):
    landing, _, _ = sample
    text = "".join(
        p.read_text(encoding="utf-8")
        for p in [*landing.glob("shop_orders/*.csv"), *landing.glob("crm_contacts/*.csv")]
    )
    assert re.search(r"\b09\d{2}-\d{3}-\d{3}\b", text)
    assert re.search(r"\+886 9\d{2} \d{3} \d{3}", text)
    assert re.search(r"(?<![+\d])8869\d{8}\b", text)
    assert re.search(r"(?<![\d-])09\d{8}\b", text)


def test_foreign_phone_formats_normalise_like_staging():
    for raw, expected in [
        ("+81 90-1234-5678", "+819012345678"),
        ("+1 415-555-0100", "+14155550100"),
        ("886912345678", "+886912345678"),
    ]:
        num = phonenumbers.parse(raw, "TW")
        assert phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164) == expected


def test_truth_is_never_written_under_the_landing_folder(sample, tmp_path):
    landing, truth, _ = sample
    names = {p.name for p in landing.rglob("*")}
    assert not names & {
        "people.csv",
        "identifiers.csv",
        "orders.csv",
        "manifest.json",
        "channel_lifts.json",
        "ab_test.json",
        "campaigns.csv",
    }
    assert landing not in truth.parents
    with pytest.raises(GeneratorError):
        generate(tmp_path / "l", tmp_path / "l" / "truth", **SMALL)


def test_manifest_lists_injected_faults_and_their_files_exist(sample):
    landing, _, manifest = sample
    faults = manifest["injected_faults"]
    rules = {f["rule"] for f in faults}
    assert {
        "too_few_columns",
        "truncated_json",
        "missing_required_column",
        "unparseable_timestamp",
    } <= rules
    for f in faults:
        assert (landing / f["file"]).is_file()
    listed = {f["file"] for f in manifest["files"]}
    assert {f["file"] for f in faults} <= listed


def test_truncated_json_fault_is_really_unparseable(sample):
    landing, _, manifest = sample
    f = next(f for f in manifest["injected_faults"] if f["rule"] == "truncated_json")
    lines = (landing / f["file"]).read_text().splitlines()
    with pytest.raises(json.JSONDecodeError):
        json.loads(lines[f["row"] - 1])


def test_channel_lifts_are_ordered_as_documented(sample):
    _, truth, _ = sample
    lifts = json.loads((truth / "channel_lifts.json").read_text())
    betas = lifts["betas"]
    assert lifts["order"] == sorted(betas, key=lambda c: -betas[c])
    values = [betas[c] for c in lifts["order"]]
    assert all(a - b >= 0.05 for a, b in zip(values, values[1:], strict=False))
    assert lifts["order"][0] == "line"


def test_identifiers_are_normalised_as_staging_normalises(sample):
    _, truth, _ = sample
    rows = list(csv.DictReader((truth / "identifiers.csv").open()))
    types = {r["identifier_type"] for r in rows}
    assert set(IDENTIFIER_TYPES) <= types
    for r in rows:
        v = r["identifier_value"]
        if r["identifier_type"] == "email":
            assert v == v.strip().lower()
        if r["identifier_type"] == "phone":
            assert re.fullmatch(r"\+\d{8,15}", v)
        if r["identifier_type"] == "line_user_id":
            assert re.fullmatch(r"U[0-9a-f]{32}", v)
        if r["identifier_type"] == "web_cookie":
            assert re.fullmatch(r"\d+\.\d{10}", v)
    shared = {r["identifier_value"] for r in rows if r["is_shared"] == "true"}
    assert params.JUNK_EMAIL in shared or "+886900000000" in shared


def test_every_order_in_truth_is_in_the_landing_files(sample):
    landing, truth, manifest = sample
    orders = list(csv.DictReader((truth / "orders.csv").open()))
    assert orders
    shop_ids = set()
    for p in _good_files(landing, "shop_orders", "orders_export*.csv", manifest):
        shop_ids |= {r["Id"] for r in csv.DictReader(io.StringIO(_decode(p)))}
    pos_ids = set()
    for p in _good_files(landing, "pos_transactions", "pos_*.csv", manifest):
        pos_ids |= {r["transaction_no"] for r in csv.DictReader(io.StringIO(_decode(p)))}
    for o in orders:
        assert o["source_order_id"] in (shop_ids if o["source"] == "shopify" else pos_ids)


def test_ga4_purchases_carry_shopify_order_ids(sample):
    landing, truth, _ = sample
    shop = {
        o["source_order_id"]
        for o in csv.DictReader((truth / "orders.csv").open())
        if o["source"] == "shopify"
    }
    purchases = [
        json.loads(line)["ecommerce"]["transaction_id"]
        for p in landing.glob("web_events/events_????????.json")
        for line in p.read_text().splitlines()
        if '"purchase"' in line
    ]
    assert purchases and set(purchases) <= shop


def test_messages_carry_per_recipient_short_links_that_visits_resolve(sample):
    landing, _, _ = sample
    codes = set()
    for p in landing.glob("line_events/send_log_*.csv"):
        codes |= {r["short_code"] for r in csv.DictReader(p.open())}
    for p in landing.glob("sms_messages/twilio_messages_????-??.csv"):
        codes |= set(re.findall(r"https://s\.omni\.tw/(\w+)", p.read_text()))
    visits = [
        json.loads(x)
        for p in landing.glob("link_clicks/visits_*.json")
        for x in p.read_text().splitlines()
    ]
    recipient = [v for v in visits if "recipient" in v["shortUrl"]["tags"]]
    assert recipient
    line_sms = [
        v for v in recipient if not any(t == "channel:email" for t in v["shortUrl"]["tags"])
    ]
    assert {v["shortUrl"]["shortCode"] for v in line_sms} <= codes


def test_webhooks_are_redelivered_with_the_same_event_id(tmp_path):
    generate(tmp_path / "l", tmp_path / "t", customers=1500, days=30, progress=False)
    seen: dict[str, int] = {}
    redelivered = []
    for p in (tmp_path / "l" / "line_events").glob("webhook_*.json"):
        for line in p.read_text().splitlines():
            for ev in json.loads(line)["events"]:
                seen[ev["webhookEventId"]] = seen.get(ev["webhookEventId"], 0) + 1
                if ev["deliveryContext"]["isRedelivery"]:
                    redelivered.append(ev["webhookEventId"])
    assert redelivered and all(seen[e] == 2 for e in redelivered)
    sg_ids: dict[str, int] = {}
    for p in (tmp_path / "l" / "email_events").glob("sendgrid_events_????????.json"):
        for line in p.read_text().splitlines():
            e = json.loads(line)["sg_event_id"]
            sg_ids[e] = sg_ids.get(e, 0) + 1
    assert any(n > 1 for n in sg_ids.values())


def test_ab_test_arm_is_recorded_in_the_line_send_log(sample):
    landing, truth, _ = sample
    ab = json.loads((truth / "ab_test.json").read_text())
    types = set()
    for p in landing.glob("line_events/send_log_*.csv"):
        types |= {
            r["message_type"]
            for r in csv.DictReader(p.open())
            if r["campaign_id"] == ab["campaign_id"]
        }
    assert types == {"variant_A", "variant_B"}


def test_cli_writes_the_sample_and_a_manifest(tmp_path, capsys):
    code = main(
        [
            "--customers",
            "50",
            "--days",
            "10",
            "--out",
            str(tmp_path / "l"),
            "--truth",
            str(tmp_path / "t"),
            "--quiet",
            "--seed",
            "7",
        ]
    )
    assert code == 0
    manifest = json.loads((tmp_path / "t" / "manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["customers"] == 50
    assert "rows/s" in capsys.readouterr().out
