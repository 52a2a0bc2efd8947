"""Jobs, the daily schedule and the landing-folder sensor.

- `refresh_all`: every asset, landing to marts, in one process (DuckDB allows one writer).
- Daily schedule at OMNI_SCHEDULE_CRON (default 06:00) in OMNI_SCHEDULE_TZ (default Asia/Taipei).
- `landing_folder_sensor`: starts one run per batch of new export files; the run key is a hash of
  the batch's file names, sizes and modification times, so the same files never start two runs.
"""

import hashlib
import os

import dagster as dg

from orchestration.landing import FEEDS
from orchestration.lib.config import landing_dir

refresh_all = dg.define_asset_job(
    name="refresh_all",
    selection=dg.AssetSelection.all(),
    description="Land new exports, then build and test every dbt model.",
    executor_def=dg.in_process_executor,
)

daily_refresh = dg.ScheduleDefinition(
    name="daily_refresh",
    job=refresh_all,
    cron_schedule=os.environ.get("OMNI_SCHEDULE_CRON", "0 6 * * *"),
    execution_timezone=os.environ.get("OMNI_SCHEDULE_TZ", "Asia/Taipei"),
    description="Refresh everything once a day (Asia/Taipei time unless OMNI_SCHEDULE_TZ says).",
)


def pending_export_files() -> list[tuple[str, int, int]]:
    """(relative path, size, mtime_ns) of every file in the landing folder that a feed claims."""
    root = landing_dir()
    found: list[tuple[str, int, int]] = []
    for feed in FEEDS.values():
        folder = root / feed.source
        if not folder.is_dir():
            continue
        for path in folder.glob(feed.glob):
            if path.is_file():
                stat = path.stat()
                found.append((str(path.relative_to(root)), stat.st_size, stat.st_mtime_ns))
    return sorted(set(found))


@dg.sensor(
    job=refresh_all,
    minimum_interval_seconds=60,
    description="Starts a refresh when new export files arrive in the landing folder.",
)
def landing_folder_sensor(context: dg.SensorEvaluationContext):
    files = pending_export_files()
    seen = set((context.cursor or "").split("\n")) if context.cursor else set()
    fingerprints = {f"{p}|{s}|{m}" for p, s, m in files}
    new = sorted(fingerprints - seen)
    if not new:
        return dg.SkipReason("no new export files")
    run_key = hashlib.sha256("\n".join(new).encode()).hexdigest()[:32]
    context.update_cursor("\n".join(sorted(fingerprints | seen)))
    return dg.RunRequest(run_key=run_key, tags={"omni/new_files": str(len(new))})
