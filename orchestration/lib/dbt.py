"""The dbt project as Dagster sees it: project handle, CLI resource and the one shared translator.

Asset keys: dbt models keep their name as key; dbt sources (`raw.<table>`) map onto the landing
asset of the source that fills the table, so every staging model hangs below its landing asset.
Groups come from the dbt folder: staging, identity (intermediate/identity), intermediate, marts.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from functools import cache
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
)

from orchestration.lib.config import DBT_PROJECT_DIR

DBT_TARGET = os.environ.get("OMNI_DBT_TARGET", "dev")

# dbt is installed beside this interpreter; make it findable when the venv is not activated
# (dagster-dbt and its project preparer call `dbt` from PATH).
_BIN_DIR = str(os.path.dirname(sys.executable))
if shutil.which("dbt") is None and os.path.exists(os.path.join(_BIN_DIR, "dbt")):
    os.environ["PATH"] = _BIN_DIR + os.pathsep + os.environ.get("PATH", "")

dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    profiles_dir=DBT_PROJECT_DIR,
    target=DBT_TARGET,
)


def landing_key(source: str) -> dg.AssetKey:
    """Asset key of the landing asset for one source (e.g. `landing/shop_orders`)."""
    return dg.AssetKey(["landing", source])


@cache
def _table_to_source() -> dict[str, str]:
    from orchestration.landing import FEEDS

    return {feed.table.split(".")[-1]: feed.source for feed in FEEDS.values()}


class OmniDbtTranslator(DagsterDbtTranslator):
    """Keys and groups for the whole project, in one place (style rule 11)."""

    def __init__(self) -> None:
        # Several raw tables come from one source (LINE webhooks and send log), so several dbt
        # sources share one landing asset key.
        super().__init__(
            settings=DagsterDbtTranslatorSettings(
                enable_asset_checks=True, enable_duplicate_source_asset_keys=True
            )
        )

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            table = dbt_resource_props["name"]
            source = _table_to_source().get(table)
            if source is not None:
                return landing_key(source)
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        folders = fqn[1:-1]
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        if not folders:
            return "default"
        if folders[0] == "intermediate" and len(folders) > 1 and folders[1] == "identity":
            return "identity"
        return folders[0]


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, profiles_dir=DBT_PROJECT_DIR, target=DBT_TARGET)


def prepare_manifest() -> None:
    """Parse the project so the manifest matches the models on disk (fast with partial parse)."""
    from orchestration.lib.config import export_for_dbt, settings

    export_for_dbt(settings())
    dbt_project.preparer.prepare(dbt_project)


_PROJECT_INPUTS = ("models", "macros", "seeds", "snapshots", "tests/dbt")
_PROJECT_FILES = ("dbt_project.yml", "profiles.yml")


def manifest_is_stale() -> bool:
    """True when target/manifest.json is missing or older than a file of the dbt project.

    The asset definitions are built from the manifest when this module is imported: a manifest
    older than the models (a pull that adds a model) would leave that model out of the graph and
    fail the run with a KeyError on its unique id.
    """
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    root = dbt_project.project_dir
    files = [root / name for name in _PROJECT_FILES]
    for folder in _PROJECT_INPUTS:
        files.extend(p for p in (root / folder).rglob("*") if p.is_file())
    return any(f.exists() and f.stat().st_mtime > built for f in files)


if manifest_is_stale():
    # A fresh clone has no target/manifest.json yet, and a pull may add models: parse (partial
    # parse keeps it fast) so the definitions match the project on disk.
    prepare_manifest()
