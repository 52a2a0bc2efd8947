"""The single Dagster entry point: `dagster dev -m orchestration.definitions` loads `defs`."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.automation.jobs import daily_refresh, landing_folder_sensor, refresh_all
from orchestration.defs.dbt.assets import omnichannel_dbt_assets
from orchestration.defs.landing.assets import landing_assets
from orchestration.defs.privacy.assets import erasure
from orchestration.lib.config import export_for_dbt, settings
from orchestration.lib.dbt import dbt_project, dbt_resource

export_for_dbt(settings())
dbt_project.prepare_if_dev()  # `dagster dev` re-parses so edits to models show up

defs = dg.Definitions(
    assets=[*landing_assets, omnichannel_dbt_assets, erasure],
    jobs=[refresh_all],
    schedules=[daily_refresh],
    sensors=[landing_folder_sensor],
    resources={"dbt": dbt_resource()},
)
