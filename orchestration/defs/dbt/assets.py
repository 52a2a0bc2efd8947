"""Every dbt model, seed and snapshot as a Dagster asset; dbt tests as asset checks.

`dbt build` runs models and their tests in DAG order, so a failing error-severity test stops the
models below it (dbt skips them) and Dagster records the failed check: the marts keep their last
good version. dagster-dbt marks error-severity tests as blocking checks.
"""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.lib.config import export_for_dbt, settings
from orchestration.lib.dbt import OmniDbtTranslator, dbt_project


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=OmniDbtTranslator(),
    project=dbt_project,
    pool="warehouse",
)
def omnichannel_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    export_for_dbt(settings())
    yield from dbt.cli(["build"], context=context).stream()
