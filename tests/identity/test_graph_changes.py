"""The identity graph is listed only where its inputs' change logs say it can have changed
(macros/identity_graph_changes.sql), with the rows of a full build."""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass

import pytest

from tests.identity.dbt_project import SALT, Warehouse
from tests.identity.raw_tables import insert_rows

LATER = {"loaded_at": "2026-06-03 00:00:00"}


def key(identifier_type: str, value: str) -> str:
    return f"{identifier_type}:{hashlib.sha256(f'{SALT}|{value}'.encode()).hexdigest()}"


def contact(record_id: str, email: str, phone: str, member: str) -> dict[str, str]:
    return {
        "record_id": record_id,
        "email": email,
        "phone_number": phone,
        "member_number": member,
        "create_date": "2026-05-01 09:00",
    }


def order(order_id: str, email: str, phone: str) -> dict[str, str]:
    return {
        "name": f"#{order_id}",
        "id": order_id,
        "email": email,
        "phone": phone,
        "created_at": "2026-05-03 12:00:00 +0800",
        "lineitem_quantity": "1",
        "lineitem_price": "100.00",
        "total": "100.00",
    }


def email_event(event_id: str, email: str, event: str = "open", url: str | None = None) -> dict:
    return {
        "email": email,
        "timestamp": "1780300000",
        "event": event,
        "sg_event_id": event_id,
        "url": url,
    }


CONTACTS = [contact(str(i), f"c{i}@mail.tw", f"0912-000-{i:03d}", f"CM{i}") for i in range(1, 21)]
ORDERS = [order(str(5000 + i), f"c{i}@mail.tw", f"0933-000-{i:03d}") for i in range(1, 11)]
# The day: a new email seen only in a SendGrid event (a feed whose records carry one identifier:
# a new node of its own, known to int_identifiers_unioned's log alone), contact 1 re-exported
# with another phone (its old phone vanishes), and an order linking contacts 2 and 3.
NEW_EMAIL = "eve@mail.tw"
CHANGED_CONTACT = contact("1", "c1@mail.tw", "0912-999-001", "CM1")
LINKING_ORDER = order("6001", "c2@mail.tw", "0912-000-003")


@dataclass
class GraphRuns:
    warehouse: Warehouse
    reference: Warehouse
    daily_log: str


def _components(warehouse: Warehouse) -> set[tuple]:
    return set(
        warehouse.query("select node, component_id from intermediate.int_identity_components")
    )


def _graph(warehouse: Warehouse) -> set[tuple]:
    return set(
        warehouse.query("select node_a, node_b from intermediate.int_identity_components__graph")
    )


@pytest.fixture(scope="module")
def graph_runs(tmp_path_factory: pytest.TempPathFactory) -> GraphRuns:
    warehouse = Warehouse(tmp_path_factory.mktemp("graph") / "warehouse.duckdb")
    warehouse.setup_raw()
    con = warehouse.connect()
    insert_rows(con, "crm_contacts", CONTACTS)
    insert_rows(con, "shop_orders", ORDERS)
    insert_rows(con, "email_events", [email_event("sg-1", "c4@mail.tw")])
    con.close()
    warehouse.build_identity()

    con = warehouse.connect()
    insert_rows(
        con, "email_events", [email_event("sg-2", NEW_EMAIL)], "email_events/later.json", **LATER
    )
    insert_rows(con, "crm_contacts", [CHANGED_CONTACT], "crm_contacts/hubspot-later.csv", **LATER)
    insert_rows(con, "shop_orders", [LINKING_ORDER], "shop_orders/orders_later.csv", **LATER)
    con.close()
    reference = Warehouse(tmp_path_factory.mktemp("graph_reference") / "warehouse.duckdb")
    shutil.copy(warehouse.path, reference.path)
    daily = warehouse.build_identity()
    reference.dbt("run", "--select", "+int_identity_components", "--full-refresh")
    return GraphRuns(warehouse, reference, daily.stdout)


def test_the_graph_is_listed_around_the_logged_keys_only(graph_runs: GraphRuns) -> None:
    listed = re.search(r"graph listed around (\d+) changed node\(s\)", graph_runs.daily_log)
    assert listed, graph_runs.daily_log
    nodes = len(_components(graph_runs.warehouse))
    # the new email, the contact's two phones, the order's three identifiers and the ends of
    # the edges whose record changed: a few keys, not the graph
    assert 0 < int(listed.group(1)) < nodes // 3
    log = "intermediate.int_identity_components__changes"
    full = graph_runs.warehouse.query(
        f"select count(*) filter (where is_full) from {log} "
        f"where changed_at = (select max(changed_at) from {log})"
    )
    assert full == [(0,)]


def test_the_listed_graph_clusters_as_a_full_build(graph_runs: GraphRuns) -> None:
    warehouse, reference = graph_runs.warehouse, graph_runs.reference
    components = dict(_components(warehouse))
    # the new node of a one-identifier feed, the vanished phone, the merge
    assert components[key("email", NEW_EMAIL)] == key("email", NEW_EMAIL)
    assert key("phone", "+886912000001") not in components
    assert components[key("email", "c2@mail.tw")] == components[key("email", "c3@mail.tw")]
    assert _components(warehouse) == _components(reference)
    assert _graph(warehouse) == _graph(reference)


def line_send(request_id: str, user: str, code: str, sent_at: str = "2026-05-02 10:00:00") -> dict:
    return {
        "request_id": request_id,
        "sent_at": sent_at,
        "line_user_id": user,
        "short_code": code,
        "status": "delivered",
    }


def click(event_id: str, email: str, code: str) -> dict:
    return email_event(event_id, email, "click", f"https://s.omni.tw/{code}")


@dataclass
class LinkRuns:
    warehouse: Warehouse
    reference: Warehouse
    before: set[tuple]


def _links(warehouse: Warehouse) -> set[tuple]:
    return set(warehouse.query("select * from intermediate.int_short_link_recipients"))


def _erase_line_user(warehouse: Warehouse, user: str) -> None:
    """What erasure does to a LINE user's short-link rows: its raw and staged sends go, and
    every derived row holding its identifier hash."""
    user_hash = key("line_user_id", user).split(":", 1)[1]
    con = warehouse.connect()
    try:
        con.execute("delete from raw.line_send_log where line_user_id = ?", [user])
        con.execute("delete from staging.stg_line__sends where line_user_id = ?", [user])
        for table in ("int_short_link_recipients", "int_short_link_recipients__recipients"):
            con.execute(f"delete from intermediate.{table} where identifier_hash = ?", [user_hash])
    finally:
        con.close()


@pytest.fixture(scope="module")
def link_runs(tmp_path_factory: pytest.TempPathFactory) -> LinkRuns:
    warehouse = Warehouse(tmp_path_factory.mktemp("links") / "warehouse.duckdb")
    warehouse.setup_raw()
    con = warehouse.connect()
    insert_rows(
        con,
        "line_send_log",
        [
            line_send("r1", "U1", "codeA"),
            line_send("r2", "U2", "codeB"),
            line_send("r3", "U3", "codeD"),  # codeD: two recipients, until U4 is erased
            line_send("r3", "U4", "codeD"),
        ],
    )
    insert_rows(con, "email_events", [click("sg-c1", "c5@mail.tw", "codeC")])
    con.close()
    warehouse.dbt("run", "--select", "+int_short_link_recipients")
    before = _links(warehouse)
    _erase_line_user(warehouse, "U4")

    con = warehouse.connect()
    insert_rows(
        con,
        "line_send_log",
        [
            line_send("r4", "U5", "codeA"),  # codeA: a second recipient now
            line_send("r5", "U2", "codeB", "2026-05-04 10:00:00"),  # a later send, same code
        ],
        "line_send_log/later.csv",
        **LATER,
    )
    insert_rows(con, "email_events", [click("sg-c2", "c6@mail.tw", "codeE")], "later.json", **LATER)
    con.close()
    reference = Warehouse(tmp_path_factory.mktemp("links_reference") / "warehouse.duckdb")
    shutil.copy(warehouse.path, reference.path)
    warehouse.dbt("run", "--select", "+int_short_link_recipients")
    reference.dbt("run", "--select", "+int_short_link_recipients", "--full-refresh")
    return LinkRuns(warehouse, reference, before)


def test_short_link_recipients_hold_the_rows_of_a_full_build(link_runs: LinkRuns) -> None:
    before, after = link_runs.before, _links(link_runs.warehouse)
    assert {row[0] for row in before} == {"codeA", "codeB", "codeC"}
    # codeA gained a recipient, codeD lost one to erasure, codeE is new
    assert {row[0] for row in after} == {"codeB", "codeC", "codeD", "codeE"}
    assert after == _links(link_runs.reference)


def test_short_link_recipients_derive_from_their_state(link_runs: LinkRuns) -> None:
    """The incremental run's SQL reads the per (code, recipient) state, not the staged sends;
    the state merged the new sends (a (code, recipient) seen again keeps its earliest sent_at)
    and names the one code seen with two recipients."""
    warehouse = link_runs.warehouse
    state = warehouse.query(
        "select short_code, count(*), min(sent_at) "
        "from intermediate.int_short_link_recipients__recipients group by short_code"
    )
    assert {code: n for code, n, _ in state} == {
        "codeA": 2, "codeB": 1, "codeC": 1, "codeD": 1, "codeE": 1,
    }  # fmt: skip
    assert {code: str(first) for code, _, first in state}["codeB"] == "2026-05-02 10:00:00"
    shared = warehouse.query(
        "select short_code from intermediate.int_short_link_recipients__shared"
    )
    assert shared == [("codeA",)]
    compiled = (
        warehouse.path.parent
        / "target/compiled/omnichannel/models/intermediate/identity/int_short_link_recipients.sql"
    ).read_text()
    body = "\n".join(line for line in compiled.splitlines() if not line.startswith("-- depends_on"))
    assert "int_short_link_recipients__recipients" in body
    assert "__affected" in body
    assert "stg_sendgrid__events" not in body and "stg_line__sends" not in body
