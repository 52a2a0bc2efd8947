"""Erasure's SQL twins of the staging macros hash exactly as staging does.

Erasure finds an erased person in raw (plain text) and in quarantined files by normalising and
salting values itself (orchestration/privacy/normalize.py). On the warehouse the `pipeline`
fixture built, every raw row's personal value, hashed by the twin, must equal the hash its
staging row carries (rows joined on their lineage, _source_file and _row_number).
"""

from __future__ import annotations

import os

import duckdb
import pytest

from orchestration.privacy.columns import SUBJECT
from orchestration.privacy.normalize import KIND_EMAIL, KIND_ID, KIND_PHONE, hash_pii, normalize

SALT = os.environ["OMNI_PII_SALT"]
TWILIO_CUSTOMER = """case when lower(trim(raw_rows.direction)) = 'inbound'
    then raw_rows."from" else raw_rows."to" end"""

#: (raw table, raw expression, kind, staging view, staging column, hashed?)
PAIRS = [
    ("crm_contacts", "raw_rows.email", KIND_EMAIL, "stg_hubspot__contacts", "email_hash", True),
    ("crm_contacts", "raw_rows.phone_number", KIND_PHONE, "stg_hubspot__contacts", "phone_hash",
     True),
    ("crm_contacts", "raw_rows.mobile_phone_number", KIND_PHONE, "stg_hubspot__contacts",
     "mobile_phone_hash", True),
    ("crm_contacts", "raw_rows.member_number", KIND_ID, "stg_hubspot__contacts", "member_number",
     False),
    ("shop_orders", "raw_rows.email", KIND_EMAIL, "stg_shopify__orders", "email_hash", True),
    ("shop_orders", "raw_rows.phone", KIND_PHONE, "stg_shopify__orders", "phone_hash", True),
    ("shop_orders", "raw_rows.billing_phone", KIND_PHONE, "stg_shopify__orders",
     "billing_phone_hash", True),
    ("pos_transactions", "raw_rows.phone", KIND_PHONE, "stg_pos__transaction_lines", "phone_hash",
     True),
    ("pos_transactions", "raw_rows.member_no", KIND_ID, "stg_pos__transaction_lines",
     "member_number", False),
    ("sms_messages", TWILIO_CUSTOMER, KIND_PHONE, "stg_twilio__messages", "customer_phone_hash",
     True),
    ("email_events", "raw_rows.email", KIND_EMAIL, "stg_sendgrid__events", "email_hash", True),
    ("social_contacts", "raw_rows.email", KIND_EMAIL, "stg_inbox__contacts", "email_hash", True),
    ("social_contacts", "raw_rows.phone", KIND_PHONE, "stg_inbox__contacts", "phone_hash", True),
    ("web_events", "raw_rows.user_id", KIND_ID, "stg_ga4__events", "member_number", False),
    ("consent", "raw_rows.subject_value", "subject:raw_rows.subject_type", "stg_consent__events",
     "subject_hash", True),
]  # fmt: skip


@pytest.fixture(scope="module")
def warehouse(pipeline):
    ws, _ = pipeline
    con = duckdb.connect(str(ws.warehouse), read_only=True)
    yield con
    con.close()


def test_subject_kind_reads_the_subject_type_column():
    assert SUBJECT == "subject:subject_type"


@pytest.mark.parametrize(("table", "expr", "kind", "view", "column", "hashed"), PAIRS)
def test_twin_equals_staging(warehouse, table, expr, kind, view, column, hashed):
    ours = normalize(expr, kind)
    if hashed:
        ours = hash_pii(ours, SALT)
    compared, differing, non_null = warehouse.execute(
        f"""select count(*), count(*) filter (where ({ours}) is distinct from staged.{column}),
            count(staged.{column})
        from raw.{table} as raw_rows
        inner join staging.{view} as staged
            on raw_rows._source_file = staged._source_file
            and raw_rows._row_number = staged._row_number"""
    ).fetchone()
    assert compared > 0 and non_null > 0, (table, column)
    assert differing == 0, (table, column, differing, compared)
