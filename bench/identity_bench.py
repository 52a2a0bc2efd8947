"""Benchmark identity stitching: the real int_identity_components materialization through dbt
against scipy.sparse.csgraph.connected_components on the same edges.

    .venv/bin/python bench/identity_bench.py            # 1M identifiers, ~1.4M edges, 3 repeats
    .venv/bin/python bench/identity_bench.py --nodes 100000 --chain 2000 --repeat 1   # quick look

Builds a graph in a throwaway DuckDB warehouse (table bench.identity_edges, columns node_a,
node_b; node keys shaped like the real ones, `<type>:<64 hex>`; node_b NULL for an identifier
without edges): random components of skewed sizes plus one chain of --chain nodes. Then
1. dbt, once untimed (`dbt parse` with the same vars and target path: the full parse of the
   project, reported as dbt_parse_seconds), then --repeat times
   `dbt run --select int_identity_components --vars {identity_edges_relation: ...}` with partial
   parsing warm, timed as
   - model: dbt's own execution time of the model (run_results.json): every statement of the
     materialization, from reading the edges to writing intermediate.int_identity_components;
   - wall: the whole command (process start, imports, manifest load, run);
2. scipy, --repeat times: read the edge table from DuckDB (Arrow), number the nodes (Arrow
   dictionary encoding), build the sparse matrix, connected_components - the whole path, timed
   end to end (it writes nothing back, the dbt model writes its table);
3. checks both give the same partition, prints rounds, median times (and every sample) and the
   ratios of the medians, and writes bench/results/identity.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

PROJECT_DIR = Path(__file__).resolve().parents[1]
RESULTS = PROJECT_DIR / "bench" / "results" / "identity.json"
DBT = Path(sys.executable).parent / "dbt"
EDGES_RELATION = "bench.identity_edges"
TYPES = ["email", "phone", "member_number", "line_user_id", "web_cookie", "app_instance_id"]


def build_graph(n_nodes: int, n_edges: int, chain: int, seed: int) -> tuple[np.ndarray, ...]:
    """Integer edges (a, b) over nodes 0..n_nodes-1 and the lone nodes (no edge).

    Nodes 0..chain-1 form one path; the rest fall into components whose sizes follow a capped
    Zipf law (many singletons and pairs, a few hundreds), each a random spanning tree plus random
    extra edges inside it until the graph has ``n_edges`` edges.
    """
    rng = np.random.default_rng(seed)
    rest = n_nodes - chain
    sizes = np.minimum(rng.zipf(1.8, size=rest), 500)
    sizes = sizes[np.cumsum(sizes) <= rest]
    sizes = np.append(sizes, np.ones(rest - int(sizes.sum()), dtype=sizes.dtype))
    rng.shuffle(sizes)
    starts = chain + np.concatenate([[0], np.cumsum(sizes)[:-1]])
    comp_of = np.repeat(np.arange(len(sizes)), sizes)
    offset_in = np.arange(rest) - np.repeat(starts - chain, sizes)
    node = np.arange(chain, n_nodes)
    # spanning tree: every non-first node links to a random earlier node of its component
    has_parent = offset_in > 0
    parent_offset = (rng.random(rest) * np.maximum(offset_in, 1)).astype(np.int64)
    tree_a = node[has_parent]
    tree_b = starts[comp_of[has_parent]] + parent_offset[has_parent]
    chain_a = np.arange(0, chain - 1)
    chain_b = chain_a + 1
    extra = max(n_edges - len(tree_a) - len(chain_a), 0)
    multi = np.nonzero(sizes >= 3)[0]
    weights = sizes[multi].astype(float) ** 2
    pick = rng.choice(multi, size=extra, p=weights / weights.sum())
    ea = starts[pick] + (rng.random(extra) * sizes[pick]).astype(np.int64)
    eb = starts[pick] + (rng.random(extra) * sizes[pick]).astype(np.int64)
    a = np.concatenate([chain_a, tree_a, ea])
    b = np.concatenate([chain_b, tree_b, eb])
    keep = a != b
    a, b = a[keep], b[keep]
    lone_mask = np.ones(n_nodes, dtype=bool)
    lone_mask[a] = False
    lone_mask[b] = False
    perm = rng.permutation(len(a))
    return a[perm], b[perm], np.nonzero(lone_mask)[0]


def write_edges(warehouse: Path, a: np.ndarray, b: np.ndarray, lone: np.ndarray) -> int:
    """bench.identity_edges with string node keys like the real ones; returns the row count."""
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("create schema if not exists bench")
        is_lone = np.arange(len(a) + len(lone)) >= len(a)
        ints = pa.table(
            {
                "a": pa.array(np.concatenate([a, lone]), pa.int64()),
                "b": pa.array(np.concatenate([b, lone]), pa.int64(), mask=is_lone),
            }
        )
        con.register("ints", ints)
        types = ", ".join(f"'{t}'" for t in TYPES)
        key = "list_extract([{types}], ({col} % {n}) + 1) || ':' || sha256('bench|' || {col})"
        con.execute(
            f"""
            create or replace table {EDGES_RELATION} as
            select
                {key.format(types=types, col="a", n=len(TYPES))} as node_a,
                case when b is not null
                    then {key.format(types=types, col="b", n=len(TYPES))} end as node_b
            from ints
            """
        )
        con.unregister("ints")
        return con.execute(f"select count(*) from {EDGES_RELATION}").fetchone()[0]
    finally:
        con.close()


def dbt_command(warehouse: Path, work: Path, *args: str) -> tuple[float, str]:
    """Run dbt with the bench vars and paths; returns (wall seconds, stdout)."""
    env = dict(os.environ, OMNI_WAREHOUSE=str(warehouse), OMNI_PII_SALT="bench-salt")
    command = [
        str(DBT),
        *args,
        "--vars",
        json.dumps({"identity_edges_relation": EDGES_RELATION}),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--project-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
    ]
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=PROJECT_DIR, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"dbt {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    return wall, result.stdout


def run_dbt(warehouse: Path, work: Path) -> dict[str, float]:
    """One timed `dbt run` of the model (partial parsing warm)."""
    wall, stdout = dbt_command(warehouse, work, "run", "--select", "int_identity_components")
    if "Unable to do partial parsing" in stdout or "Starting full parse" in stdout:
        print("  warning: dbt did a full parse inside the timed run")
    run_results = json.loads((work / "target" / "run_results.json").read_text())
    model = next(r for r in run_results["results"] if r["unique_id"].endswith("components"))
    return {
        "wall_seconds": wall,
        "model_seconds": float(model["execution_time"]),
        "dbt_elapsed_seconds": float(run_results["elapsed_time"]),
    }


def run_scipy(warehouse: Path) -> tuple[float, pa.Array, np.ndarray, int]:
    """The whole scipy path from the edge table; returns (seconds, nodes, labels, components)."""
    started = time.perf_counter()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        edges = con.sql(f"select node_a, node_b from {EDGES_RELATION}").to_arrow_table()
    finally:
        con.close()
    both = pa.chunked_array(edges["node_a"].chunks + edges["node_b"].chunks)
    encoded = pc.dictionary_encode(both).combine_chunks()
    nodes = encoded.dictionary
    index = encoded.indices.to_numpy(zero_copy_only=False)
    n_rows = len(edges)
    a = index[:n_rows]
    b_valid = pc.is_valid(edges["node_b"]).to_numpy()
    b = index[n_rows:]
    a_e, b_e = a[b_valid].astype(np.int32), b[b_valid].astype(np.int32)
    n = len(nodes)
    graph = coo_matrix((np.ones(len(a_e), dtype=np.int8), (a_e, b_e)), shape=(n, n)).tocsr()
    count, labels = connected_components(graph, directed=False)
    seconds = time.perf_counter() - started
    return seconds, nodes, labels, int(count)


def same_partition(warehouse: Path, nodes: pa.Array, labels: np.ndarray) -> dict[str, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        scipy_labels = pa.table({"node": nodes, "label": pa.array(labels)})
        con.register("scipy_labels", scipy_labels)
        row = con.execute(
            """
            select
                count(*) as nodes_dbt,
                count(scipy_labels.node) as nodes_matched,
                count(distinct components.component_id) as components_dbt,
                count(distinct scipy_labels.label) as components_scipy,
                count(distinct (components.component_id, scipy_labels.label)) as pairs,
                max(components.contraction_rounds) as rounds
            from intermediate.int_identity_components as components
            left join scipy_labels
                on components.node = scipy_labels.node
            """
        ).fetchone()
    finally:
        con.close()
    keys = ["nodes_dbt", "nodes_matched", "components_dbt", "components_scipy", "pairs", "rounds"]
    return dict(zip(keys, (int(x) for x in row), strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=1_400_000)
    parser.add_argument("--chain", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (medians reported)")
    parser.add_argument("--keep", action="store_true", help="keep the bench warehouse")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="identity_bench_"))
    warehouse = work / "warehouse.duckdb"
    try:
        t = time.perf_counter()
        a, b, lone = build_graph(args.nodes, args.edges, args.chain, args.seed)
        rows = write_edges(warehouse, a, b, lone)
        print(
            f"graph: {args.nodes:,} identifiers, {len(a):,} edges, {len(lone):,} lone, "
            f"chain {args.chain:,} ({rows:,} rows, built in {time.perf_counter() - t:.1f} s)"
        )
        parse_seconds, _ = dbt_command(warehouse, work, "parse")
        dbt_runs, scipy_runs = [], []
        for i in range(args.repeat):
            dbt_runs.append(run_dbt(warehouse, work))
            scipy_seconds, nodes, labels, n_components = run_scipy(warehouse)
            scipy_runs.append(scipy_seconds)
            print(
                f"run {i + 1}/{args.repeat}: model {dbt_runs[-1]['model_seconds']:.2f} s, "
                f"wall {dbt_runs[-1]['wall_seconds']:.2f} s, scipy {scipy_seconds:.2f} s, "
                f"load {os.getloadavg()[0]:.1f}"
            )
        check = same_partition(warehouse, nodes, labels)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {warehouse}")

    model_s = statistics.median(r["model_seconds"] for r in dbt_runs)
    wall_s = statistics.median(r["wall_seconds"] for r in dbt_runs)
    scipy_s = statistics.median(scipy_runs)
    ok = (
        check["nodes_dbt"] == check["nodes_matched"] == len(nodes)
        and check["components_dbt"] == check["components_scipy"] == check["pairs"]
    )
    result = {
        "nodes": args.nodes,
        "edges": int(len(a)),
        "lone_nodes": int(len(lone)),
        "chain": args.chain,
        "components": n_components,
        "rounds": check["rounds"],
        "repeats": args.repeat,
        "dbt_parse_seconds": round(parse_seconds, 3),
        "dbt_model_seconds": round(model_s, 3),
        "dbt_elapsed_seconds": round(
            statistics.median(r["dbt_elapsed_seconds"] for r in dbt_runs), 3
        ),
        "dbt_wall_seconds": round(wall_s, 3),
        "scipy_seconds": round(scipy_s, 3),
        "ratio_model_to_scipy": round(model_s / scipy_s, 2),
        "ratio_wall_to_scipy": round(wall_s / scipy_s, 2),
        "dbt_model_samples": [round(r["model_seconds"], 3) for r in dbt_runs],
        "dbt_wall_samples": [round(r["wall_seconds"], 3) for r in dbt_runs],
        "scipy_samples": [round(x, 3) for x in scipy_runs],
        "load_average_1m": round(os.getloadavg()[0], 2),
        "same_partition": ok,
        "duckdb": duckdb.__version__,
        "scipy": scipy.__version__,
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    width = max(len(k) for k in result)
    for k, v in result.items():
        print(f"{k:<{width}}  {v}")
    print(f"wrote {args.out}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
