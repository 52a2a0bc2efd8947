"""Real Dagster runs of the whole graph on the generator's small sample.

The session fixture `pipeline` lands the sample and builds every dbt model with its tests once;
the tests below read its result, or copy its warehouse to run a second delivery against it.
"""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb

from tests.conftest import make_workspace

MARTS = "marts.customer_identifiers"


def _materialised(result) -> set[str]:
    """Materialised asset keys, plus each dbt model's bare name (keys are <schema>/<model>)."""
    keys = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    return keys | {key.rsplit("/", 1)[-1] for key in keys if not key.startswith("landing/")}


def _failed_checks(result) -> set[str]:
    return {
        f"{e.asset_key.to_user_string()}:{e.check_name}"
        for e in result.get_asset_check_evaluations()
        if not e.passed
    }


def _count(warehouse, table: str) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(f"select count(*) from {table}").fetchone()[0]
    finally:
        con.close()


def _second_delivery(pipeline, tmp_path):
    """A private copy of the built warehouse, landing folder and ledger."""
    ws_built, _ = pipeline
    ws = make_workspace(tmp_path / "ws")
    shutil.copytree(ws_built.landing, ws.landing)
    shutil.copy(ws_built.warehouse, ws.warehouse)
    return ws


def _run_all(ws, monkeypatch):
    ws.activate(monkeypatch)
    from orchestration.definitions import defs

    job = defs.resolve_job_def("refresh_all")
    return job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)


def test_whole_graph_materialises_on_the_sample(pipeline):
    from orchestration.definitions import defs

    ws, result = pipeline
    assert result.success, _failed_checks(result)
    graph = defs.resolve_asset_graph()
    expected = {
        k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).is_materializable
    }
    assert expected - _materialised(result) == set()
    assert "customer_identifiers" in _materialised(result)
    assert _failed_checks(result) == set()


def test_every_source_has_a_raw_table_with_rows(pipeline):
    from orchestration.landing import FEEDS

    ws, _ = pipeline
    for feed in FEEDS.values():
        if feed.table == "erasure_requests":  # executed requests leave raw; the audit keeps ids
            assert _count(ws.warehouse, "privacy.erasure_audit") > 0
            continue
        assert _count(ws.warehouse, f"raw.{feed.table}") > 0, feed.table


def test_malformed_file_fails_its_check_and_marts_keep_the_last_good_version(
    pipeline, tmp_path, monkeypatch
):
    ws = _second_delivery(pipeline, tmp_path)
    before = _count(ws.warehouse, MARTS)
    bad = ws.landing / "shop_orders" / "orders_export_2026-12-broken.csv"
    bad.write_text("Name,Email,Id\n#9001,a@example.com\n#9002,b@example.com,9002,extra,fields\n")
    (ws.landing / "sms_messages" / "twilio_messages_2099-01.csv").write_text(
        "From,To,Body,Status,SentDate,ApiVersion,NumSegments,ErrorCode,AccountSid,Sid,"
        "Direction,Price,PriceUnit\n"
        "+15005550006,+886912345678,hi,delivered,2026-06-01T10:00:00+08:00,2010-04-01,1,,AC1,"
        "SMtest0001,outbound-api,-0.0445,USD\n"
    )

    result = _run_all(ws, monkeypatch)

    assert not result.success
    assert "landing/shop_orders:landing_suite" in _failed_checks(result)
    materialised = _materialised(result)
    assert "landing/sms_messages" in materialised  # the other sources still land
    assert "customer_identifiers" not in materialised  # the marts are not rebuilt...
    assert _count(ws.warehouse, MARTS) == before  # ...so BI keeps the last good version
    assert (ws.quarantine / "shop_orders" / bad.name).exists()
    assert not bad.exists()
    assert _count(ws.warehouse, "raw.sms_messages where sid = 'SMtest0001'") == 1


def test_a_second_run_over_the_same_and_renamed_files_changes_nothing(
    pipeline, tmp_path, monkeypatch
):
    ws = _second_delivery(pipeline, tmp_path)
    for path in list(ws.landing.rglob("orders_export*.csv")):
        shutil.copy(path, path.with_name(path.stem + "-copy.csv"))
    before = _count(ws.warehouse, "raw.shop_orders")
    result = _run_all(ws, monkeypatch)
    assert result.success, _failed_checks(result)
    assert _count(ws.warehouse, "raw.shop_orders") == before


def test_failing_dbt_test_blocks_the_models_below_it(pipeline, tmp_path, monkeypatch):
    """A value landing lets through but a dbt test rejects (an unknown GA4 platform) fails that
    test's check; dbt skips everything downstream of the model, the marts keep their last good
    version, and models on other branches still build."""
    ws = _second_delivery(pipeline, tmp_path)
    before = _count(ws.warehouse, MARTS)
    con = duckdb.connect(str(ws.warehouse))
    con.execute(
        """
        insert into raw.web_events
            (event_date, event_timestamp, event_name, user_pseudo_id, platform,
             _source_file, _row_number, _loaded_at, _file_hash)
        values
            ('20260601', '1780300800000000', 'page_view', '999.111', 'SMART_TV',
             'web_events/injected.json', 1, current_timestamp, 'injected')
        """
    )
    con.close()

    result = _run_all(ws, monkeypatch)

    assert not result.success
    failed = _failed_checks(result)
    assert any(name.startswith("staging/stg_ga4__events:") for name in failed), failed
    materialised = _materialised(result)
    assert "stg_hubspot__contacts" in materialised  # another branch still builds
    assert "int_identifiers_unioned" not in materialised  # below the failing test: skipped
    assert "customer_identifiers" not in materialised
    assert _count(ws.warehouse, MARTS) == before
