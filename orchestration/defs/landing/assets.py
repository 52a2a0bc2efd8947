"""One landing asset per source: new export files -> Great Expectations gate -> raw.<table>.

Each asset lands every new file of its source (a content-hash ledger makes re-delivery a no-op),
and reports the source's Great Expectations results as a blocking asset check: when any file of
this run failed its suite (and was quarantined), the check fails and Dagster does not run the dbt
models downstream, so BI keeps the last good marts.
"""

import dagster as dg

from orchestration.landing import SOURCES, land_source
from orchestration.lib.config import settings
from orchestration.lib.dbt import landing_key
from orchestration.lib.warehouse import is_lock_error

SUITE_CHECK = "landing_suite"

#: A locked warehouse file (another writer) is transient: retry with backoff. Anything else
#: (a broken contract, a bug) fails at once.
LOCK_RETRIES = 5
LOCK_BACKOFF_SECONDS = 2


def _check_metadata(result) -> dict[str, dg.MetadataValue]:
    quarantined = [
        {
            "file": str(f.path),
            "reasons": [
                f"{r['rule']} on {r.get('column') or '-'}: {r.get('count', 0)} rows "
                f"(e.g. rows {r.get('rows', [])[:5]})"
                for r in f.reasons
            ],
        }
        for f in result.files_quarantined
    ]
    return {
        "files_validated": dg.MetadataValue.int(
            len(result.files_loaded) + len(result.files_quarantined)
        ),
        "files_quarantined": dg.MetadataValue.int(len(result.files_quarantined)),
        "quarantine": dg.MetadataValue.json(quarantined),
        "flagged": dg.MetadataValue.json(dict(result.flagged)),
    }


def build_landing_asset(source: str) -> dg.AssetsDefinition:
    key = landing_key(source)

    @dg.asset(
        key=key,
        group_name="landing",
        kinds={"duckdb", "python"},
        description=(
            f"Lands new `{source}` export files from OMNI_LANDING_DIR/{source}/ into the raw "
            "schema, one transaction per file, after that source's Great Expectations suite. "
            "Failing files move to OMNI_QUARANTINE_DIR with a reason file."
        ),
        check_specs=[
            dg.AssetCheckSpec(
                SUITE_CHECK,
                asset=key,
                blocking=True,
                description=(
                    "Every file of this run passed its Great Expectations suite; a quarantined "
                    "file fails the check and blocks the models downstream."
                ),
            )
        ],
        pool="warehouse",
    )
    def _landing(context: dg.AssetExecutionContext):
        cfg = settings()
        try:
            result = land_source(source, settings=cfg, progress=False)
        except Exception as exc:  # noqa: BLE001 - classified below
            if is_lock_error(exc):
                raise dg.RetryRequested(
                    max_retries=LOCK_RETRIES,
                    seconds_to_wait=LOCK_BACKOFF_SECONDS * (2**context.retry_number),
                ) from exc
            raise
        for f in result.files_quarantined:
            context.log.error(
                f"{source}: quarantined {f.path}: "
                + "; ".join(f"{r['rule']} ({r.get('column')})" for r in f.reasons)
            )
        passed = not result.files_quarantined
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "rows_loaded": dg.MetadataValue.int(result.rows_loaded),
                "files_loaded": dg.MetadataValue.int(len(result.files_loaded)),
                "files_skipped_already_landed": dg.MetadataValue.int(len(result.files_skipped)),
                "files_quarantined": dg.MetadataValue.int(len(result.files_quarantined)),
                "raw_tables": dg.MetadataValue.json(sorted(result.tables)),
                "landing_dir": dg.MetadataValue.path(str(cfg.landing_dir / source)),
            },
        )
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name=SUITE_CHECK,
            passed=passed,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata=_check_metadata(result),
        )

    return _landing


landing_assets = [build_landing_asset(source) for source in SOURCES]
