"""No mart holds a plain email address or phone number, in any column of any table.

Scans every column of every table in schema marts of the warehouse the `pipeline` fixture
built (cast to text, so numbers are scanned too) for email-like and phone-like values, and
looks every plain email and phone of the generator's truth up in every column.
"""

from __future__ import annotations

import csv

import duckdb
import pytest

#: An address: something@domain.tld anywhere in the value.
EMAIL_PATTERN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
#: A phone: E.164 (+ and 8-15 digits) or a Taiwan mobile / landline as people type them
#: (09xx-xxx-xxx, 02-2xxx-xxxx), not preceded or followed by another digit, letter or point (so
#: a 64-hex hash, an 18-digit ad campaign id or the decimals of an amount do not match).
PHONE_PATTERN = (
    r"(^|[^0-9A-Za-z.])(\+[1-9][0-9]{7,14}|09[0-9]{2}[- ]?[0-9]{3}[- ]?[0-9]{3}"
    r"|0[2-8]-?[0-9]{3,4}-?[0-9]{4})([^0-9A-Za-z.]|\.([^0-9]|$)|$)"
)


@pytest.fixture(scope="module")
def marts_columns(pipeline):
    ws, _ = pipeline
    con = duckdb.connect(str(ws.warehouse), read_only=True)
    columns = con.execute(
        "select table_name, column_name from information_schema.columns"
        " where table_schema = 'marts' order by table_name, ordinal_position"
    ).fetchall()
    yield ws, con, columns
    con.close()


def test_the_customer_marts_are_built(marts_columns):
    _, _, columns = marts_columns
    tables = {table for table, _ in columns}
    assert {
        "customer_360",
        "channel_performance",
        "channel_response_by_segment",
        "ab_test_readout",
        "fallback_performance",
        "customer_reactivations",
        "omnichannel_value",
        "touches_to_convert",
    } <= tables


def test_no_mart_column_holds_an_email_or_phone_like_value(marts_columns):
    _, con, columns = marts_columns
    assert columns, "schema marts is empty"
    offenders = []
    for table, column in columns:
        quoted = f'"{column}"'
        for kind, pattern in (("email", EMAIL_PATTERN), ("phone", PHONE_PATTERN)):
            hits = con.execute(
                f'select count(*), min(cast({quoted} as varchar)) from marts."{table}"'
                f" where regexp_matches(cast({quoted} as varchar), ?)",
                [pattern],
            ).fetchone()
            if hits[0]:
                offenders.append((table, column, kind, hits[0], hits[1]))
    assert offenders == []


def test_no_mart_column_holds_a_known_plain_email_or_phone(marts_columns):
    ws, con, columns = marts_columns
    with (ws.truth / "identifiers.csv").open(newline="", encoding="utf-8") as f:
        values = [
            row["identifier_value"]
            for row in csv.DictReader(f)
            if row["identifier_type"] in ("email", "phone") and row["identifier_value"]
        ]
    assert values
    con.execute("create or replace temp table plain_values (value varchar)")
    con.executemany("insert into plain_values values (?)", [[v] for v in values])
    offenders = []
    for table, column in columns:
        hits = con.execute(
            f'select count(*) from marts."{table}" as mart'
            f' inner join plain_values on cast(mart."{column}" as varchar) = plain_values.value'
        ).fetchone()[0]
        if hits:
            offenders.append((table, column, hits))
    assert offenders == []
