"""The landing-folder sensor starts one run per batch of new files and none for files seen."""

from __future__ import annotations

import dagster as dg


def test_sensor_starts_one_run_for_new_files_and_none_for_seen_files(tmp_path, monkeypatch):
    from orchestration.defs.automation.jobs import landing_folder_sensor

    monkeypatch.setenv("OMNI_LANDING_DIR", str(tmp_path))
    (tmp_path / "shop_orders").mkdir()
    (tmp_path / "shop_orders" / "orders_export_2026-05.csv").write_text("Name,Id\n#1,1\n")

    first = landing_folder_sensor.evaluate_tick(dg.build_sensor_context(cursor=None))
    assert len(first.run_requests) == 1
    run_key = first.run_requests[0].run_key

    # Same files again: no run.
    second = landing_folder_sensor.evaluate_tick(dg.build_sensor_context(cursor=first.cursor))
    assert second.run_requests == []
    assert second.skip_message

    # A new file: exactly one new run, under a new key.
    (tmp_path / "shop_orders" / "orders_export_2026-06.csv").write_text("Name,Id\n#2,2\n")
    third = landing_folder_sensor.evaluate_tick(
        dg.build_sensor_context(cursor=second.cursor or first.cursor)
    )
    assert len(third.run_requests) == 1
    assert third.run_requests[0].run_key != run_key


def test_sensor_ignores_files_no_feed_claims(tmp_path, monkeypatch):
    from orchestration.defs.automation.jobs import landing_folder_sensor

    monkeypatch.setenv("OMNI_LANDING_DIR", str(tmp_path))
    (tmp_path / "shop_orders").mkdir()
    (tmp_path / "shop_orders" / "notes.txt").write_text("not an export")
    result = landing_folder_sensor.evaluate_tick(dg.build_sensor_context(cursor=None))
    assert result.run_requests == []
