"""The generated sample as the demo and the tests use it.

The generator writes a few malformed files into the landing folder on purpose (listed in the
manifest's `injected_faults`). The demo lands the clean exports first, then delivers those files as
a second batch to show the gate; `generate_sample` therefore holds them back in
`<truth_dir>/faulty_delivery/<source>/` (outside the landing folder) until `deliver_held_back`
moves them in.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

#: a daily export (GA4, LINE and Meta webhooks, Shlink visits): `<name>_<YYYYMMDD>.json`
DAILY = re.compile(r"_(\d{8})\.json$")


def held_back_dir(truth: Path) -> Path:
    return truth / "faulty_delivery"


def generate_sample(
    landing: Path,
    truth: Path,
    customers: int,
    days: int,
    seed: int,
    progress: bool = True,
    hold_back_faults: bool = True,
) -> dict:
    """Generate the sample; with hold_back_faults, move the malformed files aside."""
    from orchestration.generator import generate

    manifest = generate(
        landing, truth, customers=customers, days=days, seed=seed, progress=progress
    )
    if hold_back_faults:
        for fault in manifest.get("injected_faults", []):
            src = landing / fault["file"]
            if src.exists():
                dest = held_back_dir(truth) / fault["file"]
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(src, dest)
    return manifest


def move_files(src_root: Path, dest_root: Path, pattern: str = "*") -> list[Path]:
    """Move the files below `src_root` matching `pattern` to the same relative paths below
    `dest_root`, in name order; returns their new paths."""
    moved = []
    for src in sorted(p for p in src_root.rglob(pattern) if p.is_file()):
        dest = dest_root / src.relative_to(src_root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(src, dest)
        moved.append(dest)
    return moved


def deliver_held_back(landing: Path, truth: Path) -> list[Path]:
    """Move the held-back malformed files into the landing folder; returns their new paths."""
    root = held_back_dir(truth)
    return move_files(root, landing) if root.exists() else []


def last_day(landing: Path) -> str:
    """The latest YYYYMMDD of the daily exports in the landing folder."""
    return max(m.group(1) for p in landing.rglob("*.json") if (m := DAILY.search(p.name)))


def hold_back_day(landing: Path, held: Path, day: str) -> list[Path]:
    """Move every daily export dated `day` out of the landing folder into `held`."""
    return move_files(landing, held, f"*_{day}.json")


def injected_faults(truth: Path) -> list[dict]:
    manifest = truth / "manifest.json"
    if not manifest.exists():
        return []
    return json.loads(manifest.read_text()).get("injected_faults", [])
