"""The connected_components materialization on hand-built graphs (no raw data involved)."""

from __future__ import annotations

import random
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


def _scipy_components(edges: list[tuple[str, str | None]]) -> dict[str, str]:
    """node -> smallest node of its component, by scipy (the oracle)."""
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    nodes = sorted({n for edge in edges for n in edge if n is not None})
    index = {n: i for i, n in enumerate(nodes)}
    pairs = [(index[a], index[b]) for a, b in edges if a is not None and b is not None]
    rows = np.array([a for a, _ in pairs], dtype=np.int64)
    cols = np.array([b for _, b in pairs], dtype=np.int64)
    graph = coo_matrix((np.ones(len(pairs)), (rows, cols)), shape=(len(nodes), len(nodes)))
    _, labels = connected_components(graph, directed=False)
    smallest: dict[int, str] = {}
    for node, label in zip(nodes, labels, strict=True):
        smallest.setdefault(int(label), node)  # nodes are sorted: the first is the smallest
    return {node: smallest[int(label)] for node, label in zip(nodes, labels, strict=True)}


def test_incremental_runs_give_the_partition_and_ids_of_scipy(warehouse: Warehouse) -> None:
    """Successive runs on a changing graph: each re-clusters only what changed and still gives
    exactly scipy's partition and component ids (smallest node), through merges (a new edge
    between two components), splits (an edge or a node removed, as when an identifier becomes
    excluded), new and vanished lone nodes."""
    rng = random.Random(11)
    names = [f"k{rng.randrange(10**9):09d}" for _ in range(3_000)]
    # average degree below 1: many small components, none giant
    edges = {tuple(sorted(rng.sample(names[:2_400], 2))) for _ in range(1_000)}
    lone = {(name, None) for name in names[2_400:2_700]}
    graph: list[tuple[str, str | None]] = sorted(edges) + sorted(lone)
    _load_edges(warehouse, graph)
    first = _components(warehouse)
    assert first.returncode == 0, first.stdout
    assert "incremental" not in first.stdout

    components = dict(
        warehouse.query("select node, component_id from intermediate.int_identity_components")
    )
    by_component: dict[str, list[str]] = {}
    for node, component in components.items():
        by_component.setdefault(component, []).append(node)
    big = sorted(c for c in by_component if len(by_component[c]) >= 3)
    removed_node = sorted(by_component[big[0]])[1]

    changes = [
        # merges: edges between existing components, a new component, a lone node linked
        lambda g: g + [(big[1], big[2]), (big[3], names[2_450]), ("x1", "x2")],
        # splits: every edge of one node removed (it became excluded) and a bridge edge removed
        lambda g: [e for e in g if removed_node not in e and e != (big[1], big[2])],
        # new lone nodes and a vanished one, nothing else
        lambda g: [e for e in g if e != (names[2_600], None)] + [("y1", None), ("y2", None)],
    ]
    for change in changes:
        graph = change(graph)
        _load_edges(warehouse, graph)
        result = _components(warehouse)
        assert result.returncode == 0, result.stdout
        touched = re.search(r"incremental, (\d+) node\(s\) in changed components", result.stdout)
        assert touched, result.stdout
        assert 0 < int(touched.group(1)) < len(components) // 2
        got = dict(
            warehouse.query("select node, component_id from intermediate.int_identity_components")
        )
        assert got == _scipy_components(graph)
        # the change log names exactly the nodes whose component_id changed, appeared or vanished
        log = "intermediate.int_identity_components__changes"
        logged = {
            node
            for (node,) in warehouse.query(
                f"select identifier_key from {log} where identifier_key is not null "
                f"and changed_at = (select max(changed_at) from {log})"
            )
        }
        moved = {n for n in components.keys() | got.keys() if components.get(n) != got.get(n)}
        assert logged == moved and moved
        components = got


def test_full_refresh_and_var_off_cluster_everything(warehouse: Warehouse) -> None:
    edges = [("a1", "a2"), ("b1", "b2")]
    _load_edges(warehouse, edges)
    assert _components(warehouse).returncode == 0
    _load_edges(warehouse, [*edges, ("a2", "b1")])
    off = _components(warehouse, identity_incremental=False)
    assert off.returncode == 0 and "incremental" not in off.stdout
    # off drops the saved graph: the next run cannot compare with a stale one, so it is full
    # and its change log, whose followers then rebuild in full
    tables = warehouse.query(
        "select table_name from information_schema.tables where table_name in "
        "('int_identity_components__graph', 'int_identity_components__changes')"
    )
    assert tables == []
    _load_edges(warehouse, [*edges, ("a2", "b1"), ("c1", "a1")])
    again = _components(warehouse)
    assert again.returncode == 0 and "incremental" not in again.stdout
    _load_edges(warehouse, [*edges, ("c1", "a1")])
    refreshed = warehouse.dbt(
        "run", "--select", "int_identity_components", "--full-refresh",
        vars={"identity_edges_relation": "main.test_edges"},
    )  # fmt: skip
    assert "incremental" not in refreshed.stdout
    rows = dict(
        warehouse.query("select node, component_id from intermediate.int_identity_components")
    )
    assert rows == {"a1": "a1", "a2": "a1", "c1": "a1", "b1": "b1", "b2": "b1"}
