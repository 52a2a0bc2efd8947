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
     materialization, from reading the edges to writing intermediate.int_identity_components
     (node, component_id = smallest node key of the component);
   - wall: the whole command (process start, imports, manifest load, run);
   - peak RSS of the dbt process (/usr/bin/time -v, or os.wait4's rusage where it is missing);
2. scipy, --repeat times, each in its own process (for its peak RSS), timed inside it:
   - scipy (compute): read the edge table from DuckDB (Arrow), number the nodes (Arrow
     dictionary encoding), build the sparse matrix, connected_components;
   - scipy_to_table: the same, plus what the model must also do and scipy alone does not: write
     the partition back as a table bench.scipy_components (node, component_id = smallest node
     key of the component, one DuckDB window over the Arrow labels);
   the two sides alternate which goes first in each repeat, so load drifts hit both alike;
3. checks both give the same partition and the same component_id per node, prints rounds,
   median times (and every sample), the ratios of the medians (model to scipy compute and to
   scipy_to_table) and the load average around the runs, and writes bench/results/identity.json.
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
TIME = Path("/usr/bin/time")
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


def dbt_command(warehouse: Path, work: Path, *args: str) -> tuple[float, str, dict[str, float]]:
    """Run dbt with the bench vars and paths; returns (wall seconds, stdout, peak RSS in MiB
    and CPU seconds)."""
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
    wall, stdout, stderr, returncode, usage = measured(command, env, work)
    if returncode != 0:
        raise SystemExit(f"dbt {args[0]} failed:\n{stdout}\n{stderr}")
    return wall, stdout, usage


def measured(
    command: list[str], env: dict[str, str], work: Path
) -> tuple[float, str, str, int, dict[str, float]]:
    """Run a child process: (wall seconds, stdout, stderr, return code, usage), usage = peak
    RSS MiB and CPU seconds (user + system: less sensitive than wall time to other load)."""
    report = work / "time.txt"
    timed = [str(TIME), "-v", "-o", str(report), *command] if TIME.exists() else command
    out_path, err_path = work / "child.out", work / "child.err"
    with out_path.open("w") as out, err_path.open("w") as err:
        started = time.perf_counter()
        child = subprocess.Popen(timed, env=env, cwd=PROJECT_DIR, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    peak_kib = usage.ru_maxrss
    if TIME.exists() and report.exists():
        for line in report.read_text().splitlines():
            if "Maximum resident set size" in line:
                peak_kib = int(line.rsplit(":", 1)[1])
    cpu = usage.ru_utime + usage.ru_stime
    return (
        wall,
        out_path.read_text(),
        err_path.read_text(),
        child.returncode,
        {"peak_mib": peak_kib // 1024, "cpu_seconds": cpu},
    )


def run_dbt(warehouse: Path, work: Path) -> dict[str, float]:
    """One timed `dbt run` of the model (partial parsing warm)."""
    wall, stdout, usage = dbt_command(warehouse, work, "run", "--select", "int_identity_components")
    if "Unable to do partial parsing" in stdout or "Starting full parse" in stdout:
        print("  warning: dbt did a full parse inside the timed run")
    run_results = json.loads((work / "target" / "run_results.json").read_text())
    model = next(r for r in run_results["results"] if r["unique_id"].endswith("components"))
    return {
        "wall_seconds": wall,
        "model_seconds": float(model["execution_time"]),
        "dbt_elapsed_seconds": float(run_results["elapsed_time"]),
        **usage,
    }


def scipy_components(warehouse: Path) -> dict[str, float]:
    """The whole scipy path from the edge table, then the partition written back as a table.

    Returns the seconds to the labels (compute), the seconds including the write-back
    (to_table) and the number of components.
    """
    started = time.perf_counter()
    con = duckdb.connect(str(warehouse))
    try:
        edges = con.sql(f"select node_a, node_b from {EDGES_RELATION}").to_arrow_table()
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
        compute = time.perf_counter() - started
        scipy_labels = pa.table({"node": nodes, "label": pa.array(labels)})
        con.register("scipy_labels", scipy_labels)
        con.execute(
            """
            create or replace table bench.scipy_components as
            select node, min(node) over (partition by label) as component_id
            from scipy_labels
            """
        )
        con.unregister("scipy_labels")
    finally:
        con.close()
    return {
        "seconds": compute,
        "to_table_seconds": time.perf_counter() - started,
        "components": int(count),
    }


def run_scipy(warehouse: Path, work: Path) -> dict[str, float]:
    """scipy_components in a child process (its own peak RSS)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--scipy-worker", str(warehouse)]
    wall, stdout, stderr, returncode, usage = measured(command, dict(os.environ), work)
    if returncode != 0:
        raise SystemExit(f"scipy worker failed:\n{stdout}\n{stderr}")
    return {**json.loads(stdout.strip().splitlines()[-1]), **usage}


def same_partition(warehouse: Path) -> dict[str, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = con.execute(
            """
            select
                count(*) as nodes_dbt,
                count(scipy.node) as nodes_matched,
                (select count(*) from bench.scipy_components) as nodes_scipy,
                count(distinct components.component_id) as components_dbt,
                count(distinct scipy.component_id) as components_scipy,
                count(*) filter (
                    where components.component_id = scipy.component_id
                ) as same_component_id,
                max(components.contraction_rounds) as rounds
            from intermediate.int_identity_components as components
            left join bench.scipy_components as scipy
                on components.node = scipy.node
            """
        ).fetchone()
    finally:
        con.close()
    keys = [
        "nodes_dbt",
        "nodes_matched",
        "nodes_scipy",
        "components_dbt",
        "components_scipy",
        "same_component_id",
        "rounds",
    ]
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
    parser.add_argument("--scipy-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scipy_worker:
        print(json.dumps(scipy_components(args.scipy_worker)))
        return 0

    work = Path(tempfile.mkdtemp(prefix="identity_bench_"))
    warehouse = work / "warehouse.duckdb"
    load_before = [round(x, 2) for x in os.getloadavg()]
    try:
        t = time.perf_counter()
        a, b, lone = build_graph(args.nodes, args.edges, args.chain, args.seed)
        rows = write_edges(warehouse, a, b, lone)
        print(
            f"graph: {args.nodes:,} identifiers, {len(a):,} edges, {len(lone):,} lone, "
            f"chain {args.chain:,} ({rows:,} rows, built in {time.perf_counter() - t:.1f} s)"
        )
        parse_seconds, _, _ = dbt_command(warehouse, work, "parse")
        dbt_runs, scipy_runs = [], []
        for i in range(args.repeat):
            # Alternate which side goes first, so a load change hits both alike.
            if i % 2 == 0:
                dbt_runs.append(run_dbt(warehouse, work))
                scipy_runs.append(run_scipy(warehouse, work))
            else:
                scipy_runs.append(run_scipy(warehouse, work))
                dbt_runs.append(run_dbt(warehouse, work))
            print(
                f"run {i + 1}/{args.repeat}: model {dbt_runs[-1]['model_seconds']:.2f} s, "
                f"wall {dbt_runs[-1]['wall_seconds']:.2f} s "
                f"({dbt_runs[-1]['peak_mib']} MiB), "
                f"scipy {scipy_runs[-1]['seconds']:.2f} s, "
                f"to table {scipy_runs[-1]['to_table_seconds']:.2f} s "
                f"({scipy_runs[-1]['peak_mib']} MiB), load {os.getloadavg()[0]:.1f}"
            )
        check = same_partition(warehouse)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {warehouse}")

    model_s = statistics.median(r["model_seconds"] for r in dbt_runs)
    wall_s = statistics.median(r["wall_seconds"] for r in dbt_runs)
    scipy_s = statistics.median(r["seconds"] for r in scipy_runs)
    scipy_table_s = statistics.median(r["to_table_seconds"] for r in scipy_runs)
    n_components = scipy_runs[-1]["components"]
    ok = (
        check["nodes_dbt"] == check["nodes_matched"] == check["nodes_scipy"]
        and check["components_dbt"] == check["components_scipy"] == n_components
        and check["same_component_id"] == check["nodes_dbt"]
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
        "scipy_to_table_seconds": round(scipy_table_s, 3),
        "ratio_model_to_scipy": round(model_s / scipy_s, 2),
        "ratio_model_to_scipy_to_table": round(model_s / scipy_table_s, 2),
        "ratio_wall_to_scipy": round(wall_s / scipy_s, 2),
        "dbt_peak_mib": max(r["peak_mib"] for r in dbt_runs),
        "scipy_peak_mib": max(r["peak_mib"] for r in scipy_runs),
        # CPU of the whole processes (dbt: start, parse load and run; scipy: imports too).
        "dbt_process_cpu_seconds": round(statistics.median(r["cpu_seconds"] for r in dbt_runs), 2),
        "scipy_process_cpu_seconds": round(
            statistics.median(r["cpu_seconds"] for r in scipy_runs), 2
        ),
        "dbt_model_samples": [round(r["model_seconds"], 3) for r in dbt_runs],
        "dbt_wall_samples": [round(r["wall_seconds"], 3) for r in dbt_runs],
        "scipy_samples": [round(r["seconds"], 3) for r in scipy_runs],
        "scipy_to_table_samples": [round(r["to_table_seconds"], 3) for r in scipy_runs],
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
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
