"""`omni run`: the demo and the main job on the embedded default (what `make run` calls).

1. Fills OMNI_LANDING_DIR with the generated sample when it holds no export files.
2. Parses the dbt project, then materialises every Dagster asset (landing -> staging ->
   identity -> marts, with every check) in one in-process run on the persistent Dagster instance
   (DAGSTER_HOME), so `dagster dev` shows the run afterwards.
3. Prints what it built: raw tables and row counts, quarantined files, marts, the warehouse path.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from orchestration.lib.config import ConfigError, settings

console = Console()


def _has_exports(landing: Path) -> bool:
    return landing.is_dir() and any(p.is_file() for p in landing.rglob("*"))


def _generate_sample(customers: int, days: int, seed: int) -> None:
    from orchestration.generator import generate

    cfg = settings()
    console.print(
        f"[bold]Landing folder {cfg.landing_dir} holds no exports:[/] generating the sample "
        f"({customers} customers, {days} days, seed {seed})."
    )
    generate(cfg.landing_dir, cfg.truth_dir, customers=customers, days=days, seed=seed)


def _materialise_all() -> bool:
    import dagster as dg

    from orchestration.definitions import defs

    instance = dg.DagsterInstance.get()
    job = defs.resolve_job_def("refresh_all")
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    return result.success


def _print_summary(elapsed: float, success: bool) -> None:
    from orchestration.lib.warehouse import table_counts

    cfg = settings()
    table = Table(title="Warehouse contents", show_lines=False)
    table.add_column("schema")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for schema, name, rows in table_counts(
        cfg.warehouse, ("raw", "staging", "intermediate", "marts")
    ):
        if name.startswith("_") and schema != "raw":
            continue
        table.add_row(schema, name, f"{rows:,}")
    console.print(table)
    quarantined = (
        sorted(
            p for p in cfg.quarantine_dir.rglob("*") if p.is_file() and not p.name.endswith(".json")
        )
        if cfg.quarantine_dir.exists()
        else []
    )
    if quarantined:
        console.print(f"[yellow]Quarantined files ({len(quarantined)}), reasons beside them:[/]")
        for path in quarantined:
            console.print(f"  {path.relative_to(cfg.quarantine_dir)}")
    else:
        console.print("Quarantined files: none")
    console.print(f"Warehouse: [bold]{cfg.warehouse}[/]")
    console.print(f"Run {'succeeded' if success else 'FAILED'} in {elapsed:,.1f} s.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="omni", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="generate the sample if needed, then materialise everything")
    run.add_argument("--customers", type=int, default=5000)
    run.add_argument("--days", type=int, default=120)
    run.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    try:
        cfg = settings()
    except ConfigError as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    if not _has_exports(cfg.landing_dir):
        _generate_sample(args.customers, args.days, args.seed)
    from orchestration.lib.dbt import prepare_manifest

    prepare_manifest()
    success = _materialise_all()
    _print_summary(time.perf_counter() - started, success)
    return 0 if success else 1


if __name__ == "__main__":
    sys.exit(main())
