"""Erasure: after the dbt build, erased people leave every layer and the quarantine folder.

Runs after every dbt model (it reads the identity graph the build just made) and executes the
right-to-erasure requests not executed yet (orchestration/privacy/erasure.py): suppression list,
raw, quarantine, staging/intermediate/identity/marts tables, audit row. With no pending request
it still scrubs the quarantine folder against the suppression list (a file quarantined after an
erasure may hold the person).
"""

import dagster as dg

from orchestration.defs.dbt.assets import omnichannel_dbt_assets
from orchestration.lib.config import settings
from orchestration.privacy import execute_erasures

ERASURE_KEY = dg.AssetKey(["privacy", "erasure"])


@dg.asset(
    key=ERASURE_KEY,
    group_name="privacy",
    kinds={"duckdb", "python"},
    deps=[omnichannel_dbt_assets],
    pool="warehouse",
    description=(
        "Executes pending right-to-erasure requests: suppresses the person's identifiers (salted "
        "hashes), deletes their rows from raw and every derived table, scrubs quarantined files, "
        "and writes privacy.erasure_audit."
    ),
)
def erasure(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    result = execute_erasures(settings())
    for executed in result.executed:
        context.log.info(
            f"erasure {executed['erasure_request_id']}: "
            f"{sum(executed['rows_removed'].values())} rows removed"
        )
    for scrub in result.quarantine:
        context.log.info(
            f"quarantine {scrub.file}: {scrub.action}, {scrub.records_removed} records removed"
        )
    return dg.MaterializeResult(
        metadata={
            "requests_executed": dg.MetadataValue.int(len(result.executed)),
            "request_ids": dg.MetadataValue.json(
                [e["erasure_request_id"] for e in result.executed]
            ),
            "rows_removed": dg.MetadataValue.int(result.rows_removed_total),
            "rows_removed_per_table": dg.MetadataValue.json(result.rows_removed),
            "quarantine_files": dg.MetadataValue.json([s.to_dict() for s in result.quarantine]),
        }
    )
