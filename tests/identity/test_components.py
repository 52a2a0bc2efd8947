"""The connected_components materialization on hand-built graphs (no raw data involved)."""

from __future__ import annotations

import re

import pytest

from tests.identity.dbt_project import Warehouse

CHAIN_NODES = 5_000


def _load_edges(warehouse: Warehouse, edges: list[tuple[str, str | None]]) -> None:
    con = warehouse.connect()
    try:
        con.execute("create or replace table main.test_edges (node_a varchar, node_b varchar)")
        con.executemany("insert into main.test_edges values (?, ?)", edges)
    finally:
        con.close()


def _components(warehouse: Warehouse, **vars: object):
    return warehouse.dbt(
        "run",
        "--select",
        "int_identity_components",
        vars={"identity_edges_relation": "main.test_edges", **vars},
        check=False,
    )


def test_5000_node_chain_is_one_component_in_few_rounds(warehouse: Warehouse) -> None:
    # Node names shuffled against chain order so nothing lines up with sort order.
    names = [f"n{(i * 7919) % CHAIN_NODES:05d}" for i in range(CHAIN_NODES)]
    _load_edges(warehouse, list(zip(names, names[1:], strict=False)))

    result = _components(warehouse)
    assert result.returncode == 0, result.stdout

    logged = re.search(r"converged in (\d+) rounds", result.stdout)
    assert logged, result.stdout
    rounds = int(logged.group(1))
    print(f"5,000-node chain: {rounds} rounds")
    assert rounds <= 20

    rows = warehouse.query(
        "select count(*), count(distinct component_id), min(component_id), "
        "max(contraction_rounds) from intermediate.int_identity_components"
    )
    assert rows == [(CHAIN_NODES, 1, min(names), rounds)]


def test_round_cap_fails_the_run_instead_of_truncating(warehouse: Warehouse) -> None:
    names = [f"n{i:05d}" for i in range(CHAIN_NODES)]
    _load_edges(warehouse, list(zip(names, names[1:], strict=False)))

    result = _components(warehouse, identity_max_rounds=2)

    assert result.returncode != 0
    assert "did not converge in 2 rounds" in result.stdout
    tables = warehouse.query(
        "select table_name from information_schema.tables "
        "where table_name = 'int_identity_components'"
    )
    assert tables == []


@pytest.mark.parametrize("hash_node_keys", [True, False], ids=["hashed-keys", "plain-keys"])
def test_separate_groups_and_lone_nodes_keep_apart(
    warehouse: Warehouse, hash_node_keys: bool
) -> None:
    # Duplicates, both directions, a self loop and a node seen only as node_b.
    edges = [
        ("a1", "a2"),
        ("a2", "a3"),
        ("b1", "b2"),
        ("b2", "b1"),
        ("b1", "b2"),
        ("c1", None),
        ("a3", "a1"),
        ("d1", "d1"),
        ("a2", "a0"),
    ]
    _load_edges(warehouse, edges)

    result = _components(warehouse, identity_hash_node_keys=hash_node_keys)
    assert result.returncode == 0, result.stdout

    rows = dict(
        warehouse.query("select node, component_id from intermediate.int_identity_components")
    )
    assert rows == {
        "a0": "a0",
        "a1": "a0",
        "a2": "a0",
        "a3": "a0",
        "b1": "b1",
        "b2": "b1",
        "c1": "c1",
        "d1": "d1",
    }


def test_star_and_long_chain_together(warehouse: Warehouse) -> None:
    star = [("hub", f"leaf{i:04d}") for i in range(2_000)]
    chain = [(f"c{i:04d}", f"c{i + 1:04d}") for i in range(1_500)]
    _load_edges(warehouse, star + chain)

    assert _components(warehouse).returncode == 0

    rows = warehouse.query(
        "select component_id, count(*) from intermediate.int_identity_components "
        "group by 1 order by 1"
    )
    assert rows == [("c0000", 1_501), ("hub", 2_001)]
