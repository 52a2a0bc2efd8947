"""The generated sample as the demo and the tests use it.

The generator writes a few malformed files into the landing folder on purpose (listed in the
manifest's `injected_faults`). The demo lands the clean exports first, then delivers those files as
a second batch to show the gate; `generate_sample` therefore holds them back in
`<truth_dir>/faulty_delivery/<source>/` (outside the landing folder) until `deliver_held_back`
moves them in.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path


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


def deliver_held_back(landing: Path, truth: Path) -> list[Path]:
    """Move the held-back malformed files into the landing folder; returns their new paths."""
    root = held_back_dir(truth)
    delivered = []
    if not root.exists():
        return delivered
    for src in sorted(p for p in root.rglob("*") if p.is_file()):
        dest = landing / src.relative_to(root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(src, dest)
        delivered.append(dest)
    return delivered


def injected_faults(truth: Path) -> list[dict]:
    manifest = truth / "manifest.json"
    if not manifest.exists():
        return []
    return json.loads(manifest.read_text()).get("injected_faults", [])
