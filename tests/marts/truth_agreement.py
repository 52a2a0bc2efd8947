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

from orchestration.generator.population import MESSAGE_CHANNELS
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


def _project_vars() -> dict[str, object]:
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return project["vars"]


@dataclass(frozen=True)
class PreferredRule:
    """The knobs of int_customer_channels_ranked's preferred channel (dbt vars
    preferred_channel_min_sends, preferred_channel_prior_sends and
    preferred_channel_min_lead_se)."""

    min_sends: int
    #: pseudo-sends of the channel's population rate added to each customer's own; 0 = raw rates
    prior_sends: float
    #: standard errors of the difference by which the leader must beat the runner-up; 0 = off
    min_lead_se: float = 0.0

    @classmethod
    def from_project(cls) -> PreferredRule:
        """The rule as dbt_project.yml sets it for the mart."""
        project_vars = _project_vars()
        return cls(
            int(project_vars["preferred_channel_min_sends"]),
            float(project_vars["preferred_channel_prior_sends"]),
            float(project_vars["preferred_channel_min_lead_se"]),
        )


def min_sends() -> int:
    """dbt var preferred_channel_min_sends, as dbt_project.yml sets it for the mart."""
    return PreferredRule.from_project().min_sends


#: (channel, delivered sends, responses) of one customer
Candidates = list[tuple[str, int, int]]


def channel_rates(channels: dict[str, Candidates]) -> dict[str, float]:
    """Population response rate per channel (all responses / all delivered sends), the prior
    mean int_customer_channels_ranked shrinks toward."""
    delivered: Counter[str] = Counter()
    responded: Counter[str] = Counter()
    for rows in channels.values():
        for channel, n, r in rows:
            delivered[channel] += n
            responded[channel] += min(r, n)
    return {c: responded[c] / delivered[c] for c in delivered if delivered[c]}


def _mart_rule(candidates: Candidates, rule: PreferredRule, priors: dict[str, float]) -> str | None:
    """int_customer_channels_ranked: among channels with at least min_sends delivered sends,
    and a response, the highest shrunk rate (responses + k * channel rate) / (delivered + k),
    k = prior_sends; ties (to 10 decimals) to more sends, then alphabetically. The leader must
    beat the runner-up (the best other channel with min_sends, responded to or not) by
    min_lead_se standard errors of the difference (beta posterior variances m(1 - m) /
    (delivered + k + 1)); min_lead_se 0 turns that off."""
    k = rule.prior_sends
    ranked = sorted(
        (-round((r + k * priors.get(c, 0.0)) / (n + k), 10), -n, c, n, r)
        for c, n, r in ((c, n, min(r, n)) for c, n, r in candidates)
        if n >= rule.min_sends
    )
    leaders = [row for row in ranked if row[4] > 0]
    if not leaders:
        return None
    leader = leaders[0]
    rivals = [row for row in ranked if row[2] != leader[2]]
    if not rivals or rule.min_lead_se == 0:
        return leader[2]
    rival = rivals[0]

    def variance(row: tuple) -> float:
        rate = -row[0]
        return rate * (1 - rate) / (row[3] + k + 1)

    lead = -leader[0] - -rival[0]
    if lead >= rule.min_lead_se * (variance(leader) + variance(rival)) ** 0.5:
        return leader[2]
    return None


def prior_strength_estimates(channels: dict[str, Candidates], sends: int) -> dict[str, float]:
    """Method-of-moments beta-binomial prior strength per channel over customer-channels with at
    least ``sends`` delivered sends: the spread of observed rates beyond what binomial noise
    explains is the spread of true rates, tau^2 = p(1 - p) / (k + 1)."""
    rates = channel_rates(channels)
    observed: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for rows in channels.values():
        for channel, n, r in rows:
            if n >= max(sends, 1):
                observed[channel].append((n, min(r, n)))
    out = {}
    for channel, rows in sorted(observed.items()):
        p = rates[channel]
        spread = float(np.mean([(r / n - p) ** 2 for n, r in rows]))
        noise = p * (1 - p) * float(np.mean([1 / n for n, _ in rows]))
        tau2 = spread - noise
        out[channel] = p * (1 - p) / tau2 - 1 if tau2 > 0 else float("inf")
    return out


@dataclass(frozen=True)
class PreferredAgreement:
    """A preferred-channel rule's picks against the truth.

    Customers with enough sends: those the rule gives a preferred channel, i.e. with at least
    one consented channel of at least ``min_sends`` delivered sends and a response on one of
    them (the mart's own rule). The truth compared with is the truth's preference among the same
    candidates: the channel with the highest expected response rate per delivered message
    (people.csv ``<channel>_response_rate``) among the customer's consented channels with at least
    ``min_sends`` delivered sends. A channel the brand never (or seldom) sent on cannot show a
    preference.
    """

    rule: PreferredRule
    #: customers with a delivered message on line, sms or email (coverage is out of them)
    messaged_customers: int
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
    def min_sends(self) -> int:
        return self.rule.min_sends

    @property
    def share(self) -> float:
        return self.agreeing / self.customers if self.customers else float("nan")

    @property
    def coverage(self) -> float:
        """Share of messaged customers who get a preferred channel."""
        if not self.messaged_customers:
            return float("nan")
        return self.customers / self.messaged_customers

    @property
    def contested_share(self) -> float:
        if not self.contested_customers:
            return float("nan")
        return self.contested_agreeing / self.contested_customers

    @property
    def any_channel_share(self) -> float:
        return self.any_channel_agreeing / self.customers if self.customers else float("nan")


@dataclass(frozen=True)
class PreferredInputs:
    """What the rule and the truth need, read once from a built warehouse."""

    #: customer_id -> person_id
    people_of: dict[str, str]
    people: dict[str, dict[str, str]]
    #: customer_id -> (channel, delivered, responses), every channel that sent them something
    channels: dict[str, Candidates]
    #: (customer_id, channel) pairs the latest consent state makes reachable
    consented: frozenset[tuple[str, str]]
    #: customer_360's preferred channel, where it has one
    mart: dict[str, str]

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection, truth_dir: Path, salt: str) -> PreferredInputs:
        channels: dict[str, Candidates] = defaultdict(list)
        for customer_id, channel, delivered, responses in con.execute(
            "select customer_id, channel, delivered_count, response_count"
            " from intermediate.int_customer_channel_responses"
        ).fetchall():
            channels[customer_id].append((channel, int(delivered), int(responses)))
        consented = frozenset(
            con.execute(
                "select customer_id, channel from intermediate.int_customer_consents_latest"
                " where is_consented"
            ).fetchall()
        )
        mart = dict(
            con.execute(
                "select customer_id, preferred_channel from marts.customer_360"
                " where preferred_channel is not null"
            ).fetchall()
        )
        return cls(
            customer_people(con, truth_dir, salt),
            read_people(truth_dir),
            dict(channels),
            consented,
            mart,
        )

    def reachable(self, customer_id: str) -> Candidates:
        return [
            c for c in self.channels.get(customer_id, []) if (customer_id, c[0]) in self.consented
        ]

    def picks(self, rule: PreferredRule) -> dict[str, str]:
        """The Python twin of the mart's rule: customer_id -> preferred channel."""
        priors = channel_rates(self.channels)
        out = {}
        for customer_id in self.channels:
            picked = _mart_rule(self.reachable(customer_id), rule, priors)
            if picked is not None:
                out[customer_id] = picked
        return out

    @property
    def messaged_customers(self) -> int:
        return sum(1 for rows in self.channels.values() if any(n > 0 for _, n, _ in rows))


def preferred_channel_agreement(
    con: duckdb.DuckDBPyConnection,
    truth_dir: Path,
    salt: str,
    noise_draws: int = 20,
) -> PreferredAgreement:
    """customer_360's preferred channel against the truth, for customers with enough sends."""
    inputs = PreferredInputs.read(con, truth_dir, salt)
    return agreement_of(inputs, PreferredRule.from_project(), inputs.mart, noise_draws)


def agreement_of(
    inputs: PreferredInputs,
    rule: PreferredRule,
    picks: dict[str, str],
    noise_draws: int = 20,
) -> PreferredAgreement:
    """``picks`` (customer_id -> channel, made by ``rule``) against the truth."""
    priors = channel_rates(inputs.channels)
    rng = np.random.default_rng(0)
    total = agreeing = contested = contested_agreeing = any_channel = 0
    noise_hits = noise_total = 0
    for customer_id, channel in sorted(picks.items()):
        person = inputs.people_of.get(customer_id)
        if person is None:
            continue
        row = inputs.people[person]

        def rate(c: str, row: dict[str, str] = row) -> float:
            return float(row[f"{c}_response_rate"] or 0.0)

        # the same candidates as the rule: consented channels with enough delivered sends (a
        # channel the customer opted out of cannot be preferred by the mart, so the truth's
        # preference among all held channels would count a correct answer as a miss)
        reachable = inputs.reachable(customer_id)
        eligible = [c for c, delivered, _ in reachable if delivered >= rule.min_sends]
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
                for c, delivered, _ in reachable
            ]
            picked = _mart_rule(drawn, rule, priors)
            if picked is not None:
                noise_total += 1
                noise_hits += picked == truth_channel
    return PreferredAgreement(
        rule=rule,
        messaged_customers=inputs.messaged_customers,
        customers=total,
        agreeing=agreeing,
        contested_customers=contested,
        contested_agreeing=contested_agreeing,
        noise_only_share=noise_hits / noise_total if noise_total else float("nan"),
        any_channel_agreeing=any_channel,
    )


def oracle_picks(inputs: PreferredInputs, sends: int) -> dict[str, str]:
    """The best any rule could pick from the same counts: the customers and candidate channels
    of the rule at ``sends`` (no shrinkage), ranked by the posterior mean rate when the prior is
    the truth's own population of rate vectors (people.csv, every person an equally likely
    atom) and the likelihood is binomial in every channel's sends. It knows what no mart can
    (the real spread of rates and how channels go together), so its agreement bounds every rule
    from above, up to noise."""
    order = list(MESSAGE_CHANNELS)
    atoms = np.clip(
        np.array(
            [[float(p[f"{c}_response_rate"] or 0.0) for c in order] for p in inputs.people.values()]
        ),
        1e-4,
        0.999,
    )
    log_p, log_q = np.log(atoms), np.log1p(-atoms)
    out = {}
    for customer_id in inputs.picks(PreferredRule(sends, 0.0)):
        log_likelihood = np.zeros(len(atoms))
        for channel, n, r in inputs.channels[customer_id]:
            j, r = order.index(channel), min(r, n)
            log_likelihood += r * log_p[:, j] + (n - r) * log_q[:, j]
        weights = np.exp(log_likelihood - log_likelihood.max())
        posterior = weights @ atoms / weights.sum()
        candidates = sorted(c for c, n, r in inputs.reachable(customer_id) if n >= sends and r > 0)
        out[customer_id] = max(candidates, key=lambda c: posterior[order.index(c)])
    return out


def expected_agreement(
    inputs: PreferredInputs, rule: PreferredRule, draws: int = 400, seed: int = 0
) -> tuple[float, int]:
    """How often ``rule``'s pick is the customer's truly best channel by the warehouse's own
    evidence, without the truth files: each channel's true rates are taken to follow the
    beta distribution the population's responses imply (mean = the channel's response rate,
    strength = prior_strength_estimates over customer-channels with at least one send), each
    customer's rates are drawn from the beta posterior of their own sends and responses, and the
    share of draws in which the picked channel has the highest rate among the rule's candidates
    is averaged over the customers the rule gives a channel. Returns (expected share, customers).

    This is what "enough sends to mean something" can be calibrated by on any brand's data: the
    smallest min sends at which the expected share reaches the wanted confidence."""
    priors = channel_rates(inputs.channels)
    strengths = prior_strength_estimates(inputs.channels, 1)
    rng = np.random.default_rng(seed)
    shares = []
    for customer_id, picked in sorted(inputs.picks(rule).items()):
        eligible = [
            (c, n, min(r, n)) for c, n, r in inputs.reachable(customer_id) if n >= rule.min_sends
        ]
        if len(eligible) == 1:
            shares.append(1.0)
            continue
        samples = []
        for channel, n, r in eligible:
            k = min(strengths.get(channel, float("inf")), 1e6)
            alpha = priors[channel] * k + r
            beta = (1 - priors[channel]) * k + (n - r)
            samples.append(rng.beta(max(alpha, 1e-9), max(beta, 1e-9), draws))
        best = np.argmax(np.vstack(samples), axis=0)
        index = [c for c, _, _ in eligible].index(picked)
        shares.append(float(np.mean(best == index)))
    return (float(np.mean(shares)) if shares else float("nan"), len(shares))


def describe(agreement: PreferredAgreement) -> str:
    return (
        f"min sends {agreement.min_sends}, prior sends {agreement.rule.prior_sends:g},"
        f" min lead {agreement.rule.min_lead_se:g} SE:"
        f" {agreement.agreeing}/{agreement.customers} agree ({agreement.share:.1%}),"
        f" coverage {agreement.coverage:.1%} of {agreement.messaged_customers} messaged;"
        f" two or more channels: {agreement.contested_agreeing}/"
        f"{agreement.contested_customers} ({agreement.contested_share:.1%});"
        f" noise-only ceiling {agreement.noise_only_share:.1%};"
        f" against the truth over every channel held: {agreement.any_channel_share:.1%}"
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
    """WAREHOUSE TRUTH_DIR [--sweep]: the mart against the truth; --sweep adds the twin of the
    rule at other settings (min sends x prior sends) on the same warehouse."""
    import os

    warehouse, truth_dir = Path(argv[0]), Path(argv[1])
    salt = os.environ["OMNI_PII_SALT"]
    con = duckdb.connect(str(warehouse), read_only=True)
    inputs = PreferredInputs.read(con, truth_dir, salt)
    rule = PreferredRule.from_project()
    twin = inputs.picks(rule)
    differing = sum(1 for c in set(twin) | set(inputs.mart) if twin.get(c) != inputs.mart.get(c))
    print(f"customer_360 preferred channel, {describe(agreement_of(inputs, rule, inputs.mart))}")
    print(f"python twin of the rule differs from the mart for {differing} customers")
    if "--sweep" in argv:
        for sends in (5, 8, 10):
            estimates = prior_strength_estimates(inputs.channels, sends)
            print(
                f"method-of-moments prior sends, channels with >= {sends} sends: "
                + ", ".join(f"{c} {k:.1f}" for c, k in estimates.items())
            )
        for sends in (5, 8, 10):
            for prior in (0, 2, 4, 10, 20):
                candidate = PreferredRule(sends, float(prior), rule.min_lead_se)
                print(describe(agreement_of(inputs, candidate, inputs.picks(candidate))))
        for lead in (0, 0.5, 0.84, 1, 1.28, 1.64):
            candidate = PreferredRule(rule.min_sends, rule.prior_sends, lead)
            print(describe(agreement_of(inputs, candidate, inputs.picks(candidate))))
            oracle = agreement_of(inputs, PreferredRule(sends, 0.0), oracle_picks(inputs, sends), 0)
            print(
                f"oracle (the truth's rate vectors as prior), min sends {sends}:"
                f" {oracle.agreeing}/{oracle.customers} agree ({oracle.share:.1%})"
            )
    if "--calibrate" in argv:
        for sends in range(3, 16):
            candidate = PreferredRule(sends, rule.prior_sends, rule.min_lead_se)
            expected, customers = expected_agreement(inputs, candidate)
            measured = agreement_of(inputs, candidate, inputs.picks(candidate), 0)
            print(
                f"min sends {sends}: expected from the warehouse alone {expected:.1%}"
                f" over {customers} customers; against the truth {measured.share:.1%},"
                f" coverage {measured.coverage:.1%}"
            )
    print("a/b:", ab_test_arms(con, truth_dir))
    try:
        print("fallback (non-openers, sms delivered):", fallback_reach(con))
    except duckdb.CatalogException:
        print("fallback: marts.fallback_performance not built")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
