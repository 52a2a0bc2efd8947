"""Right to erasure, end to end, with real Dagster runs on a private copy of the sample.

The generator's sample carries erasure requests (truth `people.csv` `erased_at`; the request names
the person's email). The fixture:

1. runs `refresh_all` without the erasure asset (landing, every dbt model and test), and reads
   which of the erased people's truth identifiers the identity graph linked to them (a web cookie
   only ever used anonymously is not theirs as far as the warehouse can know);
2. delivers malformed files holding the erased people (a HubSpot snapshot with one broken row, a
   truncated gzip of a SendGrid day, the generator's own faulty files) and lands them: they are
   quarantined;
3. materialises the erasure asset.

Then the warehouse (every column of every table of every schema, raw included; the privacy tables
hold only salted hashes and request ids) and every file of the quarantine folder are searched for
each identifier, plain, salted-hashed and unsalted-hashed.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import shutil

import dagster as dg
import duckdb
import pytest

from orchestration.lib.sample import deliver_held_back
from tests.conftest import copy_sample
from tests.privacy.scan import (
    erased_people,
    needles,
    read_text_forms,
    salted,
    scan_folder,
    scan_warehouse,
    truth_identifiers,
)

SALT = os.environ["OMNI_PII_SALT"]
ENV = ("OMNI_LANDING_DIR", "OMNI_QUARANTINE_DIR", "OMNI_WAREHOUSE", "OMNI_TRUTH_DIR")
#: device ids the graph only links when the person logged in or clicked their own link
DEVICE_TYPES = ("web_cookie", "app_instance_id")
BROKEN_CRM = "crm_contacts/hubspot-crm-exports-all-contacts-2026-05-30-broken.csv"
BROKEN_GZ = "email_events/sendgrid_events_20260502_gz.json"


def _run(selection: list[dg.AssetKey]):
    from orchestration.definitions import defs

    job = defs.resolve_job_def("refresh_all")
    return job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), asset_selection=selection, raise_on_error=False
    )


def _keys():
    from orchestration.definitions import defs
    from orchestration.defs.privacy.assets import ERASURE_KEY

    graph = defs.resolve_asset_graph()
    everything = [k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable]
    landing = [k for k in everything if k.path[0] == "landing"]
    return everything, landing, ERASURE_KEY


def _deliver_broken_files(ws, erased_values: list[str]) -> None:
    """A HubSpot snapshot with one broken row (too many fields) and a truncated gzip of a
    SendGrid day that holds an erased person: both are quarantined whole."""
    crm = next((ws.landing / "crm_contacts").glob("hubspot-crm-exports-*.csv"))
    lines = crm.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[-1] = lines[-1].rstrip("\n") + ",extra,fields\n"
    (ws.landing / BROKEN_CRM).write_text("".join(lines), encoding="utf-8")
    day = next(
        p
        for p in sorted((ws.landing / "email_events").glob("sendgrid_events_*.json"))
        if any(v in p.read_text(encoding="utf-8") for v in erased_values)
    )
    (ws.landing / BROKEN_GZ).write_bytes(gzip.compress(day.read_bytes())[:-64])


@pytest.fixture(scope="module")
def erased(sample_exports, tmp_path_factory):
    saved = {k: os.environ.get(k) for k in ENV}
    ws = copy_sample(sample_exports, tmp_path_factory.mktemp("privacy") / "ws")
    ws.activate()
    try:
        everything, landing, erasure_key = _keys()
        built = _run([k for k in everything if k != erasure_key])
        assert built.success

        people = erased_people(ws.truth)
        identifiers = truth_identifiers(ws.truth, people)
        con = duckdb.connect(str(ws.warehouse), read_only=True)
        erased_keys = {
            key
            for (key,) in con.execute(
                "select identifier_key from intermediate.int_customers_stitched where is_erased"
            ).fetchall()
        }
        con.close()
        linked = [
            i for i in identifiers if f"{i.identifier_type}:{salted(i.value, SALT)}" in erased_keys
        ]
        required = linked + [
            i for i in identifiers if i.identifier_type not in DEVICE_TYPES and i not in linked
        ]
        found = needles(required, SALT)
        originals = {
            path: read_text_forms(path)
            for path in sorted(p for p in ws.landing.rglob("*") if p.is_file())
        }
        holding = [p for p, text in originals.items() if any(n in text for n in found)]

        _deliver_broken_files(ws, [i.value for i in required])
        deliver_held_back(ws.landing, ws.truth)
        _run(landing)  # the malformed files go to quarantine (their check fails, as it should)
        assert (ws.quarantine / BROKEN_CRM).exists() and (ws.quarantine / BROKEN_GZ).exists()
        crm_rows_before = len((ws.quarantine / BROKEN_CRM).read_text().splitlines())

        result = _run([erasure_key])
        assert result.success
        yield {
            "ws": ws,
            "people": people,
            "linked": linked,
            "required": required,
            "needles": found,
            "holding": holding,
            "crm_rows_before": crm_rows_before,
            "landing": landing,
            "erasure_key": erasure_key,
        }
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def test_the_graph_linked_each_erased_person_beyond_the_requested_identifier(erased):
    assert len(erased["people"]) >= 2
    for person in erased["people"]:
        types = {i.identifier_type for i in erased["linked"] if i.person_id == person}
        assert "email" in types and len(types) >= 3, (person, types)


def test_no_identifier_of_an_erased_person_remains_in_any_table(erased):
    hits = scan_warehouse(erased["ws"].warehouse, erased["needles"])
    assert hits == []


def test_no_identifier_of_an_erased_person_remains_in_quarantine(erased):
    assert scan_folder(erased["ws"].quarantine, erased["needles"]) == []


def test_quarantined_files_are_rewritten_or_removed_and_say_so(erased):
    ws = erased["ws"]
    crm = ws.quarantine / BROKEN_CRM
    assert crm.exists()
    assert 1 < len(crm.read_text().splitlines()) < erased["crm_rows_before"]
    crm_reason = json.loads(crm.with_name(crm.name + ".reason.json").read_text())
    assert crm_reason["erasure"][-1]["action"] == "rewritten"
    assert crm_reason["erasure"][-1]["records_removed"] == len(erased["people"])
    gz = ws.quarantine / BROKEN_GZ
    assert not gz.exists()
    gz_reason = json.loads(gz.with_name(gz.name + ".reason.json").read_text())
    assert gz_reason["erasure"][-1]["action"] == "removed"


def test_audit_row_per_request_counts_rows_per_table_without_pii(erased):
    ws = erased["ws"]
    con = duckdb.connect(str(ws.warehouse), read_only=True)
    rows = con.execute(
        "select erasure_request_id, requested_at, executed_at, customers_erased,"
        " rows_removed_total, rows_removed, quarantine_files from privacy.erasure_audit"
    ).fetchall()
    con.close()
    with (ws.landing / "erasure_requests").glob("*.csv").__next__().open(newline="") as f:
        request_ids = {row["request_id"] for row in csv.DictReader(f)}
    assert {r[0] for r in rows} == request_ids
    for request_id, requested_at, executed_at, customers, total, per_table, files in rows:
        per_table = json.loads(per_table)
        assert requested_at is not None and executed_at >= requested_at
        assert customers == 1
        assert total == sum(per_table.values()) > 0
        assert {"raw.crm_contacts", "raw.erasure_requests"} <= set(per_table)
        assert any(key.startswith("intermediate.") for key in per_table)
        # the identity graph held the person's identifiers in record pairs and edges too
        assert {"intermediate.int_identifier_pairs", "intermediate.int_identity_edges"} <= set(
            per_table
        )
        text = " ".join(str(v) for v in (request_id, per_table, files))
        assert not [n for n in erased["needles"] if n in text]


def test_suppression_list_holds_the_salted_hash_of_every_linked_identifier(erased):
    con = duckdb.connect(str(erased["ws"].warehouse), read_only=True)
    suppressed = set(
        con.execute(
            "select identifier_type, identifier_hash from privacy.suppressed_identifiers"
        ).fetchall()
    )
    con.close()
    expected = {(i.identifier_type, salted(i.value, SALT)) for i in erased["linked"]}
    assert expected <= suppressed
    plain = {i.value for i in erased["required"]}
    assert not {h for _, h in suppressed} & plain


def test_redelivered_exports_do_not_bring_erased_people_back(erased):
    """Every export that held an erased person is delivered again under a new name with other
    bytes (a re-export), landed and followed by the erasure asset: the landing hook drops their
    rows (the ledger counts fewer rows than the first copy), nothing else is lost."""
    ws = erased["ws"]
    assert erased["holding"]
    copies = {}
    for path in erased["holding"]:
        copy = path.with_name(f"{path.stem}-redelivered{path.suffix}")
        data = path.read_bytes()
        shutil.copyfile(path, copy)
        copy.write_bytes(data + (b"\r\n" if b"\r\n" in data else b"\n"))
        copies[path.relative_to(ws.landing).as_posix()] = copy.relative_to(ws.landing).as_posix()
    result = _run([*erased["landing"], erased["erasure_key"]])
    assert result.success
    con = duckdb.connect(str(ws.warehouse), read_only=True)
    ledger = dict(
        con.execute(
            "select file_name, rows from raw._landing_ledger where status = 'loaded'"
        ).fetchall()
    )
    con.close()
    for original, copy in copies.items():
        assert copy in ledger, copy
        assert 0 <= ledger[copy] < ledger[original], (copy, ledger[copy], ledger[original])
    assert scan_warehouse(ws.warehouse, erased["needles"]) == []
    assert scan_folder(ws.quarantine, erased["needles"]) == []


def test_landing_hook_counts_suppressed_rows(erased, monkeypatch):
    """land_source reports the rows it dropped for the suppression list."""
    from orchestration.landing import land_source

    ws = erased["ws"]
    ws.activate(monkeypatch)
    crm = next(p for p in erased["holding"] if p.parent.name == "crm_contacts")
    copy = crm.with_name(f"{crm.stem}-again{crm.suffix}")
    copy.write_bytes(crm.read_bytes() + b"\n\n")
    result = land_source("crm_contacts", progress=False)
    (loaded,) = [f for f in result.files_loaded if f.path.endswith(copy.name)]
    assert loaded.suppressed == len(erased["people"])
    original_rows = len(list(csv.DictReader(crm.open(newline="", encoding="utf-8"))))
    assert loaded.rows == original_rows - loaded.suppressed
