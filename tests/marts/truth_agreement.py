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
import numpy as np
import yaml

from orchestration.generator.truth import PERSON_IDENTIFIER_TYPES

PROJECT_DIR = Path(__file__).resolve().parents[2]

_PERSON_LEVEL_TYPES = set(PERSON_IDENTIFIER_TYPES)


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


def min_sends() -> int:
    """dbt var preferred_channel_min_sends, as dbt_project.yml sets it for the mart."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return int(project["vars"]["preferred_channel_min_sends"])


@dataclass(frozen=True)
class PreferredAgreement:
    """Preferred channel of customer_360 against the truth.

    Customers with enough sends: those the mart gives a preferred channel, i.e. with at least
    one channel of at least ``min_sends`` delivered sends and a response (the mart's own rule).
    The truth compared with is the truth's preference among the same candidates: the channel
    with the highest expected response rate per delivered message (people.csv
    ``<channel>_response_rate``) among the customer's channels with at least ``min_sends``
    delivered sends. A channel the brand never (or seldom) sent on cannot show a preference.
    """

    min_sends: int
    #: customers with enough sends, and of them those whose channel is the truth's
    customers: int
    agreeing: int
    #: of them, customers with two or more channels of enough sends (a real choice)
    contested_customers: int
    contested_agreeing: int
    #: expected agreement if every customer responded exactly at the truth's rates (binomial
    #: draws for the same delivered sends, the same rule): the ceiling sampling noise allows
    noise_only_share: float
    #: against the truth's preferred_channel over every channel the person holds
    any_channel_agreeing: int

    @property
    def share(self) -> float:
        return self.agreeing / self.customers if self.customers else float("nan")

    @property
    def contested_share(self) -> float:
        if not self.contested_customers:
            return float("nan")
        return self.contested_agreeing / self.contested_customers

    @property
    def any_channel_share(self) -> float:
        return self.any_channel_agreeing / self.customers if self.customers else float("nan")


def _mart_rule(candidates: list[tuple[str, int, int]], sends: int) -> str | None:
    """int_customer_channels_ranked: highest response rate among channels with enough delivered
    sends and a response; ties to more sends, then alphabetically."""
    ranked = sorted(
        ((responses / delivered, delivered, channel) for channel, delivered, responses in candidates
         if delivered >= sends and responses > 0),
        key=lambda r: (-r[0], -r[1], r[2]),
    )  # fmt: skip
    return ranked[0][2] if ranked else None


def preferred_channel_agreement(
    con: duckdb.DuckDBPyConnection,
    truth_dir: Path,
    salt: str,
    sends: int | None = None,
    noise_draws: int = 20,
) -> PreferredAgreement:
    """The mart's preferred channel against the truth, for customers with enough sends."""
    sends = min_sends() if sends is None else sends
    mapping = customer_people(con, truth_dir, salt)
    people = read_people(truth_dir)
    mart = dict(
        con.execute(
            "select customer_id, preferred_channel from marts.customer_360"
            " where preferred_channel is not null"
        ).fetchall()
    )
    channels: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for customer_id, channel, delivered, responses in con.execute(
        "select customer_id, channel, delivered_count, response_count"
        " from intermediate.int_customer_channel_responses"
    ).fetchall():
        channels[customer_id].append((channel, int(delivered), int(responses)))
    rng = np.random.default_rng(0)
    total = agreeing = contested = contested_agreeing = any_channel = 0
    noise_hits = noise_total = 0
    for customer_id, channel in mart.items():
        person = mapping.get(customer_id)
        if person is None:
            continue
        row = people[person]

        def rate(c: str, row: dict[str, str] = row) -> float:
            return float(row[f"{c}_response_rate"] or 0.0)

        eligible = [c for c, delivered, _ in channels[customer_id] if delivered >= sends]
        truth_channel = max(sorted(eligible), key=rate)
        total += 1
        agreeing += channel == truth_channel
        any_channel += channel == row["preferred_channel"]
        if len(eligible) > 1:
            contested += 1
            contested_agreeing += channel == truth_channel
        for _ in range(noise_draws):
            drawn = [
                (c, delivered, int(rng.binomial(delivered, min(rate(c), 1.0))))
                for c, delivered, _ in channels[customer_id]
            ]
            picked = _mart_rule(drawn, sends)
            if picked is not None:
                noise_total += 1
                noise_hits += picked == truth_channel
    return PreferredAgreement(
        min_sends=sends,
        customers=total,
        agreeing=agreeing,
        contested_customers=contested,
        contested_agreeing=contested_agreeing,
        noise_only_share=noise_hits / noise_total if noise_total else float("nan"),
        any_channel_agreeing=any_channel,
    )


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
        f"preferred channel (min sends {agreement.min_sends}), customers with enough sends:"
        f" {agreement.agreeing}/{agreement.customers} agree ({agreement.share:.1%});"
        f" with two or more such channels: {agreement.contested_agreeing}/"
        f"{agreement.contested_customers} ({agreement.contested_share:.1%});"
        f" noise-only ceiling {agreement.noise_only_share:.1%};"
        f" against the truth over every channel held: {agreement.any_channel_share:.1%}"
    )
    print("a/b:", ab_test_arms(con, truth_dir))
    try:
        print("fallback (non-openers, sms delivered):", fallback_reach(con))
    except duckdb.CatalogException:
        print("fallback: marts.fallback_performance not built")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
