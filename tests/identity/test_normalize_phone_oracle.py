"""normalize_phone (the dbt macro, run in DuckDB) agrees with Google's libphonenumber.

Numbers are generated for Taiwan (mobile and landlines), Japan, the US, Hong Kong and the UK, each
written in many ways people and systems write them; the macro's E.164 must equal
phonenumbers.format_number(parse(variant, "TW"), E164) for every variant.
"""

from __future__ import annotations

import random

import phonenumbers
import pytest

from tests.identity.dbt_project import Warehouse

NUMBERS = 200


def _compiled_expression(warehouse: Warehouse) -> str:
    result = warehouse.dbt(
        "--quiet",
        "compile",
        "--inline",
        "select {{ omnichannel.normalize_phone('raw_phone') }} as e164 from v",
    )
    return result.stdout.strip()


def _national_tw(rng: random.Random) -> list[str]:
    mobile = "9" + "".join(rng.choice("0123456789") for _ in range(8))
    area, local = rng.choice([("2", 8), ("4", 7), ("7", 7), ("3", 7), ("6", 7)])
    landline = (
        area
        + "".join(rng.choice("123456789") for _ in range(1))
        + "".join(rng.choice("0123456789") for _ in range(local - 1))
    )
    return [mobile, landline]


def _variants_tw(national: str) -> list[str]:
    a, b, c = national[:3], national[3:6], national[6:]
    return [
        f"0{national}",
        f"0{a}-{b}-{c}",
        f"0{a} {b} {c}",
        f"(0{a[:1]}) {a[1:]}{b}-{c}" if national[0] != "9" else f"0{a}.{b}.{c}",
        f"+886{national}",
        f"+886 {a} {b} {c}",
        f"+886-{a}-{b}-{c}",
        f"+886 (0){national}",
        f"886{national}",
        f"8860{national}",
        f" 0{national} ",
        f"＋８８６{national}",
        f"{national}",
    ]


def _foreign(rng: random.Random) -> list[str]:
    jp = "90" + "".join(rng.choice("0123456789") for _ in range(8))
    us = rng.choice(["415", "212", "646", "310"]) + "555" + f"{rng.randrange(100, 200):04d}"
    hk = rng.choice("569") + "".join(rng.choice("0123456789") for _ in range(7))
    uk = "7" + rng.choice("45789") + "".join(rng.choice("0123456789") for _ in range(8))
    return [
        f"+81 {jp[:2]}-{jp[2:6]}-{jp[6:]}",
        f"+81{jp}",
        f"+81 (0){jp}",
        f"+1 {us[:3]}-{us[3:6]}-{us[6:]}",
        f"+1 ({us[:3]}) {us[3:6]}-{us[6:]}",
        f"+1{us}",
        f"+852 {hk[:4]} {hk[4:]}",
        f"+44 {uk[:4]} {uk[4:]}",
        f"+44 (0){uk[:4]} {uk[4:]}",
    ]


@pytest.fixture(scope="module")
def variants() -> list[str]:
    rng = random.Random(886)
    out: list[str] = ["0912-345-678", "+886 912 345 678", "886912345678", "0912345678"]
    for _ in range(NUMBERS):
        for national in _national_tw(rng):
            out += _variants_tw(national)
        out += _foreign(rng)
    return out


def test_normalize_phone_matches_libphonenumber(warehouse: Warehouse, variants: list[str]) -> None:
    expression = _compiled_expression(warehouse)
    con = warehouse.connect()
    con.execute("create table v (raw_phone varchar)")
    con.executemany("insert into v values (?)", [(x,) for x in variants])
    pairs = con.execute(expression.replace(" from v", ", raw_phone from v")).fetchall()
    con.close()

    mismatches = []
    for e164, variant in pairs:
        expected = phonenumbers.format_number(
            phonenumbers.parse(variant, "TW"), phonenumbers.PhoneNumberFormat.E164
        )
        if e164 != expected:
            mismatches.append((variant, e164, expected))
    assert len(variants) > 5_000
    assert mismatches == [], f"{len(mismatches)} of {len(variants)}: {mismatches[:20]}"


def test_issue_variants_land_on_one_value(warehouse: Warehouse) -> None:
    expression = _compiled_expression(warehouse)
    con = warehouse.connect()
    con.execute("create table v (raw_phone varchar)")
    con.executemany(
        "insert into v values (?)",
        [
            ("0912-345-678",),
            ("+886 912 345 678",),
            ("886912345678",),
            ("0912345678",),
            ("+81 90-1234-5678",),
            ("+1 415-555-0100",),
            ("",),
            ("12",),
            (None,),
        ],
    )
    got = {
        raw: e164
        for e164, raw in con.execute(expression.replace(" from v", ", raw_phone from v")).fetchall()
    }
    con.close()
    assert got == {
        "0912-345-678": "+886912345678",
        "+886 912 345 678": "+886912345678",
        "886912345678": "+886912345678",
        "0912345678": "+886912345678",
        "+81 90-1234-5678": "+819012345678",
        "+1 415-555-0100": "+14155550100",
        "": None,
        "12": None,
        None: None,
    }
