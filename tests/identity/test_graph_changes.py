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
