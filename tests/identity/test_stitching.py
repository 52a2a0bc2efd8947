"""Stitching through the real models, from hand-built raw rows to customer_identifiers."""

from __future__ import annotations

import hashlib

from tests.identity.dbt_project import SALT, Warehouse
from tests.identity.raw_tables import insert_rows


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


def test_junk_hub_identifier_is_excluded_and_strangers_stay_apart(warehouse: Warehouse) -> None:
    con = warehouse.connect()
    # 25 strangers checking out with the shop's default phone, 2 more typing test@test.com.
    orders = [order(str(9000 + i), f"buyer{i}@mail.tw", "02-2700-0000") for i in range(25)]
    orders += [
        order("9901", "test@test.com", "0933-111-222"),
        order("9902", "TEST@test.com ", "0944-555-666"),
    ]
    insert_rows(con, "shop_orders", orders)
    con.close()

    warehouse.build_identity()

    excluded = dict(
        warehouse.query(
            "select identifier_key, exclusion_rule from intermediate.int_identifiers_excluded"
        )
    )
    assert excluded == {
        key("phone", "+886227000000"): "degree",
        key("email", "test@test.com"): "blocklist",
    }
    customers = customer_of(warehouse)
    assert len({customers[key("email", f"buyer{i}@mail.tw")] for i in range(25)}) == 25
    assert customers[key("phone", "+886933111222")] != customers[key("phone", "+886944555666")]
    assert key("phone", "+886227000000") not in customers


def test_family_phone_shared_by_two_members_does_not_merge_them(warehouse: Warehouse) -> None:
    con = warehouse.connect()
    insert_rows(
        con,
        "pos_transactions",
        [
            {
                "store_id": "S1",
                "transaction_no": "T1",
                "transaction_time": "2026/05/04 20:00:00",
                "member_no": "M1",
                "phone": "0955-000-111",
                "quantity": "1",
                "amount": "10",
            },
            {
                "store_id": "S1",
                "transaction_no": "T2",
                "transaction_time": "2026/05/05 20:00:00",
                "member_no": "M2",
                "phone": "+886 955 000 111",
                "quantity": "1",
                "amount": "10",
            },
        ],
    )
    con.close()

    warehouse.build_identity()

    customers = customer_of(warehouse)
    assert customers[key("member_number", "M1")] != customers[key("member_number", "M2")]
    rule = warehouse.query(
        "select exclusion_rule, linked_count from intermediate.int_identifiers_excluded"
    )
    assert rule == [("shared", 2)]


def test_two_groups_joined_by_one_identifier_merge_and_the_merge_is_recorded(
    warehouse: Warehouse,
) -> None:
    con = warehouse.connect()
    insert_rows(con, "crm_contacts", [contact("1", "amy@mail.tw", "0912-000-001", "M1", day=1)])
    insert_rows(con, "shop_orders", [order("5001", "amy.shop@mail.tw", "0912-000-002", day=2)])
    con.close()
    warehouse.build_identity()
    before = customer_of(warehouse)
    group_a = before[key("email", "amy@mail.tw")]
    group_b = before[key("email", "amy.shop@mail.tw")]
    assert group_a != group_b

    # A later order carries Amy's CRM email and the shop phone: one shared identifier each side.
    con = warehouse.connect()
    insert_rows(
        con,
        "shop_orders",
        [order("5002", "Amy@Mail.tw", "+886 912 000 002", day=5)],
        source_file="shop_orders/orders_export_later.csv",
        loaded_at="2026-06-02 00:00:00",
    )
    con.close()
    warehouse.build_identity()

    after = customer_of(warehouse)
    merged = {after[k] for k in before}
    assert len(merged) == 1
    survivor = merged.pop()
    assert survivor in {group_a, group_b}
    retired = ({group_a, group_b} - {survivor}).pop()
    merges = warehouse.query(
        "select old_customer_id, new_customer_id, change_reason "
        "from intermediate.int_customer_merges"
    )
    assert merges == [(retired, survivor, "merge")]
    mart = warehouse.query("select count(distinct customer_id) from marts.customer_identifiers")
    assert mart == [(1,)]


def test_adding_unrelated_data_changes_nobodys_id(warehouse: Warehouse) -> None:
    con = warehouse.connect()
    insert_rows(
        con,
        "crm_contacts",
        [
            contact("1", "amy@mail.tw", "0912-000-001", "M1"),
            contact("2", "bob@mail.tw", "0912-000-003", "M2"),
        ],
    )
    insert_rows(con, "shop_orders", [order("5001", "bob@mail.tw", "0912-000-004")])
    con.close()
    warehouse.build_identity()
    before = customer_of(warehouse)

    con = warehouse.connect()
    insert_rows(
        con,
        "crm_contacts",
        [contact("3", "cat@mail.tw", "0912-000-005", "M3", day=6)],
        source_file="crm_contacts/hubspot-crm-exports-later.csv",
        loaded_at="2026-06-03 00:00:00",
    )
    insert_rows(
        con,
        "shop_orders",
        [order("5003", "dan@mail.tw", "0912-000-006", day=7)],
        source_file="shop_orders/orders_export_later.csv",
        loaded_at="2026-06-03 00:00:00",
    )
    con.close()
    warehouse.build_identity()
    after = customer_of(warehouse)

    assert {k: after[k] for k in before} == before
    assert len(after) > len(before)
    assert warehouse.query("select count(*) from intermediate.int_customer_merges") == [(0,)]
