"""A daily incremental run builds exactly the marts a full refresh of the same data builds.

The sample's last day of daily exports (GA4, LINE and Meta webhooks, Shlink visits) is held
back; the rest is landed and built. Then the day is delivered together with what real days bring
(late GA4 events and a late SendGrid open dated two days back, inside the lookback window;
re-delivered GA4 events, one without its login, a SendGrid webhook retry, a LINE redelivery; a
Twilio re-export with new statuses), a HubSpot export that changes one contact's mobile phone,
a Shopify export that cancels an old order and late SendGrid sends (both change a customer's
latest return from dormancy, which the customer_dormancy_days of VARS lets the sample have),
and two web logins that change the identity graph (one merges
two customers, one makes a cookie shared, so it is excluded and its customer splits), landed, and
dbt runs incrementally (the identity graph re-clustered only where the day touched it). Before
the day, a customer was erased as the erasure job does after a build (their raw contact and
every derived row of their identifiers): their HubSpot contact also carried two placeholder
phones, excluded, which the job leaves, and the daily run must drop those occurrences and their
pair, of a record staging no longer holds, as a full refresh never makes them. A copy of
the warehouse taken before that run is rebuilt with `--full-refresh` from the same raw tables,
except int_customer_id_assignments, which is deliberately stateful (customer ids are stable across
runs, so a fresh assignment may name a merged customer differently): it then takes its
incremental step from the fully re-clustered graph (every component evaluated), and what follows
it is rebuilt with `--full-refresh` from its history. Every mart, every incremental model and the
identity tables (partition, component ids, customer ids) must hold the same rows in both.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime, timedelta

import duckdb
import pytest

from bench import statement_profile
from orchestration.lib.sample import hold_back_day, last_day, move_files
from tests.conftest import Workspace, copy_sample
from tests.identity.dbt_project import Warehouse
from tests.incremental.compare import differences, tables
from tests.incremental.deliveries import (
    erase_customer_of,
    write_consent_and_erasure,
    write_contact_to_erase,
    write_identity_changes,
    write_late_and_redelivered,
    write_late_sends,
    write_order_cancellation,
    write_snapshot_change,
)

INCREMENTAL_MODELS = [
    "staging.stg_ga4__events",
    "staging.stg_sendgrid__events",
    "staging.stg_twilio__messages",
    "staging.stg_line__sends",
    "staging.stg_line__webhook_events",
    "staging.stg_meta__messaging_events",
    "staging.stg_shlink__visits",
    "staging.stg_consent__events",
    "staging.stg_hubspot__contacts",
    "staging.stg_inbox__contacts",
    "staging.stg_shopify__orders",
    "staging.stg_shopify__order_lines",
    "staging.stg_pos__transaction_lines",
    "staging.stg_google_ads__campaign_days",
    "staging.stg_meta_ads__campaign_days",
    "intermediate.int_web_sessions_sessionized",
    "intermediate.int_service_chats_sessionized",
    "intermediate.int_short_link_visits_resolved",
    "intermediate.int_touchpoints_keyed",
    "intermediate.int_touchpoints_unioned",
    "intermediate.int_touch_consents_checked",
    # the granted intervals and consent events' customers it keeps (macros/touch_changes.sql)
    "intermediate.int_touch_consents_checked__grants",
    "intermediate.int_touch_consents_checked__events",
    "intermediate.int_customer_consents_latest",
    "intermediate.int_customer_consents_latest__events",
    "intermediate.int_journey_touchpoints_filtered",
    "intermediate.int_journey_touches_windowed",
    "intermediate.int_non_converting_paths_windowed",
    "intermediate.int_attribution_paths_transformed",
    "intermediate.int_customer_activities_summarized",
    "intermediate.int_customer_channel_responses",
    # the touches' customers they saved for their next run
    "intermediate.int_customer_activities_summarized__touches",
    "intermediate.int_customer_channel_responses__touches",
    # each customer's latest return (follows the two summaries' logs)
    "intermediate.int_customer_returns_latest",
    # sums over paths, kept per customer (macros/attribution_changes.sql)
    "intermediate.int_markov_transitions_counted",
    "intermediate.int_markov_transitions_counted__by_customer",
    "intermediate.int_shapley_values_computed",
    "intermediate.int_shapley_values_computed__by_customer",
    "intermediate.int_rule_credits_computed",
    "intermediate.int_rule_credits_computed__conversions",
    "intermediate.int_customer_identifier_sources",
    # aggregates it per customer (the customer_identifiers mart is compared with the marts)
    "intermediate.int_customer_identifiers_counted",
    # per-recipient short links and the per (code, recipient) state they derive from
    # (macros/short_link_changes.sql)
    "intermediate.int_short_link_recipients",
    "intermediate.int_short_link_recipients__recipients",
    "intermediate.int_short_link_recipients__shared",
]
IDENTITY_MODELS = [
    "intermediate.int_identifiers_unioned",
    # the link keys of the staged GA4 events it keeps to follow the link records' parts
    # (macros/identity_link_changes.sql)
    "intermediate.int_identifiers_unioned__links",
    "intermediate.int_identifier_pairs",
    "intermediate.int_identifiers_excluded",
    "intermediate.int_identity_edges",
    "intermediate.int_identity_components",
    "intermediate.int_identity_components__graph",
    "intermediate.int_customer_id_assignments",
    # the state it keeps beside its history (latest customer per identifier, first assignment)
    "intermediate.int_customer_id_assignments__current",
    "intermediate.int_customer_id_assignments__customers",
    "intermediate.int_customer_merges",
    "intermediate.int_customers_stitched",
]
#: Incremental models checked to re-derive from the day before their sources' earliest new row,
#: with those sources (staging model, the timestamp that dates its rows).
NEW_DATA_SOURCES = {
    "int_service_chats_sessionized": [
        ("stg_line__webhook_events", "occurred_at"),
        ("stg_meta__messaging_events", "occurred_at"),
    ],
    "int_web_sessions_sessionized": [("stg_ga4__events", "occurred_at")],
}
#: Sources of int_identifiers_unioned whose records are replaced only when their occurrences
#: changed: the snapshot sources (link records: those whose parts changed are derived again and
#: diffed with what the table holds) and the export feeds (macro identity_export_feeds: their
#: records staged again are diffed, and those staging no longer holds are dropped).
SNAPSHOT_SOURCES = ("short_link", "web_purchase")
EXPORT_FEEDS = ("hubspot", "inbox", "pos", "shopify")
# macro identity_event_feeds: the staged feeds int_identifiers_unioned reads by _loaded_at
EVENT_FEEDS = (
    "consent",
    "ga4",
    "hubspot",
    "inbox",
    "line",
    "line_send_log",
    "meta",
    "pos",
    "sendgrid",
    "shopify",
    "twilio",
)
DIFFED_SOURCES = SNAPSHOT_SOURCES + EXPORT_FEEDS
#: The run's own values: its start time (assigned_at, in merge ids) and its round count.
RUN_COLUMNS = frozenset(
    {"assigned_at", "merged_at", "customer_merge_id", "contraction_rounds", "customer_created_at"}
)
MODELS_AND_SEEDS = ("--resource-type", "seed", "--resource-type", "model")
#: Every dbt invocation's vars. The sample's 30 days hold no 45-day gap (the default dormancy):
#: with 7, customers go dormant and come back, so customer_reactivations and
#: int_customer_returns_latest hold rows, returns and dormant spells both, to compare.
VARS = {"customer_dormancy_days": 7}
#: Per-customer summaries that re-aggregate only the customers the touch stream (and changed
#: conversions) name (macros/customer_changes.sql).
CUSTOMER_SUMMARIES = ("int_customer_activities_summarized", "int_customer_channel_responses")
#: Per-customer aggregates of int_customer_identifier_sources, with where they are and where
#: their change log is (macros/identity_mart_changes.sql).
IDENTIFIER_AGGREGATES = {
    "marts.customer_identifiers": "intermediate.customer_identifiers__changes",
    "intermediate.int_customer_identifiers_counted": (
        "intermediate.int_customer_identifiers_counted__changes"
    ),
}


def _land(ws: Workspace) -> None:
    from orchestration.landing import land_all

    with pytest.MonkeyPatch.context() as mp:
        ws.activate(mp)
        results = land_all(progress=False)
    quarantined = [f.path for r in results.values() for f in r.files_quarantined]
    assert not quarantined, f"the test's deliveries must pass the gate: {quarantined}"


def _snapshot_occurrences(warehouse: Warehouse) -> set[tuple]:
    """The occurrences int_identifiers_unioned holds for the diffed sources."""
    sources = "', '".join(DIFFED_SOURCES)
    return set(
        warehouse.query(
            "select source_name, record_key, identifier_type, identifier_hash, seen_at "
            f"from intermediate.int_identifiers_unioned where source_name in ('{sources}')"
        )
    )


def _privacy_counts(warehouse: Warehouse, customers: dict, window_start) -> tuple[int, int]:
    """Touches older than the window: the withdrawn customer's consented email touches in the
    mart, and the erased customer's touches in int_touchpoints_unioned."""
    consented = warehouse.query(
        "select count(*) from marts.touchpoints where channel = 'email' and had_consent "
        f"and customer_id = '{customers['withdrawn']}' and occurred_at < '{window_start}'"
    )[0][0]
    erased = warehouse.query(
        "select count(*) from intermediate.int_touchpoints_unioned "
        f"where customer_id = '{customers['erased']}' and occurred_at < '{window_start}'"
    )[0][0]
    return consented, erased


def _unstaged_records(warehouse: Warehouse) -> set[tuple[str, str]]:
    """The export-feed records int_identifiers_unioned holds and staging no longer stages."""
    staged = {
        "hubspot": ("stg_hubspot__contacts", "contact_id"),
        "inbox": ("stg_inbox__contacts", "inbox_contact_id"),
        "pos": ("stg_pos__transaction_lines", "transaction_id"),
        "shopify": ("stg_shopify__orders", "order_id"),
    }
    return set(
        warehouse.query(
            " union ".join(
                "select distinct source_name, record_key "
                "from intermediate.int_identifiers_unioned as held "
                f"where source_name = '{feed}' and not exists (select 1 from staging.{model} "
                f"as staged where staged.{key} = held.record_key)"
                for feed, (model, key) in staged.items()
            )
        )
    )


def _customers(warehouse: Warehouse, model: str) -> set[str]:
    return _all_customers(warehouse, f"intermediate.{model}")


def _returns(warehouse: Warehouse) -> dict[str, tuple]:
    """int_customer_returns_latest's rows by customer."""
    rows = warehouse.query("select * from intermediate.int_customer_returns_latest")
    return {row[0]: row for row in rows}


def _all_customers(warehouse: Warehouse, table: str) -> set[str]:
    return {c for (c,) in warehouse.query(f"select distinct customer_id from {table}")}


def _latest_run(warehouse: Warehouse, log: str, column: str = "record_key") -> tuple[int, set]:
    """The latest run of a change log: its full markers and the values of `column` it holds."""
    full, values = warehouse.query(
        f"select count(*) filter (where is_full), list({column}) from {log} "
        f"where changed_at = (select max(changed_at) from {log})"
    )[0]
    return full, {v for v in values if v is not None}


@pytest.fixture(scope="module")
def runs(sample_exports, tmp_path_factory):
    ws = copy_sample(sample_exports, tmp_path_factory.mktemp("incremental"))
    day = last_day(ws.landing)
    held = ws.root / "held_back"
    assert hold_back_day(ws.landing, held, day)
    erased_contact = write_contact_to_erase(ws.landing)
    _land(ws)
    warehouse = Warehouse(ws.warehouse)
    warehouse.dbt("build", *MODELS_AND_SEEDS, vars=VARS)
    erase_customer_of(ws.warehouse, erased_contact)
    erased_records = _unstaged_records(warehouse)
    # what the erasure left: the excluded phones' occurrences and their pair
    assert erased_records == {("hubspot", erased_contact)}
    assert warehouse.query(
        "select count(*) from intermediate.int_identifier_pairs "
        f"where source_name = 'hubspot' and record_key = '{erased_contact}'"
    ) == [(1,)]
    before = warehouse.query(
        "select count(*), max(occurred_date) from intermediate.int_touchpoints_keyed"
    )[0]
    # every row staged after this came with the daily delivery
    landed_before = warehouse.query(
        "select max(_loaded_at) from ("
        + " union all ".join(
            f"select _loaded_at from staging.{name}"
            for sources in NEW_DATA_SOURCES.values()
            for name, _ in sources
        )
        + ")"
    )[0][0]

    move_files(held, ws.landing)
    extras = write_late_and_redelivered(ws.landing, day)
    extras["identity"] = write_identity_changes(ws.landing, day, ws.warehouse)
    extras["changed_contact"], extras["unchanged_contact"] = write_snapshot_change(ws.landing, day)
    extras["cancelled"] = write_order_cancellation(ws.landing, day, ws.warehouse)
    extras["erased_records"] = erased_records
    extras["snapshot_before"] = _snapshot_occurrences(warehouse)
    # The window must reach the re-exported Twilio messages (SMS campaigns go out on a few days
    # only): a status update older than the window is, by design, left for a full refresh.
    lookback = max(3, (before[1] - extras["reexported_sent_on"]).days)
    window_start = before[1] - timedelta(days=lookback)
    extras["privacy"] = write_consent_and_erasure(ws.landing, day, ws.warehouse, window_start)
    extras["privacy_before"] = _privacy_counts(warehouse, extras["privacy"], window_start)
    extras["late_sends"] = write_late_sends(
        ws.landing,
        day,
        ws.warehouse,
        window_start,
        {extras["cancelled"][0], *extras["privacy"].values()},
    )
    _land(ws)
    reference = Warehouse(ws.root / "reference" / "warehouse.duckdb")
    reference.path.parent.mkdir()
    shutil.copy(ws.warehouse, reference.path)
    extras["journey_customers_before"] = {
        customer
        for (customer,) in warehouse.query(
            "select distinct customer_id from intermediate.int_journey_touchpoints_filtered"
        )
    }
    extras["summary_customers_before"] = {
        model: _customers(warehouse, model) for model in CUSTOMER_SUMMARIES
    }
    extras["returns_before"] = _returns(warehouse)
    extras["identifier_customers_before"] = {
        model: _all_customers(warehouse, model) for model in IDENTIFIER_AGGREGATES
    }
    # the warehouse the daily run starts from, for the statement replay's test
    extras["before_daily"] = ws.root / "before_daily" / "warehouse.duckdb"
    extras["before_daily"].parent.mkdir()
    shutil.copy(ws.warehouse, extras["before_daily"])
    extras["daily_log"] = warehouse.dbt(
        "run", vars={**VARS, "incremental_lookback_days": lookback}
    ).stdout
    dbt_log = warehouse.path.parent / "logs" / "dbt.log"
    extras["daily_invocation"] = len(statement_profile.invocations(dbt_log)) - 1

    reference.dbt(
        "build",
        *MODELS_AND_SEEDS,
        "--full-refresh",
        "--exclude",
        "int_customer_id_assignments",
        vars=VARS,
    )
    reference.dbt(
        "build", "--resource-type", "model", "--select", "int_customer_id_assignments", vars=VARS
    )
    # its followers rebuilt from the history itself (not from the state it keeps)
    reference.dbt(
        "build",
        "--resource-type",
        "model",
        "--full-refresh",
        "--select",
        "int_customer_id_assignments+",
        "--exclude",
        "int_customer_id_assignments",
        vars=VARS,
    )
    extras["privacy_after"] = _privacy_counts(warehouse, extras["privacy"], window_start)
    extras["landed_before"] = landed_before
    return ws, warehouse, reference, day, extras, before, lookback


def test_incremental_run_builds_the_marts_of_a_full_refresh(runs):
    _, warehouse, reference, *_ = runs
    marts = [f"marts.{name}" for name in tables(reference.path, "marts")]
    assert "marts.touchpoints" in marts and len(marts) >= 10
    assert differences(warehouse.path, reference.path, marts) == {}


def test_incremental_models_hold_the_rows_of_a_full_refresh(runs):
    _, warehouse, reference, *_ = runs
    assert differences(warehouse.path, reference.path, INCREMENTAL_MODELS) == {}


def test_identity_tables_hold_the_partition_and_customers_of_a_full_refresh(runs):
    _, warehouse, reference, *_ = runs
    assert differences(warehouse.path, reference.path, IDENTITY_MODELS, RUN_COLUMNS) == {}


def test_the_day_merged_two_customers_and_split_one(runs):
    """The logins did change the graph: what the equality above covers includes a merge and a
    split, re-clustered incrementally."""
    _, warehouse, _, _, extras, *_ = runs
    merge_cookie, merge_member = extras["identity"]["merge"]
    split_cookie, _ = extras["identity"]["split"]
    touched = re.search(r"incremental, (\d+) node\(s\) in changed components", extras["daily_log"])
    assert touched, extras["daily_log"]
    nodes = warehouse.query("select count(*) from intermediate.int_identity_components")[0][0]
    assert 0 < int(touched.group(1)) < nodes // 10
    # the graph was listed only around the keys its inputs logged (not every edge, occurrence
    # and exclusion), and those include the day's changed identifiers
    listed = re.search(r"graph listed around (\d+) changed node\(s\)", extras["daily_log"])
    assert listed, extras["daily_log"]
    assert 0 < int(listed.group(1)) < nodes // 10
    log = "intermediate.int_identity_edges__changes"
    edge_keys = {
        key
        for (key,) in warehouse.query(
            f"select identifier_key from {log} where identifier_key is not null "
            f"and not is_full and changed_at = (select max(changed_at) from {log})"
        )
    }
    assert {merge_cookie, merge_member, split_cookie} <= edge_keys
    customers = dict(
        warehouse.query(
            "select identifier_key, customer_id from intermediate.int_customers_stitched "
            f"where identifier_key in ('{merge_cookie}', '{merge_member}', '{split_cookie}')"
        )
    )
    assert customers[merge_cookie] == customers[merge_member]
    assert split_cookie not in customers  # shared now: excluded from the graph
    latest_run = "(select max(assigned_at) from intermediate.int_customer_id_assignments)"
    reasons = {
        reason
        for (reason,) in warehouse.query(
            "select distinct change_reason from intermediate.int_customer_id_assignments "
            f"where assigned_at = {latest_run}"
        )
    }
    assert {"merge", "split"} <= reasons


def test_the_snapshot_sources_replaced_only_their_changed_records(runs):
    """The snapshot sources and the export feeds were diffed, not rebuilt: the records
    int_identifiers_unioned logged as replaced in the daily run are exactly the records of those
    sources whose occurrences differ from the build before it (the changed HubSpot contact,
    link records the day's GA4 events completed, the order a re-delivered purchase no longer
    names and the one it names now, the short link a forwarded email made shared, what the
    erasure job left of the erased people's records), a small part of them; the contact
    re-exported unchanged is not among them; only the link records whose parts changed were
    derived again; its consumers followed that log instead of rebuilding."""
    _, warehouse, _, _, extras, *_ = runs
    before, after = extras["snapshot_before"], _snapshot_occurrences(warehouse)
    changed = {(source, record) for source, record, *_ in before ^ after}
    old_order, new_order = extras["retransacted"]
    assert {("web_purchase", old_order), ("web_purchase", new_order)} <= changed
    # a forwarded email link: int_short_link_recipients dropped its code (two recipients now)
    assert ("short_link", extras["forwarded_code"]) in changed
    derived = re.search(
        r"int_identifiers_unioned: link records derived again: (\d+)", extras["daily_log"]
    )
    assert derived, extras["daily_log"]
    links = {
        (source, record) for source, record, *_ in before | after if source in SNAPSHOT_SOURCES
    }
    changed_links = {(source, record) for source, record in changed if source in SNAPSHOT_SOURCES}
    assert len(changed_links) <= int(derived.group(1)) < len(links) // 10, (
        len(changed_links),
        len(links),
    )
    sources = "', '".join(DIFFED_SOURCES)
    latest = "(select max(changed_at) from intermediate.int_identifiers_unioned__changes)"
    logged = set(
        warehouse.query(
            "select distinct source_name, record_key "
            f"from intermediate.int_identifiers_unioned__changes where changed_at = {latest} "
            f"and source_name in ('{sources}')"
        )
    )
    assert logged == changed
    erased = extras["erased_records"]
    # the erasure left occurrences of records it deleted from staging: the run dropped them
    assert erased and erased <= changed
    assert not erased & {(source, record) for source, record, *_ in after}
    assert {record for source, record in changed - erased if source == "hubspot"} == {
        extras["changed_contact"]
    }
    # staged again (a newer _loaded_at, which it holds now) but not replaced
    assert ("hubspot", extras["unchanged_contact"]) not in logged
    loaded = warehouse.query(
        "select distinct occurrences._loaded_at = contacts._loaded_at "
        "from intermediate.int_identifiers_unioned as occurrences "
        "inner join staging.stg_hubspot__contacts as contacts "
        "on occurrences.record_key = contacts.contact_id "
        f"where occurrences.source_name = 'hubspot' and contacts.contact_id = "
        f"'{extras['unchanged_contact']}'"
    )
    assert loaded == [(True,)]
    records = {(source, record) for source, record, *_ in after}
    assert 0 < len(changed) < len(records) // 10
    for log in (
        "int_identifiers_unioned__changes",
        "int_identifier_pairs__changes",
        "int_customer_identifier_sources__changes",
    ):
        full = warehouse.query(
            f"select count(*) filter (where is_full), count(*) from intermediate.{log} "
            f"where changed_at = (select max(changed_at) from intermediate.{log})"
        )[0]
        assert full[0] == 0 < full[1], log


def test_the_day_withdrew_a_consent_and_erased_a_customer_before_the_window(runs):
    """The day's consent withdrawal and erasure request changed touches older than the lookback
    window: the equality above covers their incremental re-resolution."""
    _, warehouse, _, _, extras, *_ = runs
    (consented_before, erased_before), (consented_after, erased_after) = (
        extras["privacy_before"],
        extras["privacy_after"],
    )
    assert consented_before > 0 and consented_after == 0
    assert erased_before > 0 and erased_after == 0
    erased = extras["privacy"]["erased"]
    assert (
        warehouse.query(f"select count(*) from marts.touchpoints where customer_id = '{erased}'")[
            0
        ][0]
        == 0
    )


def test_the_consents_were_derived_again_only_for_the_customers_they_changed(runs):
    """int_customer_consents_latest took the incremental path: its run was not a full rebuild
    and derived again some customers (the day's withdrawal, erasure and merges), not all."""
    _, warehouse, *_ = runs
    log = "intermediate.int_customer_consents_latest__changes"
    full, logged = warehouse.query(
        f"select count(*) filter (where is_full), count(customer_id) from {log} "
        f"where changed_at = (select max(changed_at) from {log})"
    )[0]
    total = warehouse.query(
        "select count(distinct customer_id) from intermediate.int_customer_consents_latest"
    )[0][0]
    assert full == 0
    assert 0 < logged < total


def test_the_touch_stream_resolved_incrementally(runs):
    """The three touch-stream models took the incremental path: each logged a run that was not
    a full rebuild, and int_touchpoints_unioned re-derived fewer touches than it holds."""
    _, warehouse, *_ = runs
    logs = {
        "intermediate.int_touchpoints_unioned__changes": True,
        "intermediate.int_touch_consents_checked__changes": True,
        "intermediate.touchpoints__changes": False,
    }
    for log, logs_touches in logs.items():
        latest = f"(select max(changed_at) from {log})"
        full, touches = warehouse.query(
            f"select count(*) filter (where is_full), count(touchpoint_id) from {log} "
            f"where changed_at = {latest}"
        )[0]
        assert full == 0, log
        assert (touches > 0) == logs_touches, log
    rederived = warehouse.query(
        "select count(touchpoint_id) from intermediate.int_touchpoints_unioned__changes "
        "where changed_at = "
        "(select max(changed_at) from intermediate.int_touchpoints_unioned__changes)"
    )[0][0]
    total = warehouse.query("select count(*) from intermediate.int_touchpoints_unioned")[0][0]
    assert 0 < rederived < total


def test_the_journey_chain_rederived_only_the_changed_customers(runs):
    """The four journey models took the incremental path: each logged a run that was not a full
    rebuild and re-derived a non-empty strict subset of its customers (so did the two journey
    marts, the markov and shapley sums and the rule credits: no full rebuild), and the journey
    touches' log names the day's erased customer and both sides of each merge and split whose
    customers have journey touches (the old customer found through the model's own rows, the new one
    through the touch stream)."""
    _, warehouse, _, _, extras, *_ = runs
    before = extras["journey_customers_before"]
    after = {
        customer
        for (customer,) in warehouse.query(
            "select distinct customer_id from intermediate.int_journey_touchpoints_filtered"
        )
    }
    logged = {}
    for model in (
        "int_journey_touchpoints_filtered",
        "int_journey_touches_windowed",
        "int_non_converting_paths_windowed",
        "int_attribution_paths_transformed",
    ):
        log = f"intermediate.{model}__changes"
        full, customers = warehouse.query(
            f"select count(*) filter (where is_full), list(customer_id) from {log} "
            f"where changed_at = (select max(changed_at) from {log})"
        )[0]
        logged[model] = {c for c in customers if c is not None}
        assert full == 0, model
        # every customer a journey model can hold has journey touches, before or after the run
        assert 0 < len(logged[model]) < len(before | after), (model, len(logged[model]))
    # the two journey marts and the attribution sums over paths follow (their logs hold run
    # markers only)
    for log in (
        "journeys__changes",
        "non_converting_journeys__changes",
        "int_markov_transitions_counted__changes",
        "int_shapley_values_computed__changes",
        "int_rule_credits_computed__changes",
    ):
        full = warehouse.query(
            f"select count(*) filter (where is_full) from intermediate.{log} "
            f"where changed_at = (select max(changed_at) from intermediate.{log})"
        )[0][0]
        assert full == 0, log
    erased = extras["privacy"]["erased"]
    assert erased in before and erased not in after
    moved = warehouse.query(
        "select old_customer_id, new_customer_id, change_reason "
        "from intermediate.int_customer_merges where merged_at = "
        "(select max(merged_at) from intermediate.int_customer_merges)"
    )
    assert {reason for *_, reason in moved} == {"merge", "split"}
    sides = {customer for old, new, _ in moved for customer in (old, new)}
    journeyed = sides & (before | after)
    assert journeyed
    assert {erased} | journeyed <= logged["int_journey_touchpoints_filtered"]


def test_the_customer_summaries_reaggregated_only_the_changed_customers(runs):
    """The per-customer summaries took the incremental path: each logged a run that was not a
    full rebuild, re-aggregated a non-empty strict subset of its customers, and named the day's
    erased customer; the activities also both sides of each merge and split they hold, before
    or after the run (the old customer found through the saved __touches, the new one through
    the touch stream: the moved identifiers are web cookies, whose sessions are engaged
    touches; the channel responses count message touches, which those moves leave alone)."""
    _, warehouse, _, _, extras, *_ = runs
    erased = extras["privacy"]["erased"]
    moved = warehouse.query(
        "select old_customer_id, new_customer_id from intermediate.int_customer_merges "
        "where merged_at = (select max(merged_at) from intermediate.int_customer_merges)"
    )
    sides = {customer for pair in moved for customer in pair}
    for model in CUSTOMER_SUMMARIES:
        before, after = extras["summary_customers_before"][model], _customers(warehouse, model)
        log = f"intermediate.{model}__changes"
        full, customers = warehouse.query(
            f"select count(*) filter (where is_full), list(customer_id) from {log} "
            f"where changed_at = (select max(changed_at) from {log})"
        )[0]
        logged = {c for c in customers if c is not None}
        assert full == 0, model
        assert 0 < len(logged) < len(before | after), (model, len(logged))
        assert erased in before and erased not in after, model
        assert erased in logged, model
        if model == "int_customer_activities_summarized":
            held = sides & (before | after)
            assert held
            assert held <= logged


def test_the_customer_returns_rederived_only_the_changed_customers(runs):
    """int_customer_returns_latest took the incremental path: it logged a run that was not a
    full rebuild and derived again a non-empty set of customers, fewer than the customers with a
    return it holds, among them the day's erased customer and both sides of each merge and split
    that have engaged touches (as int_customer_activities_summarized logged them: the model
    follows its log and int_customer_channel_responses'); the mart customer_reactivations, a
    table over it, equals a full refresh's (the marts comparison above).
    The customer whose order the day cancelled (the one that began or ended their latest
    spell), named by no touch of the day, was found through the conversions (which
    int_customer_activities_summarized compares), and their row changed; so were those of the
    customers the late SendGrid sends went to, one second before their return, at least one of
    whom only int_customer_channel_responses' log names (a send is no activity)."""
    _, warehouse, _, _, extras, *_ = runs
    erased = extras["privacy"]["erased"]
    full, logged = _latest_run(
        warehouse, "intermediate.int_customer_returns_latest__changes", "customer_id"
    )
    before, after = extras["returns_before"], _returns(warehouse)
    assert full == 0
    assert 0 < len(logged) < len(before.keys() | after.keys()), (len(logged), len(before))
    assert erased in logged
    moved = warehouse.query(
        "select old_customer_id, new_customer_id from intermediate.int_customer_merges "
        "where merged_at = (select max(merged_at) from intermediate.int_customer_merges)"
    )
    sides = {customer for pair in moved for customer in pair}
    active = extras["summary_customers_before"]["int_customer_activities_summarized"] | (
        _customers(warehouse, "int_customer_activities_summarized")
    )
    held = sides & active
    assert held and held <= logged
    touched = {
        customer
        for (customer,) in warehouse.query(
            "select distinct customer_id from intermediate.int_touchpoints_unioned "
            "where touchpoint_id in (select touchpoint_id "
            "from intermediate.int_touchpoints_unioned__changes where changed_at = "
            "(select max(changed_at) from intermediate.int_touchpoints_unioned__changes))"
        )
    }
    cancelled_customer, _ = extras["cancelled"]
    assert cancelled_customer not in touched | sides | {erased}
    assert cancelled_customer in logged
    assert before[cancelled_customer] != after.get(cancelled_customer)
    # the late sends' customers: named by int_customer_channel_responses' log, at least one
    # by it alone
    sent_to = set(extras["late_sends"])
    active_logged = _latest_run(
        warehouse, "intermediate.int_customer_activities_summarized__changes", "customer_id"
    )[1]
    assert sent_to - active_logged - sides - {erased}
    assert sent_to <= logged
    assert all(before[customer] != after[customer] for customer in sent_to)


def test_the_customer_identifiers_reaggregated_only_the_changed_customers(runs):
    """int_customer_identifier_sources followed the logs of int_identifiers_unioned and
    int_customers_stitched: it derived again exactly the keys those logged in the daily run (a
    small part of its keys), and logged both customers of each merge and split and the erased
    customer; customer_identifiers and int_customer_identifiers_counted aggregated again exactly
    the customers it logged, a non-empty strict subset of theirs (the equality with a full
    refresh above shows that was enough: the erased customer's rows are gone from both)."""
    _, warehouse, _, _, extras, *_ = runs
    erased = extras["privacy"]["erased"]
    stitched_full, stitched_keys = _latest_run(
        warehouse, "intermediate.int_customers_stitched__changes", "identifier_key"
    )
    unioned_keys = _latest_run(
        warehouse, "intermediate.int_identifiers_unioned__changes", "identifier_key"
    )[1]
    sources_log = "intermediate.int_customer_identifier_sources__changes"
    full, keys = _latest_run(warehouse, sources_log, "identifier_key")
    logged_customers = {
        c
        for (c,) in warehouse.query(
            f"select record_key from {sources_log} where source_name = 'customer' "
            f"and changed_at = (select max(changed_at) from {sources_log})"
        )
    }
    assert full == 0 and stitched_full == 0
    assert stitched_keys and keys == stitched_keys | unioned_keys
    total = warehouse.query(
        "select count(distinct identifier_key) from intermediate.int_customer_identifier_sources"
    )[0][0]
    assert 0 < len(keys) < total // 10
    moved = warehouse.query(
        "select old_customer_id, new_customer_id from intermediate.int_customer_merges "
        "where merged_at = (select max(merged_at) from intermediate.int_customer_merges)"
    )
    sides = {customer for pair in moved for customer in pair}
    assert sides and sides | {erased} <= logged_customers
    for table, log in IDENTIFIER_AGGREGATES.items():
        before = extras["identifier_customers_before"][table]
        after = _all_customers(warehouse, table)
        full, customers = _latest_run(warehouse, log)
        assert full == 0, table
        assert customers == logged_customers, table
        assert 0 < len(customers) < len(before | after), (
            table,
            len(customers),
            len(before | after),
        )
        assert erased in before and erased not in after, table


def test_the_run_was_incremental_with_the_lookback_window(runs):
    """The daily run re-derived only the window: its compiled SQL reads from the window start."""
    ws, warehouse, _, day, extras, (_, built_until), lookback = runs
    start = built_until - timedelta(days=lookback)
    compiled_dir = ws.warehouse.parent / "target/compiled/omnichannel/models"
    compiled = (compiled_dir / "intermediate/touchpoints/int_touchpoints_keyed.sql").read_text()
    assert f"cast('{start.isoformat()} 00:00:00' as timestamp)" in compiled
    # each source_name from its own sources' new rows (incremental_window_starts): the late
    # Twilio re-export reaches back to the lookback start, sources without late rows start later
    source_starts = set(
        re.findall(r">= cast\('(\d{4}-\d\d-\d\d) 00:00:00' as timestamp\)", compiled)
    )
    assert start.isoformat() in source_starts and len(source_starts) > 1, source_starts
    # and logged that window for int_touchpoints_unioned, which compares the keyed rows it saved
    # only from there (the first build logged a full build: no window)
    windows = warehouse.query(
        "select cast(window_start as date) from intermediate.int_touchpoints_keyed__windows "
        "order by recorded_at"
    )
    assert windows == [(None,), (start,)]
    staged = (compiled_dir / "staging/ga4/stg_ga4__events.sql").read_text()
    # staging read only the deliveries after the latest it had staged
    assert re.search(r"_loaded_at\b[^>]*>\s*\(\s*select coalesce\(max\(_loaded_at\)", staged)
    # the identity occurrences read only the event feeds' records staged since the last run:
    # one filter per select of a feed (ga4 3 identifier types, consent 4, meta 2, line,
    # line_send_log, twilio, sendgrid 1 each)
    unioned = (compiled_dir / "intermediate/identity/int_identifiers_unioned.sql").read_text()
    assert len(re.findall(r"where _loaded_at > \(\s*select coalesce\(max\(done", unioned)) == 13
    # (the export feeds' records staged since are derived by the pre-hook and diffed: macro
    # identity_export_feeds); their pairs too, for the feeds whose records can carry two
    # identifiers (ga4, meta, hubspot, inbox, pos, shopify; consent by its four identifier
    # columns, though a consent record names one subject); the single-identifier feeds are never
    # read there
    pairs = (compiled_dir / "intermediate/identity/int_identifier_pairs.sql").read_text()
    assert len(re.findall(r"and _loaded_at > \(\s*select coalesce\(max\(done", pairs)) == 7
    # each of them also by its watermark as a constant, which lets the scan skip row groups
    assert len(re.findall(r"and _loaded_at > cast\('[0-9]{4}-", pairs)) == 7
    # consent and Meta records carry one identifier each and make no pair: their watermark is
    # the one the first build saved (__loaded), not 1900-01-01 (which re-read them all)
    for feed in ("consent", "meta"):
        literal = re.search(
            rf"source_name = '{feed}'\s+and _loaded_at > cast\('([^']+)'", pairs
        ).group(1)
        assert not literal.startswith("1900"), feed
    # and the run saved every pairing feed's latest occurrence load for the next one
    assert warehouse.query(
        "select source_name, _loaded_at from intermediate.int_identifier_pairs__loaded "
        "order by source_name"
    ) == warehouse.query(
        "select source_name, max(_loaded_at) from intermediate.int_identifiers_unioned "
        "where source_name in ('consent', 'ga4', 'hubspot', 'inbox', 'meta', 'pos', 'shopify') "
        "group by source_name order by source_name"
    )
    for feed in ("line", "line_send_log", "sendgrid", "twilio"):
        assert f"source_name = '{feed}'" not in pairs
    # the occurrences saved every event feed's latest load too (__loaded), which their next
    # run's watermarks are read from instead of a scan of the whole table
    assert warehouse.query(
        "select source_name, _loaded_at from intermediate.int_identifiers_unioned__loaded "
        "order by source_name"
    ) == warehouse.query(
        "select source_name, max(_loaded_at) from intermediate.int_identifiers_unioned "
        f"where source_name in ({', '.join(repr(feed) for feed in EVENT_FEEDS)}) "
        "group by source_name order by source_name"
    )
    # within the lookback, a model re-derives only from the day before the earliest day of the
    # rows its sources staged in this run: chats got the day's messages, web sessions also the
    # late GA4 events dated two days back (the stream above reaches the Twilio re-export)
    for model, sources in NEW_DATA_SOURCES.items():
        earliest = min(
            day
            for source, column in sources
            for (day,) in warehouse.query(
                f"select min(cast({column} as date)) from staging.{source} "
                f"where _loaded_at > cast('{extras['landed_before'].isoformat()}' as timestamp)"
            )
            if day is not None
        )
        window_start = earliest - timedelta(days=1)
        assert window_start > start, model  # narrower than the lookback
        sql = (compiled_dir / f"intermediate/touchpoints/{model}.sql").read_text()
        starts = set(re.findall(r"cast\('(\d{4}-\d\d-\d\d) 00:00:00' as timestamp\)", sql))
        # the window, and the day before it (the events a session's boundaries depend on)
        assert starts == {window_start.isoformat(), (window_start - timedelta(days=1)).isoformat()}
    # web sessions, within that window, only of the clients with GA4 events staged since the
    # first build (its recorded watermark): the others' sessions are kept (the marts equal a
    # full refresh's, test above)
    sql = (compiled_dir / "intermediate/touchpoints/int_web_sessions_sessionized.sql").read_text()
    (since,) = re.findall(r"where _loaded_at > (cast\('[^']+' as timestamp\))", sql)
    assert "user_pseudo_id in (select user_pseudo_id from new_clients)" in sql
    staged = warehouse.query(
        f"select count(*) filter (where _loaded_at <= cast('{extras['landed_before'].isoformat()}'"
        f" as timestamp)), count(*) from staging.stg_ga4__events where _loaded_at > {since}"
    )[0]
    assert staged[0] == 0 and staged[1] > 0, staged  # exactly this run's GA4 events
    # the held-back day is in the stream now
    last = datetime.strptime(day, "%Y%m%d").date()
    assert warehouse.query(
        f"select count(*) from intermediate.int_touchpoints_keyed where occurred_date = '{last}'"
    )[0][0]


def test_late_events_inside_the_lookback_are_reprocessed(runs):
    _, warehouse, _, _, extras, *_ = runs
    con = duckdb.connect(str(warehouse.path), read_only=True)
    try:
        early_user, early_us = extras["late_web_events"][0]
        first_user, first_us = extras["late_web_events"][1]
        starts = {
            user: con.execute(
                "select count(*) from intermediate.int_web_sessions_sessionized "
                "where user_pseudo_id = ? and session_started_at = make_timestamp(?)",
                [user, us],
            ).fetchone()[0]
            for user, us in ((early_user, early_us), (first_user, first_us))
        }
        late_open = con.execute(
            "select count(*) from staging.stg_sendgrid__events where sendgrid_event_id = ?",
            [extras["late_sendgrid_event_id"]],
        ).fetchone()[0]
    finally:
        con.close()
    # a new session at the late event, and an existing session now starting at its late event
    assert starts == {early_user: 1, first_user: 1}
    assert late_open == 1


def test_a_record_staged_again_without_its_login_loses_its_pair(runs):
    """The re-delivered GA4 event without its user_id replaced the staged record (same event id):
    its identifiers are the client id alone, and the pair it made with the member number in the
    first build is gone (the equality above also covers it: a full refresh never made it)."""
    _, warehouse, _, _, extras, *_ = runs
    client, timestamp_us = extras["logged_out"]
    con = duckdb.connect(str(warehouse.path), read_only=True)
    try:
        copies = con.execute(
            "select count(*), count(user_id) from raw.web_events "
            "where user_pseudo_id = ? and event_timestamp = ?",
            [client, timestamp_us],
        ).fetchone()
        staged = con.execute(
            "select event_id, member_number from staging.stg_ga4__events "
            "where user_pseudo_id = ? and occurred_at = make_timestamp(?)",
            [client, int(timestamp_us)],
        ).fetchall()
        assert len(staged) == 1 and staged[0][1] is None, staged
        occurrences, pairs = (
            con.execute(
                f"select count(*) from intermediate.{table} "
                "where source_name = 'ga4' and record_key = ?",
                [staged[0][0]],
            ).fetchone()[0]
            for table in ("int_identifiers_unioned", "int_identifier_pairs")
        )
    finally:
        con.close()
    assert copies == (2, 1)  # first loaded with its login, then re-delivered without
    assert (occurrences, pairs) == (1, 0)


def test_redelivered_events_stay_deduplicated_across_batches(runs):
    _, warehouse, _, _, extras, *_ = runs
    keys = {
        "staging.stg_ga4__events": "event_id",
        "staging.stg_sendgrid__events": "sendgrid_event_id",
        "staging.stg_twilio__messages": "message_sid",
        "staging.stg_line__webhook_events": "line_event_id",
        "intermediate.int_touchpoints_keyed": "touchpoint_id",
    }
    for table, key in keys.items():
        rows, distinct = warehouse.query(f"select count(*), count(distinct {key}) from {table}")[0]
        assert rows == distinct, table
    # the Twilio re-export wins (latest delivery); a LINE redelivery never replaces the original
    sids = extras["reexported_sids"]
    assert sids
    placeholders = ", ".join("?" for _ in sids)
    con = duckdb.connect(str(warehouse.path), read_only=True)
    try:
        from_reexport = con.execute(
            f"select count(*) from staging.stg_twilio__messages where message_sid in "
            f"({placeholders}) and _source_file like '%reexport%'",
            sids,
        ).fetchone()[0]
        redeliveries = con.execute(
            "select count(*) from staging.stg_line__webhook_events "
            "where _source_file like '%redelivery%'"
        ).fetchone()[0]
    finally:
        con.close()
    assert from_reexport == len(sids)
    assert redeliveries == 0


def test_a_statement_replay_of_the_daily_run_leaves_what_the_run_left(runs, tmp_path):
    """bench/statement_profile.py replays the daily run's logged SQL one statement at a time on
    the warehouse as it was before the run: nothing fails, every model the run built is timed,
    each hook split into its statements, and the replay leaves the staged tables, the keyed touch
    stream and the identity models up to the graph's edges the run left, so its figures are those
    of the run's own work. Not the models from int_identity_components on: the run decided there
    how many rounds to cluster (a query per round) on nodes numbered in scan order, which the
    replay repeats as logged on a numbering that may differ (bench/statement_profile.py)."""
    _, warehouse, reference, _, extras, *_ = runs
    sent = _daily_statements(warehouse, extras)
    copy = shutil.copy(extras["before_daily"], tmp_path / "warehouse.duckdb")
    profile = statement_profile.replay(sent, copy, progress=False)
    assert [piece.error for piece in profile.errors] == []
    run_results = json.loads((warehouse.path.parent / "target" / "run_results.json").read_text())
    built = {result["unique_id"] for result in run_results["results"]}
    assert len(built) > 50 and built <= set(profile.by_node())
    # a pre-hook logged as one statement is replayed as each of its statements
    pieces = [p for p in profile.pieces if p.node == "model.omnichannel.int_identifiers_unioned"]
    assert len(pieces) > len({p.statement for p in pieces})
    assert differences(copy, warehouse.path, _replayable(reference)) == {}


def _daily_statements(warehouse, extras):
    dbt_log = warehouse.path.parent / "logs" / "dbt.log"
    return statement_profile.statements(dbt_log, extras["daily_invocation"])


def _replayable(reference):
    """What a replay leaves as the run did: the staged tables, the keyed touch stream and the
    identity models up to the graph's edges."""
    staged = [f"staging.{name}" for name in tables(reference.path, "staging")]
    upstream = IDENTITY_MODELS[: IDENTITY_MODELS.index("intermediate.int_identity_components")]
    assert len(staged) > 10 and "intermediate.int_identity_edges" in upstream
    return [*staged, "intermediate.int_touchpoints_keyed", *upstream]


def test_a_replay_on_a_later_runs_copy_follows_the_change_logs_once_restamped(
    runs, tmp_path, capsys
):
    """At 1M customers there is no room for a copy of the warehouse before the very run whose
    log is replayed: it comes from another run of the same commit and data, whose change logs
    hold later stamps than the logged run's. Simulated here by moving every stamp of the copy
    just past the logged run's. Replayed as logged, the identity models find no logged change
    newer than their own latest and leave other rows than the run; through the command line,
    which sees the copy's later stamp and replaces the logged one by the present time
    (--restamp), the replay leaves what the run left."""
    _, warehouse, reference, _, extras, *_ = runs
    sent = _daily_statements(warehouse, extras)
    logged = statement_profile.run_stamp(sent)
    stamp = datetime.fromisoformat(logged)
    later = shutil.copy(extras["before_daily"], tmp_path / "later.duckdb")
    con = duckdb.connect(str(later))
    stamped = con.execute(
        "select schema_name, table_name, column_name from duckdb_columns()"
        " where column_name in ('changed_at', 'recorded_at')"
    ).fetchall()
    latest = max(
        con.execute(f'select max("{column}") from "{schema}"."{table}"').fetchone()[0]
        for schema, table, column in stamped
    )
    assert latest < stamp
    shift = stamp - latest + timedelta(seconds=1)
    for schema, table, column in stamped:
        con.execute(f'update "{schema}"."{table}" set "{column}" = "{column}" + ?', [shift])
    con.close()
    assert statement_profile.latest_stamp(later) == stamp + timedelta(seconds=1)
    as_logged = shutil.copy(later, tmp_path / "as_logged.duckdb")
    compared = _replayable(reference)

    statement_profile.replay(sent, as_logged, progress=False)
    assert "intermediate.int_identity_edges" in differences(as_logged, warehouse.path, compared)

    # every form of the stamp is replaced: to the microsecond and to the second
    restamped = statement_profile.restamp(sent, stamp + timedelta(hours=2))
    assert not any(logged[:19] in statement.sql for statement in restamped)
    new_stamp = (stamp + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S.%f")
    assert sum(new_stamp in statement.sql for statement in restamped) > 10

    dbt_log = warehouse.path.parent / "logs" / "dbt.log"
    out = tmp_path / "profile.json"
    invocation = str(extras["daily_invocation"])
    assert (
        statement_profile.main(
            [str(dbt_log), str(later), "--invocation", invocation, "--out", str(out)]
        )
        == 0
    )
    assert f"run stamp {logged} replaced by now" in capsys.readouterr().out
    assert "model.omnichannel.int_identity_edges" in json.loads(out.read_text())["by_node"]
    assert differences(later, warehouse.path, compared) == {}


def _query(path, sql: str, params) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


#: The identity tables a run finds the rows of the records it replaces in by record_hash.
RECORD_TABLES = ("intermediate.int_identifiers_unioned", "intermediate.int_identifier_pairs")


def _record_tables_run(
    runs, tmp_path, name: str, changes: list[str], params=(), select="+int_identifier_pairs"
) -> tuple:
    """The daily run of int_identifiers_unioned and int_identifier_pairs (and the staging they
    read; or of the models `select` names) on a copy of the warehouse before it, changed first
    by the SQL `changes`: the copy and the run's output."""
    *_, extras, _, lookback = runs
    copy = Warehouse(tmp_path / name / "warehouse.duckdb")
    copy.path.parent.mkdir()
    shutil.copy(extras["before_daily"], copy.path)
    con = duckdb.connect(str(copy.path))
    for change in changes:
        con.execute(change, list(params))
    con.close()
    result = copy.dbt(
        "run", "--select", select, vars={**VARS, "incremental_lookback_days": lookback}
    )
    return copy, result.stdout


#: The lookup hashes of each record table (macros record_hash and key_hash).
LOOKUP_HASHES = {
    "intermediate.int_identifiers_unioned": ("record_hash", "key_hash"),
    "intermediate.int_identifier_pairs": ("record_hash", "key_hash_a", "key_hash_b"),
}


@pytest.mark.parametrize(
    "name, change",
    [
        # a warehouse built before the columns existed
        ("without", "alter table {table} drop column {column}"),
        # values DuckDB's hash() no longer gives (a release changed it)
        ("stale", "update {table} set {column} = {column} // 2"),
    ],
)
def test_a_missing_or_stale_record_hash_is_computed_again_before_the_run(
    runs, tmp_path, name, change
):
    """int_identifiers_unioned and int_identifier_pairs find the rows of the records they
    replace by record_hash, and the occurrences and pairs of a run's keys are found by key
    hashes: a table without a column, or with values hash() no longer gives, would leave the
    old rows beside the new or miss occurrences. Their pre-hooks add the column and compute it
    for every row (in the model's column order), then the run leaves what the daily run left."""
    warehouse = runs[1]
    changes = [
        change.format(table=table, column=column)
        for table, columns in LOOKUP_HASHES.items()
        for column in columns
    ]
    copy, out = _record_tables_run(runs, tmp_path, name, changes)
    for table, columns in LOOKUP_HASHES.items():
        for column in columns:
            assert f"{table.split('.')[1]}: computing {column} for every row" in out
    assert differences(copy.path, warehouse.path, list(RECORD_TABLES)) == {}


@pytest.mark.parametrize("table", RECORD_TABLES)
def test_records_sharing_a_hash_keep_apart(runs, tmp_path, table):
    """Two records may share a record_hash: the rows of a record the run does not replace,
    given the hash of one it replaces, are found by the hash but kept (their strings are
    checked), and the replaced record's rows are replaced as in the daily run."""
    _, warehouse, _, _, extras, *_ = runs
    log = "intermediate.int_identifiers_unioned__changes"
    logged = (
        f"select source_name, record_key from {log} "
        f"where changed_at = (select max(changed_at) from {log})"
    )
    # records the run replaced, and holds rows of
    replaced = warehouse.query(
        f"select distinct source_name, record_key from {table} "
        f"where (source_name, record_key) in ({logged})"
    )
    assert replaced
    before = Warehouse(extras["before_daily"])
    # a record of the table's last rows (the pre-hook reads the first row's hash to see that
    # the values are current) the day does not replace
    last = before.query(
        f"select source_name, record_key from {table} order by rowid desc limit 1000"
    )
    logged_records = set(warehouse.query(logged))
    kept = next(record for record in last if record not in logged_records)
    replaced = replaced[0]
    count = f"select count(*) from {table} where source_name = ? and record_key = ?"
    kept_rows = _query(before.path, count, kept)[0][0]
    assert kept_rows > 0
    copy, out = _record_tables_run(
        runs,
        tmp_path,
        "shared",
        [f"update {table} set record_hash = hash(?, ?) where source_name = ? and record_key = ?"],
        [*replaced, *kept],
    )
    assert "computing record_hash" not in out
    assert _query(copy.path, count + " and record_hash = hash(?, ?)", [*kept, *replaced]) == [
        (kept_rows,)
    ]
    assert (
        differences(copy.path, warehouse.path, list(RECORD_TABLES), frozenset({"record_hash"}))
        == {}
    )


def test_the_keyed_stream_holds_the_hash_prefixes_its_lookup_uses(runs):
    """int_touchpoints_unioned's pre-hook finds the touches of identifiers that changed customer
    on int_touchpoints_keyed's 60-bit hash prefixes: after the full build and the incremental
    runs, each is the first 15 hex digits of its hash read as a number (NULL with the hash)."""
    _, warehouse, *_ = runs
    rows = warehouse.query(
        "select identifier_hash, identifier_hash_prefix, fallback_identifier_hash, "
        "fallback_identifier_hash_prefix from intermediate.int_touchpoints_keyed"
    )
    assert rows
    expected = [
        (h, None if h is None else int(h[:15], 16), f, None if f is None else int(f[:15], 16))
        for h, _, f, _ in rows
    ]
    assert rows == expected
    assert any(f is not None for _, _, f, _ in rows)


@pytest.mark.parametrize(
    "name, change",
    [
        ("without", "alter table {table} drop column row_hash"),
        ("stale", "update {table} set row_hash = row_hash // 2"),
    ],
)
def test_a_missing_or_stale_row_hash_of_the_keyed_stream_is_computed_again(
    runs, tmp_path, name, change
):
    """int_touchpoints_unioned compares the keyed days on int_touchpoints_keyed's row_hash,
    which the keyed model computes as it derives a row: a keyed table built before the column
    existed, or holding values hash() no longer gives, gets it computed for every row by the
    model's pre-hook, equal (and in the column order) to what the model itself computed."""
    *_, extras, _, _ = runs
    table = "intermediate.int_touchpoints_keyed"
    copy, out = _record_tables_run(
        runs, tmp_path, name, [change.format(table=table)], select="int_touchpoints_keyed"
    )
    assert "int_touchpoints_keyed: computing row_hash for every row" in out
    assert differences(copy.path, extras["before_daily"], [table]) == {}
    assert copy.query(f"select count(*) from {table} where row_hash is null") == [(0,)]


def test_a_full_refresh_of_the_keyed_stream_alone_rebuilds_the_touch_stream(runs):
    """`--full-refresh` of int_touchpoints_keyed alone can change any day of it: the next run
    of int_touchpoints_unioned reads that from the keyed window log and rebuilds in full (it
    logs a full run), with the rows of a full refresh. Changes the warehouse: keep it last."""
    _, warehouse, reference, *_ = runs
    warehouse.dbt("run", "--select", "int_touchpoints_keyed", "--full-refresh", vars=VARS)
    warehouse.dbt("run", "--select", "int_touchpoints_unioned", vars=VARS)
    log = "intermediate.int_touchpoints_unioned__changes"
    full = warehouse.query(
        f"select bool_or(is_full) from {log} where changed_at = (select max(changed_at) from {log})"
    )
    assert full == [(True,)]
    assert not differences(warehouse.path, reference.path, ["intermediate.int_touchpoints_unioned"])


def test_keys_sharing_a_key_hash_fail_the_build(runs, tmp_path):
    """The occurrences of a run's keys are found by key_hash and take the listed key's string,
    so two keys sharing a hash would swap occurrences: the singular test
    assert_key_hashes_unique passes on the daily run's warehouse and fails (one row per shared
    hash) once two keys share one."""
    *_, lookback = runs
    warehouse = runs[1]
    copy = Warehouse(tmp_path / "collision" / "warehouse.duckdb")
    copy.path.parent.mkdir()
    shutil.copy(warehouse.path, copy.path)
    test_vars = {**VARS, "incremental_lookback_days": lookback}
    select = ["test", "--select", "assert_key_hashes_unique"]
    assert copy.dbt(*select, vars=test_vars).returncode == 0
    con = duckdb.connect(str(copy.path))
    first, second = con.execute(
        "select distinct identifier_key from intermediate.int_identifiers_unioned "
        "order by identifier_key limit 2"
    ).fetchall()
    # the second key's rows take the first key's hash
    con.execute(
        "update intermediate.int_identifiers_unioned set key_hash = ("
        "select any_value(key_hash) from intermediate.int_identifiers_unioned "
        "where identifier_key = ?) where identifier_key = ?",
        [first[0], second[0]],
    )
    con.close()
    failed = copy.dbt(*select, vars=test_vars, check=False)
    assert failed.returncode == 1
    assert "FAIL 1 assert_key_hashes_unique" in failed.stdout
