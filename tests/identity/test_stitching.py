"""Stitching through the real models, from hand-built raw rows to customer_identifiers.

Four scenarios share one warehouse and two builds of the identity layer (each build costs about
20 s): their identifiers are disjoint, so each scenario's outcome must hold as if it were alone,
and what happens in one (a merge, new customers) must not move another's ids. The first build
lands the first delivery of every scenario; the second adds the later deliveries.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest

from tests.identity.dbt_project import SALT, Warehouse
from tests.identity.raw_tables import insert_rows

LATER = {"loaded_at": "2026-06-03 00:00:00"}


def key(identifier_type: str, value: str) -> str:
    return f"{identifier_type}:{hashlib.sha256(f'{SALT}|{value}'.encode()).hexdigest()}"


def customer_of(warehouse: Warehouse) -> dict[str, str]:
    return dict(
        warehouse.query(
            "select identifier_key, customer_id from intermediate.int_customers_stitched"
        )
    )


def order(order_id: str, email: str | None, phone: str | None, day: int = 3) -> dict[str, str]:
    return {
        "name": f"#{order_id}",
        "id": order_id,
        "email": email,
        "phone": phone,
        "created_at": f"2026-05-{day:02d} 12:00:00 +0800",
        "lineitem_quantity": "1",
        "lineitem_price": "100.00",
        "total": "100.00",
    }


def contact(record_id: str, email: str, phone: str, member: str, day: int = 1) -> dict[str, str]:
    return {
        "record_id": record_id,
        "email": email,
        "phone_number": phone,
        "member_number": member,
        "create_date": f"2026-05-{day:02d} 09:00",
    }


def pos_sale(transaction_no: str, member: str, phone: str, day: int) -> dict[str, str]:
    return {
        "store_id": "S1",
        "transaction_no": transaction_no,
        "transaction_time": f"2026/05/{day:02d} 20:00:00",
        "member_no": member,
        "phone": phone,
        "quantity": "1",
        "amount": "10",
    }


# Junk hub: 25 strangers checking out with the shop's default phone, 2 more typing test@test.com.
JUNK_ORDERS = [order(str(9000 + i), f"buyer{i}@mail.tw", "02-2700-0000") for i in range(25)] + [
    order("9901", "test@test.com", "0933-111-222"),
    order("9902", "TEST@test.com ", "0944-555-666"),
]
JUNK_EXCLUDED = {
    key("phone", "+886227000000"): "degree",
    key("email", "test@test.com"): "blocklist",
}
# Family phone: two members' till receipts carry one phone, written two ways.
FAMILY_SALES = [
    pos_sale("T1", "M1", "0955-000-111", day=4),
    pos_sale("T2", "M2", "+886 955 000 111", day=5),
]
FAMILY_PHONE = key("phone", "+886955000111")
# Merge: Amy's CRM contact and her shop order are two groups until a later order carries her
# CRM email and the shop phone, one shared identifier each side.
AMY_CONTACT = contact("1", "amy@mail.tw", "0912-000-001", "CM1", day=1)
AMY_ORDER = order("5001", "amy.shop@mail.tw", "0912-000-002", day=2)
AMY_LATER_ORDER = order("5002", "Amy@Mail.tw", "+886 912 000 002", day=5)
AMY_KEYS = [
    key("email", "amy@mail.tw"),
    key("phone", "+886912000001"),
    key("member_number", "CM1"),
    key("email", "amy.shop@mail.tw"),
    key("phone", "+886912000002"),
]
# Unrelated data: Bob and Dee first; Cat (a CRM contact) and Dan (an order) arrive later,
# linked to nobody.
BOB_DEE_CONTACTS = [
    contact("11", "dee@mail.tw", "0912-000-011", "DM1"),
    contact("12", "bob@mail.tw", "0912-000-003", "DM2"),
]
BOB_ORDER = order("5011", "bob@mail.tw", "0912-000-004")
CAT_LATER_CONTACT = contact("13", "cat@mail.tw", "0912-000-005", "DM3", day=6)
DAN_LATER_ORDER = order("5013", "dan@mail.tw", "0912-000-006", day=7)
BOB_DEE_KEYS = [
    key("email", "dee@mail.tw"),
    key("email", "bob@mail.tw"),
    key("phone", "+886912000004"),
]


@dataclass
class Scenarios:
    warehouse: Warehouse
    before: dict[str, str]  # identifier_key -> customer_id after the first build
    after: dict[str, str]  # ... after the second


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory: pytest.TempPathFactory) -> Scenarios:
    warehouse = Warehouse(tmp_path_factory.mktemp("stitching") / "warehouse.duckdb")
    warehouse.setup_raw()
    con = warehouse.connect()
    insert_rows(con, "shop_orders", [*JUNK_ORDERS, AMY_ORDER, BOB_ORDER])
    insert_rows(con, "pos_transactions", FAMILY_SALES)
    insert_rows(con, "crm_contacts", [AMY_CONTACT, *BOB_DEE_CONTACTS])
    con.close()
    warehouse.build_identity()
    before = customer_of(warehouse)

    con = warehouse.connect()
    insert_rows(
        con,
        "shop_orders",
        [AMY_LATER_ORDER, DAN_LATER_ORDER],
        source_file="shop_orders/orders_export_later.csv",
        **LATER,
    )
    insert_rows(
        con,
        "crm_contacts",
        [CAT_LATER_CONTACT],
        source_file="crm_contacts/hubspot-crm-exports-later.csv",
        **LATER,
    )
    con.close()
    warehouse.build_identity()
    return Scenarios(warehouse, before, customer_of(warehouse))


def test_junk_hub_identifier_is_excluded_and_strangers_stay_apart(scenarios: Scenarios) -> None:
    excluded = dict(
        scenarios.warehouse.query(
            "select identifier_key, exclusion_rule from intermediate.int_identifiers_excluded"
        )
    )
    # the junk hubs and the family phone (next test), nothing of the other scenarios
    assert excluded == {**JUNK_EXCLUDED, FAMILY_PHONE: "shared"}
    customers = scenarios.after
    assert len({customers[key("email", f"buyer{i}@mail.tw")] for i in range(25)}) == 25
    assert customers[key("phone", "+886933111222")] != customers[key("phone", "+886944555666")]
    assert key("phone", "+886227000000") not in customers


def test_family_phone_shared_by_two_members_does_not_merge_them(scenarios: Scenarios) -> None:
    customers = scenarios.after
    assert customers[key("member_number", "M1")] != customers[key("member_number", "M2")]
    rule = scenarios.warehouse.query(
        "select exclusion_rule, linked_count from intermediate.int_identifiers_excluded "
        f"where identifier_key = '{FAMILY_PHONE}'"
    )
    assert rule == [("shared", 2)]
    assert FAMILY_PHONE not in customers


def test_two_groups_joined_by_one_identifier_merge_and_the_merge_is_recorded(
    scenarios: Scenarios,
) -> None:
    before, after = scenarios.before, scenarios.after
    group_a = before[key("email", "amy@mail.tw")]
    group_b = before[key("email", "amy.shop@mail.tw")]
    assert group_a != group_b
    assert {before[k] for k in AMY_KEYS} == {group_a, group_b}

    merged = {after[k] for k in AMY_KEYS}
    assert len(merged) == 1
    survivor = merged.pop()
    assert survivor in {group_a, group_b}
    retired = ({group_a, group_b} - {survivor}).pop()
    # the only merge of the run: the unrelated data of the last test merged nobody
    merges = scenarios.warehouse.query(
        "select old_customer_id, new_customer_id, change_reason "
        "from intermediate.int_customer_merges"
    )
    assert merges == [(retired, survivor, "merge")]
    hashes = ", ".join(f"'{k.split(':', 1)[1]}'" for k in AMY_KEYS)
    mart = scenarios.warehouse.query(
        "select count(distinct customer_id), count(*) from marts.customer_identifiers "
        f"where identifier_hash in ({hashes})"
    )
    assert mart == [(1, len(AMY_KEYS))]


def test_adding_unrelated_data_changes_nobodys_id(scenarios: Scenarios) -> None:
    before, after = scenarios.before, scenarios.after
    bob_dee = {k: before[k] for k in BOB_DEE_KEYS}
    assert len(set(bob_dee.values())) == 2  # Bob's contact and order are one customer
    assert {k: after[k] for k in BOB_DEE_KEYS} == bob_dee
    # nobody outside the merge moved
    moved = {k for k in before if after.get(k) != before[k]}
    assert moved == {k for k in AMY_KEYS if before[k] != after[k]}
    new_customers = {after[key("email", "cat@mail.tw")], after[key("email", "dan@mail.tw")]}
    assert len(new_customers) == 2
    assert new_customers.isdisjoint(before.values())
