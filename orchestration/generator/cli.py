"""Command line: ``python -m orchestration.generator --customers N --days D ...``."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from orchestration.lib.config import landing_dir, truth_dir


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m orchestration.generator",
        description="Write a simulated sample of every source into the landing folder, and "
        "its ground truth into a separate truth folder.",
    )
    ap.add_argument("--customers", type=int, default=5000, help="people to simulate (5000)")
    ap.add_argument("--days", type=int, default=120, help="length of the range in days (120)")
    ap.add_argument(
        "--start",
        type=date.fromisoformat,
        default=date(2026, 5, 1),
        help="first day, YYYY-MM-DD (2026-05-01)",
    )
    ap.add_argument("--seed", type=int, default=42, help="random seed (42)")
    ap.add_argument(
        "--out",
        type=Path,
        default=None,
        help="landing folder (OMNI_LANDING_DIR, default data/landing)",
    )
    ap.add_argument(
        "--truth",
        type=Path,
        default=None,
        help="ground-truth folder (OMNI_TRUTH_DIR, default data/truth)",
    )
    ap.add_argument("--quiet", action="store_true", help="no progress bars")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from orchestration.generator.core import GeneratorError, generate

    args = parse_args(argv)
    try:
        manifest = generate(
            out_dir=args.out or landing_dir(),
            truth_dir=args.truth or truth_dir(),
            customers=args.customers,
            days=args.days,
            start=args.start,
            seed=args.seed,
            progress=not args.quiet,
        )
    except GeneratorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"wrote {manifest['landing_rows']:,} rows in {len(manifest['files'])} files in "
        f"{manifest['elapsed_seconds']} s ({manifest['rows_per_second']:,} rows/s); "
        f"{len(manifest['injected_faults'])} malformed files",
    )
    return 0
