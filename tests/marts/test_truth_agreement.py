"""The channel marts against the generator's truth, on the `pipeline` fixture's sample.

Preferred channel: "customers with enough sends" and the truth's preference are defined once, in
tests.marts.truth_agreement.PreferredAgreement, as the mart defines them (dbt var
preferred_channel_min_sends). The sample (400 customers, 30 days) gives each customer a handful
of sends per channel; bigger samples are measured with
`python -m tests.marts.truth_agreement WAREHOUSE TRUTH` (figures in the issue note). The A/B
readout must pick the truth's better arm and the fallback mart must show SMS reaching LINE
non-openers.
"""

from __future__ import annotations

import os

import duckdb
import pytest

from tests.marts.truth_agreement import ab_test_arms, fallback_reach, preferred_channel_agreement


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


@pytest.mark.xfail(
    reason="issue 5 target of 90 % not met on 5,000 x 120: 87.6 % (3437/3923) of customers "
    "with enough sends agree, against a noise-only ceiling of 88.5 %: with 10-18 delivered "
    "sends per channel, customers whose true rates are close (mostly the 'mixed' segment) "
    "cannot be told apart; 82.0 % where two or more channels have enough sends. This small "
    "sample passes (120/123): most of its customers have one channel with enough sends",
    strict=False,
)
def test_preferred_channel_agrees_with_the_truth_for_90_percent(agreement):
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
