"""The channel marts against the generator's truth, on the `pipeline` fixture's sample.

Preferred channel: "customers with enough sends" and the truth's preference are defined once, in
tests.marts.truth_agreement.PreferredAgreement, as the mart defines them (dbt vars
preferred_channel_min_sends and preferred_channel_prior_sends). The sample (400 customers, 30
days) gives each customer a handful of sends per channel; bigger samples are measured with
`python -m tests.marts.truth_agreement WAREHOUSE TRUTH [--sweep]` (figures in the issue note).
The A/B readout must pick the truth's better arm and the fallback mart must show SMS reaching LINE
non-openers.
"""

from __future__ import annotations

import os

import duckdb
import pytest

from tests.marts.truth_agreement import (
    PreferredInputs,
    PreferredRule,
    ab_test_arms,
    fallback_reach,
    preferred_channel_agreement,
)


@pytest.fixture(scope="module")
def built(pipeline):
    ws, _ = pipeline
    con = duckdb.connect(str(ws.warehouse), read_only=True)
    yield ws, con
    con.close()


@pytest.fixture(scope="module")
def agreement(built):
    ws, con = built
    result = preferred_channel_agreement(con, ws.truth, os.environ["OMNI_PII_SALT"])
    print(f"\n{result} share {result.share:.3f} contested {result.contested_share:.3f}")
    return result


def test_figures_tool_applies_the_marts_rule(built):
    """The tool's Python twin of the rule (used for the noise-only ceiling and the settings sweep)
    picks what customer_360 picks, customer for customer, at dbt_project.yml's settings."""
    ws, con = built
    inputs = PreferredInputs.read(con, ws.truth, os.environ["OMNI_PII_SALT"])
    assert inputs.mart, "the sample gives no customer a preferred channel"
    assert inputs.picks(PreferredRule.from_project()) == inputs.mart


def test_preferred_channel_beats_chance_against_the_truth(agreement):
    assert agreement.contested_customers > 0, agreement
    # Two or three channels to choose from: chance is at most 1/2.
    assert agreement.contested_share > 0.6, agreement


def test_preferred_channel_agrees_as_often_as_the_sends_allow(agreement):
    """The mart's rule recovers the truth as well as responses drawn exactly at the truth's
    rates would (same customers, same delivered sends): its agreement is within three standard
    errors of that noise-only ceiling. A rule or a response count that disagrees with the
    truth's definition (opens for clicks, a wrong channel, a lost response) falls below it."""
    share, ceiling, n = agreement.share, agreement.noise_only_share, agreement.customers
    tolerance = 3 * (ceiling * (1 - ceiling) / n) ** 0.5
    assert share >= ceiling - tolerance, agreement


def test_preferred_channel_agrees_with_the_truth_for_90_percent_on_the_sample(agreement):
    """Issue 5's 90 % target on the test sample (400 x 30 days): 105/106 (99.1 %) with the
    default rule (min sends 5, prior sends 4, a lead of one standard error). On `make run`'s
    5,000 x 120 (seed 42): 2715/2780 (97.7 %) at 56.6 % coverage; without the lead rule 88.5 %
    (3356/3791) at 77.2 %, where the oracle bound from the same counts was 88.9 % (`python -m
    tests.marts.truth_agreement <warehouse> <truth> --sweep`)."""
    assert agreement.share >= 0.9, agreement


def test_ab_readout_finds_the_better_arm(built):
    ws, con = built
    readout = ab_test_arms(con, ws.truth)
    assert readout["readout_best_arm"] == readout["truth_winner"], readout


def test_fallback_sms_reaches_line_non_openers(built):
    _, con = built
    non_openers, reached = fallback_reach(con)
    assert non_openers > 0
    assert 0 < reached <= non_openers
