"""Raw tables of the contract (docs/sources.md), for developing and testing dbt without landed data.

Every raw column is VARCHAR; every table also has the landing lineage columns. `create_raw_tables`
creates any missing table empty; `insert_rows` adds hand-built rows (missing columns are NULL).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import duckdb

LINEAGE = ["_source_file", "_row_number", "_loaded_at", "_file_hash"]

RAW_COLUMNS: dict[str, list[str]] = {
    "crm_contacts": (
        "record_id first_name last_name email phone_number mobile_phone_number lifecycle_stage "
        "create_date last_modified_date member_number line_user_id email_opt_in sms_opt_in "
        "line_opt_in"
    ).split(),
    "shop_orders": (
        "name email financial_status paid_at fulfillment_status accepts_marketing currency "
        "subtotal shipping taxes total discount_code discount_amount created_at lineitem_quantity "
        "lineitem_name lineitem_price lineitem_sku billing_name billing_phone shipping_phone notes "
        "cancelled_at payment_method refunded_amount id tags source phone"
    ).split(),
    "pos_transactions": (
        "store_id store_name transaction_no transaction_time member_no phone item_sku item_name "
        "quantity unit_price amount payment_type transaction_type"
    ).split(),
    "web_events": (
        "event_date event_timestamp event_name user_id user_pseudo_id platform stream_id "
        "device__category device__operating_system device__web_info__browser geo__country "
        "geo__city collected_traffic_source__manual_campaign_id "
        "collected_traffic_source__manual_campaign_name collected_traffic_source__manual_source "
        "collected_traffic_source__manual_medium collected_traffic_source__gclid "
        "ecommerce__transaction_id ecommerce__purchase_revenue param__ga_session_id "
        "param__ga_session_number param__page_location param__page_referrer param__page_title "
        "param__engagement_time_msec param__source param__medium param__campaign "
        "param__content_tag _record"
    ).split(),
    "line_events": (
        "destination type mode timestamp webhook_event_id reply_token source__type "
        "source__user_id source__group_id source__room_id delivery_context__is_redelivery "
        "message__id message__type message__text postback__data link__result link__nonce "
        "beacon__type unsend__message_id _record"
    ).split(),
    "line_send_log": (
        "request_id sent_at line_user_id campaign_id message_type content_tags short_code status "
        "error_code unit_cost currency"
    ).split(),
    "sms_messages": (
        "from to body status sent_date api_version num_segments error_code account_sid sid "
        "direction price price_unit"
    ).split(),
    "email_events": (
        "email timestamp event sg_event_id sg_message_id smtp_id category url useragent ip "
        "reason status type campaign_id content_tags _record"
    ).split(),
    "social_messages": (
        "object entry__id entry__time sender__id recipient__id timestamp message__mid "
        "message__text message__is_echo postback__mid postback__title postback__payload "
        "read__mid _record"
    ).split(),
    "social_contacts": (
        "contact_id channel channel_user_id name email phone created_at last_message_at "
        "conversation_status assignee"
    ).split(),
    "ad_spend_google_ads": (
        "day campaign_id campaign campaign_status currency_code impr clicks cost conversions"
    ).split(),
    "ad_spend_meta_ads": (
        "day campaign_name campaign_id amount_spent_twd impressions reach link_clicks results "
        "reporting_starts reporting_ends"
    ).split(),
    "link_clicks": (
        "short_url__short_code short_url__short_url short_url__long_url short_url__date_created "
        "short_url__tags short_url__title visit__referer visit__date visit__user_agent "
        "visit__visit_location__country_code visit__visit_location__city_name "
        "visit__potential_bot visit__visited_url _record"
    ).split(),
    "consent": "event_id occurred_at subject_type subject_value channel status source".split(),
    "erasure_requests": "request_id requested_at subject_type subject_value".split(),
}


def columns(table: str) -> list[str]:
    return [c for c in RAW_COLUMNS[table] if c not in LINEAGE] + LINEAGE


def create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create schema raw and every contract table that does not exist yet (all VARCHAR)."""
    con.execute("create schema if not exists raw")
    for table in RAW_COLUMNS:
        cols = ", ".join(f'"{c}" varchar' for c in columns(table))
        con.execute(f"create table if not exists raw.{table} ({cols})")


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: Iterable[Mapping[str, object]],
    source_file: str | None = None,
    loaded_at: str = "2026-06-01 00:00:00",
) -> int:
    """Insert hand-built rows; lineage columns are filled unless given. Returns rows inserted."""
    cols = columns(table)
    source_file = source_file or f"{table}/fixture.csv"
    batch = []
    for number, row in enumerate(rows, start=1):
        unknown = set(row) - set(cols)
        if unknown:
            raise KeyError(f"raw.{table} has no column(s) {sorted(unknown)}")
        full = {
            "_source_file": source_file,
            "_row_number": str(number),
            "_loaded_at": loaded_at,
            "_file_hash": "fixture",
            **{k: (None if v is None else str(v)) for k, v in row.items()},
        }
        batch.append([full.get(c) for c in cols])
    if batch:
        quoted = ", ".join(f'"{c}"' for c in cols)
        marks = ", ".join("?" for _ in cols)
        con.executemany(f"insert into raw.{table} ({quoted}) values ({marks})", batch)
    return len(batch)
