"""``generate()``: run the simulation chunk by chunk and write landing files, truth, manifest."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from orchestration.generator import ads, faults, params, truth
from orchestration.generator.campaigns import build_calendar
from orchestration.generator.simulate import ChunkSim, Context
from orchestration.generator.writers import Sink

VERSION = "1"


class GeneratorError(ValueError):
    """Bad arguments to the generator; the message says what to change."""


def _check_dirs(out_dir: Path, truth_dir: Path) -> None:
    out, tru = out_dir.resolve(), truth_dir.resolve()
    if tru == out or out in tru.parents:
        raise GeneratorError(
            f"truth folder {tru} is inside the landing folder {out}: ground truth must never be "
            "landed. Pass a --truth folder outside --out."
        )


def generate(
    out_dir: Path,
    truth_dir: Path,
    customers: int = 5000,
    days: int = 120,
    start: date = date(2026, 5, 1),
    seed: int = 42,
    progress: bool = True,
) -> dict[str, Any]:
    """Simulate ``customers`` people for ``days`` days from ``start``; returns the manifest.

    Files already in ``out_dir`` with the same names are replaced; other files are left alone.
    """
    if customers < 1 or days < 7:
        raise GeneratorError("need at least 1 customer and 7 days")
    out_dir, truth_dir = Path(out_dir), Path(truth_dir)
    _check_dirs(out_dir, truth_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    t0 = datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp() - params.TPE_OFFSET
    end = start + timedelta(days=days - 1)
    ctx = Context(
        seed=seed,
        days=days,
        t0=t0,
        t1=t0 + days * 86400.0,
        start_label=start.isoformat(),
        end_label=end.isoformat(),
        campaigns=build_calendar(days, seed),
        sink=Sink(out_dir),
        truth=Sink(truth_dir),
    )
    started = time.perf_counter()
    n_chunks = (customers + params.CHUNK_SIZE - 1) // params.CHUNK_SIZE
    with Progress(
        TextColumn("{task.description:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=not progress,
    ) as bar:
        task = bar.add_task("people simulated", total=customers)
        for index in range(n_chunks):
            first = index * params.CHUNK_SIZE
            n = min(params.CHUNK_SIZE, customers - first)
            sim = ChunkSim(ctx, index, first, n)
            sim.run()
            truth.write_chunk(sim)
            bar.advance(task, n)
        task = bar.add_task("ad spend reports", total=1)
        ads.write_ad_reports(ctx)
        bar.advance(task)
        task = bar.add_task("malformed files", total=1)
        injected = faults.inject(ctx)
        bar.advance(task)
        task = bar.add_task("ground truth", total=1)
        truth.write_campaigns(ctx)
        truth.write_json(truth_dir, "channel_lifts.json", truth.channel_lifts(ctx))
        truth.write_json(truth_dir, "ab_test.json", truth.ab_test(ctx))
        bar.advance(task)
    elapsed = time.perf_counter() - started
    files = [
        {"file": rel, "rows": n, "bytes": (out_dir / rel).stat().st_size}
        for rel, n in sorted(ctx.sink.rows.items())
    ]
    landing_rows = sum(f["rows"] for f in files)
    manifest: dict[str, Any] = {
        "generator_version": VERSION,
        "seed": seed,
        "customers": customers,
        "days": days,
        "start": ctx.start_label,
        "end": ctx.end_label,
        "timezone": "Asia/Taipei",
        "chunk_size": params.CHUNK_SIZE,
        "landing_rows": landing_rows,
        "rows_by_source": _by_source(files),
        "files": files,
        "truth_files": sorted(
            [*ctx.truth.rows, "channel_lifts.json", "ab_test.json", "manifest.json"]
        ),
        "injected_faults": injected,
        "bot_cookies": ctx.bot_cookies,
        "consent_leaks": "about 2% of people who withdrew still get messages on that channel",
    }
    truth.write_json(truth_dir, "manifest.json", manifest)
    # timing is reported to the caller only: the manifest must be byte-identical per seed
    return {
        **manifest,
        "elapsed_seconds": round(elapsed, 2),
        "rows_per_second": round(landing_rows / elapsed) if elapsed else None,
    }


def _by_source(files: list[dict[str, Any]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in files:
        src = f["file"].split("/", 1)[0]
        out[src] = out.get(src, 0) + f["rows"]
    return out
