"""The generator's small sample lands: every file loads except exactly the injected faults."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.landing import land_all, land_source
from tests.landing.conftest import query

PROJECT = Path(__file__).resolve().parents[2]

#: generator fault rule -> the landing rule that must catch it
FAULT_RULES = {
    "too_few_columns": {"csv_too_few_fields"},
    "too_many_columns": {"csv_too_many_fields"},
    "truncated_json": {"json_invalid"},
    "missing_required_column": {"required_columns"},
    "missing_required_field": {"required_not_null"},
    "unparseable_timestamp": {"timestamp_parses"},
    "timestamp_out_of_range": {"timestamp_in_range"},
    "unparseable_number": {"numeric_parses"},
    "binary": {"encoding"},
    "bad_encoding": {"encoding"},
}


@pytest.mark.generated_sample
def test_every_source_of_the_generated_sample_lands(cfg) -> None:
    truth = cfg.landing_dir.parent / "truth"
    subprocess.run(
        [sys.executable, "-m", "orchestration.generator", "--customers", "300", "--days", "20",
         "--out", str(cfg.landing_dir), "--truth", str(truth), "--quiet"],
        cwd=PROJECT, check=True, capture_output=True,
    )  # fmt: skip
    manifest = json.loads((truth / "manifest.json").read_text())
    faults = {f["file"]: f for f in manifest["injected_faults"]}
    file_rows = {f["file"]: f["rows"] for f in manifest["files"]}

    results = land_all(cfg, progress=False)

    for source, result in results.items():
        assert not result.files_unrecognised, (source, result.files_unrecognised)
        if any(name.startswith(f"{source}/") for name in file_rows):
            assert result.files_loaded, f"{source}: no file loaded"
        for f in result.files_loaded:
            assert f.rows == file_rows[f.path], (f.path, f.rows, file_rows[f.path])
    quarantined = {f.path: f for r in results.values() for f in r.files_quarantined}
    assert set(quarantined) == set(faults)
    for path, fault in faults.items():
        rules = {r["rule"] for r in quarantined[path].reasons}
        assert rules & FAULT_RULES.get(fault["rule"], {fault["rule"]}), (path, rules, fault)
        if fault.get("row"):
            rows = {row for r in quarantined[path].reasons for row in r["rows"]}
            assert fault["row"] in rows, (path, rows, fault)
        assert (cfg.quarantine_dir / path).with_name(Path(path).name + ".reason.json").exists()

    loaded_total = sum(r.rows_loaded for r in results.values())
    assert loaded_total == query(cfg, "SELECT sum(rows) FROM raw._landing_ledger")[0][0]
    # landing the same folder again is a no-op
    assert land_source("web_events", cfg, progress=False).rows_loaded == 0
