from __future__ import annotations

from pathlib import Path

import pytest

from tests.identity.dbt_project import Warehouse


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    """An empty warehouse with every raw table of the contract."""
    wh = Warehouse(tmp_path / "warehouse.duckdb")
    wh.setup_raw()
    return wh
