from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.generator import generate

SMALL = {"customers": 300, "days": 20, "progress": False}


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    root = tmp_path_factory.mktemp("gen42")
    manifest = generate(root / "landing", root / "truth", seed=42, **SMALL)
    return root / "landing", root / "truth", manifest
