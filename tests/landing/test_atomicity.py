"""A load killed inside its transaction leaves nothing behind; a rerun loads the file once."""

from __future__ import annotations

from orchestration.landing import land_source
from tests.landing.conftest import kill_landing_inside_transaction, query, write


def test_killed_mid_load_leaves_no_partial_rows(cfg) -> None:
    header = "event_id,occurred_at,subject_type,subject_value,channel,status,source\n"
    rows = "".join(
        f"e{i},2026-05-01T10:00:00Z,email,p{i}@example.com,email,granted,crm\n" for i in range(5000)
    )
    write(cfg, "consent", "consent_big.csv", header + rows)
    words = kill_landing_inside_transaction("consent")  # after the INSERTs, before COMMIT
    assert words[1:] == ["consent/consent_big.csv"], words

    assert query(cfg, "SELECT count(*) FROM raw.consent") == [(0,)]
    assert query(cfg, "SELECT count(*) FROM raw._landing_ledger") == [(0,)]
    assert (cfg.landing_dir / "consent/consent_big.csv").exists()

    result = land_source("consent", cfg, progress=False)
    assert result.rows_loaded == 5000
    assert land_source("consent", cfg, progress=False).rows_loaded == 0
    assert query(cfg, "SELECT count(*), count(DISTINCT event_id) FROM raw.consent") == [
        (5000, 5000)
    ]
