"""Faults that only show in the models: one real delivery of crafted files, one real Dagster run.

The module fixture copies the session pipeline's built warehouse and landing folder, drops one
file per source holding every crafted fault below into the landing folder, and runs the whole
`refresh_all` job once (landing, GE gates, dbt build with its tests as asset checks). Each test
then reads raw, staging and marts of that one run. See docs/faults.md for the scenario table.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.conftest import Workspace, make_workspace

#: Shopify order ids of the crafted orders (far from the generator's 61000... ids)
ZERO_ORDER, OVER_REFUND_ORDER, NO_TOUCH_ORDER = "990000001", "990000002", "990000003"
JUNK_PHONE, JUNK_PEOPLE, JUNK_FIRST_ID = "0922-000-999", 2000, 991000000
OVERLAP_ORDERS = 3


@dataclass
class Delivery:
    ws: Workspace
    result: dg.ExecuteInProcessResult
    before: dict[str, int]
    overlap_ids: list[str]
    late_email: str
    late_at: datetime
    dup_at: datetime


def _q(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _failed_checks(result) -> dict[str, str]:
    """Failed asset checks -> their severity (ERROR blocks, WARN only reports)."""
    return {
        f"{e.asset_key.to_user_string()}:{e.check_name}": e.severity.value
        for e in result.get_asset_check_evaluations()
        if not e.passed
    }


def _shopify_file(landing: Path) -> tuple[str, list[str]]:
    """Overlapping export: the last orders of the delivered export again, plus crafted orders, and
    a column the vendor added (`Faults Note`)."""
    [export] = sorted((landing / "shop_orders").glob("orders_export_*.csv"))
    rows = list(csv.reader(io.StringIO(export.read_text(encoding="utf-8"))))
    header, body = rows[0], rows[1:]
    id_at = header.index("Id")
    ids = list(dict.fromkeys(r[id_at] for r in body))[-OVERLAP_ORDERS:]
    overlap = [r for r in body if r[id_at] in ids]

    def order(order_id: str, email: str, total: str, refunded: str = "0.00", status="paid",
              phone: str = "") -> list[str]:  # fmt: skip
        values = dict.fromkeys(header, "")
        values.update(
            {
                "Name": f"#F{order_id}",
                "Email": email,
                "Financial Status": status,
                "Currency": "TWD",
                "Subtotal": total,
                "Shipping": "0.00",
                "Taxes": "0.00",
                "Total": total,
                "Discount Amount": "0.00",
                "Created at": "2026-05-29 12:00:00 +0800",
                "Lineitem quantity": "1",
                "Lineitem name": "Crafted",
                "Lineitem price": total,
                "Lineitem sku": "SKU-FAULT",
                "Refunded Amount": refunded,
                "Id": order_id,
                "Source": "web",
                "Phone": phone,
            }
        )
        return [values[h] for h in header]

    crafted = [
        order(ZERO_ORDER, "zero.value@faults.example", "0.00"),
        order(OVER_REFUND_ORDER, "over.refund@faults.example", "100.00", "150.00", "refunded"),
        order(NO_TOUCH_ORDER, "no.touch@faults.example", "500.00"),
    ]
    crafted += [
        order(str(JUNK_FIRST_ID + i), f"junk{i}@faults.example", "100.00", phone=JUNK_PHONE)
        for i in range(JUNK_PEOPLE)
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*header, "Faults Note"])
    writer.writerows([*(r + [""] for r in overlap), *(r + ["crafted"] for r in crafted)])
    (landing / "shop_orders" / "orders_export_2026-05-overlap.csv").write_text(out.getvalue())
    return out.getvalue(), ids


@pytest.fixture(scope="module")
def delivery(pipeline, tmp_path_factory) -> Delivery:
    built, _ = pipeline
    ws = make_workspace(tmp_path_factory.mktemp("faults") / "ws")
    shutil.copytree(built.landing, ws.landing)
    shutil.copy(built.warehouse, ws.warehouse)
    wh = ws.warehouse

    before = {
        table: _q(wh, f"select count(*) from {table}")[0][0]
        for table in ("raw.shop_orders", "raw.email_events", "staging.stg_shopify__orders")
    }
    _, overlap_ids = _shopify_file(ws.landing)

    # SendGrid: a click five days late, duplicate event ids, an event type SendGrid added later
    email, campaign, newest = _q(
        wh,
        "select email, campaign_id, (select max(cast(timestamp as bigint)) from raw.email_events) "
        "from raw.email_events where event = 'click' order by sg_event_id limit 1",
    )[0]
    late = newest - 5 * 86400
    dup = newest - 86400

    def event(sg_id: str, kind: str, ts: int) -> dict:
        return {"email": email, "timestamp": ts, "event": kind, "sg_event_id": sg_id,
                "sg_message_id": "faults.1", "campaign_id": campaign}  # fmt: skip

    events = [
        event("faults-late-click", "click", late),
        event("faults-dup-equal", "open", dup),
        event("faults-dup-equal", "open", dup),
        event("faults-dup-different", "open", dup),
        event("faults-dup-different", "open", dup + 3600),
        event("faults-unknown-type", "machine_open", dup),
    ]
    (ws.landing / "email_events" / "sendgrid_events_20260531_faults.json").write_text(
        "".join(json.dumps(e) + "\n" for e in events)
    )
    # LINE: an event type LINE added after the documented list
    line_user = _q(wh, "select min(source__user_id) from raw.line_events")[0][0]
    body = {"destination": "Ufaults", "events": [{
        "type": "faultsNewType", "mode": "active", "timestamp": dup * 1000,
        "source": {"type": "user", "userId": line_user}, "webhookEventId": "faults-line-1",
        "deliveryContext": {"isRedelivery": False}}]}  # fmt: skip
    (ws.landing / "line_events" / "webhook_20260531_faults.json").write_text(json.dumps(body))
    # POS: naive Asia/Taipei local time, Big5-encoded Chinese text
    (ws.landing / "pos_transactions" / "pos_S001_2026-05-faults.csv").write_bytes(
        (
            "store_id,store_name,transaction_no,transaction_time,member_no,phone,item_sku,"
            "item_name,quantity,unit_price,amount,payment_type,transaction_type\r\n"
            "S001,信義店,FAULT-T1,2026/05/29 09:30:00,,,SKU-1,格紋襯衫,1,300,300,cash,SALE\r\n"
        ).encode("cp950")
    )

    with pytest.MonkeyPatch.context() as mp:
        ws.activate(mp)
        from orchestration.definitions import defs

        job = defs.resolve_job_def("refresh_all")
        result = job.execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
        )
    return Delivery(
        ws=ws,
        result=result,
        before=before,
        overlap_ids=overlap_ids,
        late_email=email,
        late_at=datetime.fromtimestamp(late, UTC).replace(tzinfo=None),
        dup_at=datetime.fromtimestamp(dup, UTC).replace(tzinfo=None),
    )


def test_the_faulty_delivery_lands_builds_every_mart_and_only_warns(delivery: Delivery) -> None:
    """Nothing crafted here is a reason to stop: every file loads (none quarantined), the run
    succeeds, and the only failing checks are warnings (the unknown SendGrid event type)."""
    assert delivery.result.success, _failed_checks(delivery.result)
    failed = _failed_checks(delivery.result)
    assert set(failed.values()) <= {"WARN"}, failed
    assert any("stg_sendgrid__events" in name for name in failed), failed
    assert not any(delivery.ws.quarantine.rglob("*faults*"))
    assert not any(delivery.ws.quarantine.rglob("*overlap*"))


def test_overlapping_export_keeps_every_delivered_row_in_raw_and_one_row_per_order_in_staging(
    delivery: Delivery,
) -> None:
    """Raw keeps both copies of the overlapping orders; staging and the conversions mart hold
    each order once (the latest export's row), plus the crafted orders."""
    wh = delivery.ws.warehouse
    ids = delivery.overlap_ids
    in_list = ", ".join(f"'{i}'" for i in ids)
    raw_files = _q(
        wh,
        f"select count(distinct _source_file) from raw.shop_orders where trim(id) in ({in_list})",
    )
    assert raw_files == [(2,)]
    new_orders = 3 + JUNK_PEOPLE
    staged = _q(wh, "select count(*), count(distinct order_id) from staging.stg_shopify__orders")
    assert staged == [(delivery.before["staging.stg_shopify__orders"] + new_orders,) * 2]
    per_order = _q(
        wh,
        f"select source_order_id, count(*) from marts.conversions where source = 'shopify' "
        f"and source_order_id in ({in_list}) group by 1",
    )
    assert sorted(per_order) == sorted((i, 1) for i in ids)


def test_new_column_is_kept_in_raw_and_the_file_still_builds(delivery: Delivery) -> None:
    """A column the vendor added (`Faults Note`) lands as a VARCHAR raw column; the rows load and
    staging ignores the column."""
    notes = _q(
        delivery.ws.warehouse,
        "select faults_note, count(*) from raw.shop_orders "
        "where faults_note is not null group by 1",
    )
    assert notes == [("crafted", 3 + JUNK_PEOPLE)]


def test_duplicate_event_ids_keep_the_first_delivered_row(delivery: Delivery) -> None:
    """SendGrid retries repeat sg_event_id: staging keeps one row per id. With equal timestamps
    the copies are identical; with different timestamps the FIRST delivered row wins (earliest
    load, then file name, then row), here the earlier timestamp. Raw keeps both copies."""
    wh = delivery.ws.warehouse
    raw = _q(
        wh,
        "select sg_event_id, count(*) from raw.email_events where sg_event_id like 'faults-dup%' "
        "group by 1 order by 1",
    )
    assert raw == [("faults-dup-different", 2), ("faults-dup-equal", 2)]
    staged = _q(
        wh,
        "select sendgrid_event_id, occurred_at from staging.stg_sendgrid__events "
        "where sendgrid_event_id like 'faults-dup%' order by 1",
    )
    assert staged == [
        ("faults-dup-different", delivery.dup_at),
        ("faults-dup-equal", delivery.dup_at),
    ]
    touches = _q(
        wh,
        "select count(*) from marts.touchpoints where source_name = 'sendgrid' "
        "and touch_type = 'opened' and occurred_at in (?, ?) and customer_id = ("
        "select customer_id from marts.touchpoints where touch_type = 'clicked' "
        "and occurred_at = ? and source_name = 'sendgrid')",
        [delivery.dup_at, delivery.dup_at + timedelta(hours=1), delivery.late_at],
    )
    assert touches == [(2,)]  # one per event id, not four


def test_events_days_late_land_and_reach_staging_and_touchpoints(delivery: Delivery) -> None:
    """A click delivered five days after it happened loads with today's _loaded_at and shows in
    staging and in the touchpoints mart at its true time, on its customer."""
    wh = delivery.ws.warehouse
    staged = _q(
        wh,
        "select occurred_at, _loaded_at > occurred_at + interval 4 day "
        "from staging.stg_sendgrid__events where sendgrid_event_id = 'faults-late-click'",
    )
    assert staged == [(delivery.late_at, True)]
    touch = _q(
        wh,
        "select channel, customer_id is not null from marts.touchpoints "
        "where source_name = 'sendgrid' and touch_type = 'clicked' and occurred_at = ?",
        [delivery.late_at],
    )
    assert touch == [("email", True)]


def test_unknown_event_types_are_kept_and_flagged(delivery: Delivery) -> None:
    """A SendGrid event type and a LINE webhook type that are not in the documented lists are
    kept in raw and staging; LINE staging flags them (is_unknown_event_type); the SendGrid
    accepted-values test fails as a WARNING (the marts still build)."""
    wh = delivery.ws.warehouse
    assert _q(
        wh,
        "select event_type from staging.stg_sendgrid__events "
        "where sendgrid_event_id = 'faults-unknown-type'",
    ) == [("machine_open",)]
    assert _q(
        wh,
        "select event_type, is_unknown_event_type from staging.stg_line__webhook_events "
        "where webhook_event_id = 'faults-line-1'",
    ) == [("faultsNewType", True)]
    failed = _failed_checks(delivery.result)
    sendgrid = {k: v for k, v in failed.items() if "stg_sendgrid__events" in k}
    assert sendgrid and set(sendgrid.values()) == {"WARN"}, failed
    ledger = _q(
        wh,
        "select status from raw._landing_ledger where file_name like '%_faults.json' order by 1",
    )
    assert ledger == [("loaded",), ("loaded",)]


def test_naive_local_pos_time_is_taipei_and_big5_text_decodes(delivery: Delivery) -> None:
    """POS times are naive Asia/Taipei: 09:30 local is 01:30 UTC in staging and in conversions.
    The file is Big5 (cp950): its Chinese store and item names arrive intact."""
    wh = delivery.ws.warehouse
    assert _q(
        wh,
        "select transacted_at, store_name, item_name from staging.stg_pos__transaction_lines "
        "where transaction_no = 'FAULT-T1'",
    ) == [(datetime(2026, 5, 29, 1, 30), "信義店", "格紋襯衫")]
    assert _q(
        wh,
        "select converted_at, revenue from marts.conversions where conversion_id = 'pos:FAULT-T1'",
    ) == [(datetime(2026, 5, 29, 1, 30), 300)]


def test_zero_value_order_is_a_conversion_with_zero_revenue(delivery: Delivery) -> None:
    """An order of 0.00 (a free gift, a full discount) is a conversion with revenue 0; its credits
    still sum to 1 per model and its attributed revenue is 0."""
    wh = delivery.ws.warehouse
    revenue = _q(
        wh,
        "select revenue from marts.conversions where conversion_id = ?",
        [f"shopify:{ZERO_ORDER}"],
    )
    assert revenue == [(0,)]
    credits = _q(
        wh,
        "select model, sum(credit), sum(attributed_revenue) from marts.attribution_credits "
        "where conversion_id = ? group by 1",
        [f"shopify:{ZERO_ORDER}"],
    )
    assert len(credits) == 8
    assert all(abs(c - 1) < 1e-9 and r == 0 for _, c, r in credits)


def test_refund_larger_than_its_order_gives_negative_net_revenue(delivery: Delivery) -> None:
    """A refund of 150 on an order of 100 is kept as delivered: the conversion's revenue is the
    order total net of the refund (-50), so marts reconcile with raw; the customer's revenue in
    customer_360 carries the same -50 (nothing is clipped silently)."""
    wh = delivery.ws.warehouse
    conversion = _q(
        wh,
        "select revenue, customer_id from marts.conversions where conversion_id = ?",
        [f"shopify:{OVER_REFUND_ORDER}"],
    )
    [(revenue, customer)] = conversion
    assert revenue == -50 and customer is not None
    assert _q(wh, "select revenue from marts.customer_360 where customer_id = ?", [customer]) == [
        (-50,)
    ]


def test_conversion_without_a_touch_goes_to_the_unattributed_bucket(delivery: Delivery) -> None:
    """An order by someone never touched has a journey of 0 touches and, under every one of the
    eight models, one credit row in channel 'unattributed' with credit 1 and its full revenue."""
    wh = delivery.ws.warehouse
    conversion = f"shopify:{NO_TOUCH_ORDER}"
    rows = _q(
        wh,
        "select model, channel, touchpoint_id, credit, attributed_revenue "
        "from marts.attribution_credits where conversion_id = ? order by model",
        [conversion],
    )
    assert len(rows) == 8 and {r[0] for r in rows} >= {"first_touch", "markov", "shapley"}
    assert all(r[1:] == ("unattributed", None, 1.0, 500.0) for r in rows)
    assert _q(
        wh, "select touch_count from marts.journeys where conversion_id = ?", [conversion]
    ) == [(0,)]
    by_channel = _q(
        wh,
        "select count(distinct model) from marts.attribution_by_channel "
        "where channel = 'unattributed' and attributed_conversions >= 1",
    )
    assert by_channel == [(8,)]


def test_junk_phone_on_thousands_of_orders_does_not_merge_them(delivery: Delivery) -> None:
    """2000 orders by 2000 different emails all giving the same phone: the phone is excluded by
    the degree threshold (identity_max_degree), so they stay 2000 customers and the phone is no
    identifier of anyone."""
    wh = delivery.ws.warehouse
    ids = [f"shopify:{JUNK_FIRST_ID + i}" for i in range(JUNK_PEOPLE)]
    customers = _q(
        wh,
        "select count(*), count(distinct customer_id), count(customer_id) from marts.conversions "
        "where conversion_id in (select unnest(?))",
        [ids],
    )
    assert customers == [(JUNK_PEOPLE, JUNK_PEOPLE, JUNK_PEOPLE)]
    excluded = _q(
        wh,
        "select exclusion_rule, linked_count from intermediate.int_identifiers_excluded "
        "where identifier_key like 'phone:%' and linked_count >= ?",
        [JUNK_PEOPLE],
    )
    assert excluded == [("degree", JUNK_PEOPLE)]
    biggest = _q(
        wh,
        "select max(n) from (select customer_id, count(*) as n from marts.customer_identifiers "
        "where identifier_type = 'email' group by 1)",
    )
    assert biggest[0][0] < 10


def test_a_channel_export_missing_for_a_day_makes_source_freshness_warn_not_fail(
    delivery: Delivery, tmp_path: Path
) -> None:
    """Yesterday's SendGrid day file never came: the newest email_events load is 30 hours old.
    `dbt source freshness` warns on that source (warn_after 26 hours for daily exports), passes
    every other source, and exits 0: a warning, never an error."""
    from tests.identity.dbt_project import Warehouse

    wh = Warehouse(tmp_path / "warehouse.duckdb")
    shutil.copy(delivery.ws.warehouse, wh.path)
    con = wh.connect()
    con.execute("update raw.email_events set _loaded_at = _loaded_at - interval 30 hour")
    con.close()

    run = wh.dbt("source", "freshness", check=False)

    assert run.returncode == 0, run.stdout
    results = json.loads((tmp_path / "target" / "sources.json").read_text())["results"]
    status = {r["unique_id"].removeprefix("source.omnichannel."): r["status"] for r in results}
    assert status.pop("sendgrid.email_events") == "warn"
    assert status and set(status.values()) == {"pass"}, status
