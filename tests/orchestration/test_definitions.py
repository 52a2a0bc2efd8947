"""The Dagster definitions load and describe the graph: landing, staging, identity, marts."""

from __future__ import annotations

import datetime as dt

import dagster as dg


def _graph():
    from orchestration.definitions import defs

    return defs, defs.resolve_asset_graph()


def test_definitions_load_with_one_landing_asset_per_source():
    from orchestration.landing import SOURCES

    _, graph = _graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    for source in SOURCES:
        assert f"landing/{source}" in keys


def test_assets_are_grouped_by_layer():
    _, graph = _graph()
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert {"landing", "staging", "identity", "marts"} <= groups


def test_staging_models_hang_below_their_landing_asset():
    _, graph = _graph()
    staging = [k for k in graph.get_all_asset_keys() if graph.get(k).group_name == "staging"]
    assert staging
    for key in staging:
        parents = {p.to_user_string() for p in graph.get(key).parent_keys}
        assert any(p.startswith("landing/") for p in parents), (key, parents)


def test_landing_checks_and_dbt_tests_are_blocking_checks():
    defs, graph = _graph()
    specs = [
        spec
        for assets_def in defs.assets
        if isinstance(assets_def, dg.AssetsDefinition)
        for spec in assets_def.check_specs
    ]
    landing = [s for s in specs if s.name == "landing_suite"]
    dbt_tests = [s for s in specs if s.name != "landing_suite"]
    assert landing and all(s.blocking for s in landing)
    assert dbt_tests, "dbt tests should load as asset checks"
    assert any(s.blocking for s in dbt_tests)


def test_daily_schedule_evaluates_to_a_run_request_in_taipei_time():
    defs, _ = _graph()
    schedule = defs.resolve_schedule_def("daily_refresh")
    assert schedule.execution_timezone == "Asia/Taipei"
    context = dg.build_schedule_context(
        scheduled_execution_time=dt.datetime(2026, 11, 24, 6, 0, tzinfo=dt.UTC)
    )
    result = schedule.evaluate_tick(context)
    assert len(result.run_requests) == 1
    assert result.run_requests[0].job_name in (None, "refresh_all")
