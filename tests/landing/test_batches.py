"""Files of one feed share a transaction; each keeps its own suite, ledger row and quarantine."""

from __future__ import annotations

import json

from orchestration.landing import land_source
from tests.landing.conftest import CSV_SAMPLES, kill_landing_inside_transaction, query, write

HEADER = CSV_SAMPLES["consent/consent_events"][1].splitlines()[0]


def _rows(prefix: str, n: int, status: str = "granted") -> str:
    lines = [
        f"{prefix}{i},2026-05-0{1 + i % 9}T10:00:00Z,email,{prefix}{i}@example.com,email,"
        f"{status},crm"
        for i in range(n)
    ]
    return HEADER + "\n" + "\n".join(lines) + "\n"


def test_a_file_failing_its_suite_leaves_the_batch_and_its_mates_load(cfg) -> None:
    write(cfg, "consent", "consent_1.csv", _rows("a", 3))
    # row 2: a status outside the strict enumeration; row 3: no event id
    bad = _rows("b", 3).replace("b1@example.com,email,granted", "b1@example.com,email,maybe")
    bad = bad.replace("\nb2,", "\n,")
    write(cfg, "consent", "consent_2.csv", bad)
    write(cfg, "consent", "consent_3.csv", _rows("c", 4))
    write(cfg, "consent", "consent_4_same_bytes_as_2.csv", bad)
    result = land_source("consent", cfg, progress=False)

    assert [f.path for f in result.files_loaded] == [
        "consent/consent_1.csv",
        "consent/consent_3.csv",
    ]
    assert [f.path for f in result.files_quarantined] == ["consent/consent_2.csv"]
    assert [f.path for f in result.files_skipped] == ["consent/consent_4_same_bytes_as_2.csv"]
    [q] = result.files_quarantined
    rules = {r["rule"]: r["rows"] for r in q.reasons}
    assert rules == {"required_not_null": [3], "enum": [2]}
    assert query(
        cfg,
        "SELECT _source_file, count(*), min(_row_number), max(_row_number) "
        "FROM raw.consent GROUP BY 1 ORDER BY 1",
    ) == [
        ("consent/consent_1.csv", 3, 1, 3),
        ("consent/consent_3.csv", 4, 1, 4),
    ]
    ledger = query(
        cfg, "SELECT file_name, status, rows FROM raw._landing_ledger ORDER BY file_name"
    )
    assert ledger == [
        ("consent/consent_1.csv", "loaded", 3),
        ("consent/consent_2.csv", "quarantined", 0),
        ("consent/consent_3.csv", "loaded", 4),
    ]
    reason = json.loads((cfg.quarantine_dir / "consent" / "consent_2.csv.reason.json").read_text())
    assert {r["rule"] for r in reason["reasons"]} == {"required_not_null", "enum"}
    # the duplicate is left where it was delivered (skipped, not quarantined twice)
    assert (cfg.landing_dir / "consent" / "consent_4_same_bytes_as_2.csv").exists()


def test_a_broken_file_and_a_new_column_in_one_batch(cfg) -> None:
    write(cfg, "consent", "consent_1.csv", _rows("a", 2))
    ragged = _rows("b", 3).replace("\nb1,", "\nb1,x,")  # row 2 has one field too many
    write(cfg, "consent", "consent_2.csv", ragged)
    write(
        cfg,
        "consent",
        "consent_3.csv",
        _rows("c", 2).replace(HEADER, HEADER + ",note").replace(",crm\n", ",crm,hi\n"),
    )
    write(cfg, "consent", "consent_4.csv", _rows("d", 5))
    result = land_source("consent", cfg, progress=False)

    assert [f.path for f in result.files_loaded] == [
        "consent/consent_1.csv",
        "consent/consent_3.csv",
        "consent/consent_4.csv",
    ]
    [q] = result.files_quarantined
    assert q.reasons[0]["rule"] == "csv_too_many_fields" and q.reasons[0]["rows"] == [2]
    assert result.files_loaded[1].new_columns == ["note"]
    assert query(
        cfg, "SELECT _source_file, count(*), count(note) FROM raw.consent GROUP BY 1 ORDER BY 1"
    ) == [
        ("consent/consent_1.csv", 2, 0),
        ("consent/consent_3.csv", 2, 2),
        ("consent/consent_4.csv", 5, 0),
    ]
    assert query(cfg, "SELECT status, count(*) FROM raw._landing_ledger GROUP BY 1 ORDER BY 1") == [
        ("loaded", 3),
        ("quarantined", 1),
    ]


def test_killed_mid_batch_leaves_none_of_its_files(cfg) -> None:
    write(cfg, "consent", "consent_1.csv", _rows("a", 2000))
    write(cfg, "consent", "consent_2.csv", _rows("b", 2000))
    words = kill_landing_inside_transaction("consent")  # after both files' inserts
    assert words[1:] == ["consent/consent_1.csv", "consent/consent_2.csv"], words
    assert query(cfg, "SELECT count(*) FROM raw.consent") == [(0,)]
    assert query(cfg, "SELECT count(*) FROM raw._landing_ledger") == [(0,)]
    assert land_source("consent", cfg, progress=False).rows_loaded == 4000
    assert query(cfg, "SELECT count(DISTINCT event_id) FROM raw.consent") == [(4000,)]
