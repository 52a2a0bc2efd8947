"""Compare the channel marts of a built warehouse with the generator's truth files.

Used by test_truth_agreement.py on the pytest sample and runnable on a bigger sample:

    OMNI_PII_SALT=... .venv/bin/python -m tests.marts.truth_agreement WAREHOUSE TRUTH_DIR

Customers are matched to simulated people through their identifiers: each person's
non-shared identifiers (truth identifiers.csv, normalised as staging normalises them) are hashed
with the salt as hash_pii does and looked up in marts.customer_identifiers; a customer maps to
the person most of its matched identifiers belong to.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import duckdb

_PERSON_LEVEL_TYPES = {
    "email",
    "phone",
    "member_number",
    "line_user_id",
    "web_cookie",
    "app_instance_id",
    "psid",
    "igsid",
}


def hash_pii(value: str, salt: str) -> str:
    """Python twin of macro hash_pii."""
    return hashlib.sha256(f"{salt}|{value}".encode()).hexdigest()


def customer_people(con: duckdb.DuckDBPyConnection, truth_dir: Path, salt: str) -> dict[str, str]:
    """customer_id -> person_id (majority of the customer's matched identifiers)."""
    keys: dict[tuple[str, str], str] = {}
    with (truth_dir / "identifiers.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["is_shared"] == "true" or row["identifier_type"] not in _PERSON_LEVEL_TYPES:
                continue
            keys[(row["identifier_type"], hash_pii(row["identifier_value"], salt))] = row[
                "person_id"
            ]
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for customer_id, identifier_type, identifier_hash in con.execute(
        "select customer_id, identifier_type, identifier_hash from marts.customer_identifiers"
    ).fetchall():
        person = keys.get((identifier_type, identifier_hash))
        if person:
            votes[customer_id][person] += 1
    return {c: v.most_common(1)[0][0] for c, v in votes.items()}


def read_people(truth_dir: Path) -> dict[str, dict[str, str]]:
    with (truth_dir / "people.csv").open(newline="", encoding="utf-8") as f:
        return {row["person_id"]: row for row in csv.DictReader(f)}


@dataclass(frozen=True)
class PreferredAgreement:
    customers: int
    agreeing: int
    #: Of those, customers the truth's preferred channel sent at least min_sends messages to
    #: (the truth ranks every channel a person holds, consented or not).
    measured_customers: int = 0
    measured_agreeing: int = 0

    @property
    def share(self) -> float:
        return self.agreeing / self.customers if self.customers else float("nan")

    @property
    def measured_share(self) -> float:
        if not self.measured_customers:
            return float("nan")
        return self.measured_agreeing / self.measured_customers


def preferred_channel_agreement(
    con: duckdb.DuckDBPyConnection, truth_dir: Path, salt: str, min_sends: int = 5
) -> PreferredAgreement:
    """Customers with a preferred channel (enough sends) whose channel is the truth's."""
    mapping = customer_people(con, truth_dir, salt)
    people = read_people(truth_dir)
    rows = con.execute(
        "select customer_id, preferred_channel from marts.customer_360"
        " where preferred_channel is not null"
    ).fetchall()
    delivered = {
        (customer_id, channel): sends
        for customer_id, channel, sends in con.execute(
            "select customer_id, channel, delivered_count"
            " from intermediate.int_customer_channel_responses"
        ).fetchall()
    }
    total = agreeing = measured = measured_agreeing = 0
    for customer_id, channel in rows:
        person = mapping.get(customer_id)
        if person is None:
            continue
        truth_channel = people[person]["preferred_channel"]
        total += 1
        agreeing += truth_channel == channel
        if delivered.get((customer_id, truth_channel), 0) >= min_sends:
            measured += 1
            measured_agreeing += truth_channel == channel
    return PreferredAgreement(total, agreeing, measured, measured_agreeing)


def ab_test_arms(con: duckdb.DuckDBPyConnection, truth_dir: Path) -> dict[str, object]:
    """The readout's best arm and p-value beside the truth's winner."""
    truth = json.loads((truth_dir / "ab_test.json").read_text(encoding="utf-8"))
    rows = con.execute(
        "select arm, exposed_count, converted_count, conversion_rate, p_value"
        " from marts.ab_test_readout where experiment_id = ? order by conversion_rate desc",
        [truth["campaign_id"]],
    ).fetchall()
    return {
        "truth_winner": truth["winner"],
        "readout_best_arm": rows[0][0] if rows else None,
        "p_value": max((r[4] for r in rows if r[4] is not None), default=None),
        "arms": rows,
        "truth_arms": {k: (v["recipients"], v["converted_7d"]) for k, v in truth["arms"].items()},
    }


def fallback_reach(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """(LINE non-openers, of them reached by the fallback SMS) over all fallback campaigns."""
    row = con.execute(
        "select sum(line_non_opener_count), sum(sms_delivered_count)"
        " from marts.fallback_performance"
    ).fetchone()
    return int(row[0] or 0), int(row[1] or 0)


def main(argv: list[str]) -> int:
    import os

    warehouse, truth_dir = Path(argv[0]), Path(argv[1])
    salt = os.environ["OMNI_PII_SALT"]
    con = duckdb.connect(str(warehouse), read_only=True)
    agreement = preferred_channel_agreement(con, truth_dir, salt)
    print(
        f"preferred channel: {agreement.agreeing}/{agreement.customers} agree"
        f" ({agreement.share:.1%}); where the truth's channel had enough sends:"
        f" {agreement.measured_agreeing}/{agreement.measured_customers}"
        f" ({agreement.measured_share:.1%})"
    )
    print("a/b:", ab_test_arms(con, truth_dir))
    try:
        print("fallback (non-openers, sms delivered):", fallback_reach(con))
    except duckdb.CatalogException:
        print("fallback: marts.fallback_performance not built")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
