"""The markov removal effects of the `pipeline` sample against the generator's truth.

The truth (channel_lifts.json) holds per-touch betas and, computed by the generator from its own
logits, each channel's true removal effect: the share of expected conversions lost without the
channel's touches, the quantity a removal effect estimates. The comparison table is printed
(`pytest -s`; for a bigger sample `python -m tests.attribution.markov_ranking`).

Which truth markov is held to: the true removal effect, not the betas. A removal effect is a
channel's total contribution, per-touch lift times how many person-weeks the channel touches;
no removal effect can rank per-touch lifts when channels' reach differs, and in the generator
it does (Spearman(beta, true removal effect) 0.782 on 5,000 x 120: email's reach lifts it above
sms and paid social, messenger's and instagram's small reach drops them below organic search).
So the acceptance's "true lifts" is read as the lifts' true removal effects.
"""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest
from scipy.stats import spearmanr

from tests.attribution.markov_ranking import comparison, rank_correlation, render
from tests.attribution.markov_scenarios import Scenario, removal_effects, run
from tests.attribution.oracle import markov_removal_effects, random_paths
from tests.attribution.true_removal_effects import true_removal_effects


@pytest.fixture(scope="module")
def sample(pipeline):
    ws, _ = pipeline
    return ws


@pytest.fixture(scope="module")
def table(sample):
    ws = sample
    con = duckdb.connect(str(ws.warehouse), read_only=True)
    try:
        rows = comparison(con, ws.truth)
    finally:
        con.close()
    print("\n" + render(rows))
    return rows


def test_truth_removal_effects_are_the_counterfactual_of_the_simulation(sample, table):
    """The generator's removal effects equal an independent re-run of the simulation that
    removes each channel's touches from the logits (tests.attribution.true_removal_effects)."""
    manifest = json.loads((sample.truth / "manifest.json").read_text(encoding="utf-8"))
    rerun = {
        r["channel"]: r["true_removal_effect"]
        for r in true_removal_effects(
            manifest["customers"],
            manifest["days"],
            start=date.fromisoformat(manifest["start"]),
            seed=manifest["seed"],
        )
    }
    for row in table:
        assert row["true_removal_effect"] == pytest.approx(rerun[row["channel"]], abs=1e-6), row


def test_scenario_tool_measures_the_generators_truth_and_the_warehouses_markov(sample, table):
    """tests.attribution.markov_scenarios, with no scenario option, reproduces the truth the
    generator wrote exactly, and its journeys (the simulation's touches cut by the warehouse's
    rules) give markov removal effects in the warehouse's order: so what it measures for a
    changed generator is what the warehouse would show."""
    manifest = json.loads((sample.truth / "manifest.json").read_text(encoding="utf-8"))
    result = run(Scenario(), manifest["customers"], manifest["days"], manifest["seed"])
    tool = {r["channel"]: r for r in result["rows"]}
    for row in table:
        assert tool[row["channel"]]["true_removal_effect"] == pytest.approx(
            row["true_removal_effect"], abs=1e-6
        ), row
    warehouse_markov = [row["markov_removal_effect"] for row in table]
    tool_markov = [tool[row["channel"]]["markov_removal_effect"] for row in table]
    assert spearmanr(warehouse_markov, tool_markov).statistic >= 0.9, (tool_markov, table)


def test_markov_ranks_the_strongest_channel_first(table):
    """LINE has the highest beta and the highest true removal effect; markov puts it first."""
    top_truth = max(table, key=lambda r: r["true_removal_effect"])["channel"]
    top_markov = max(table, key=lambda r: r["markov_removal_effect"])["channel"]
    assert top_markov == top_truth == "line", render(table)


@pytest.mark.xfail(
    reason="issue 4 acceptance not met, by the method, not by the data: a first-order markov "
    "removal effect cuts every path through the channel, so it measures the share of converting "
    "journeys that hold the channel (Spearman(presence, markov) 1.000 on 5,000 x 120), not the "
    "conversions the channel caused; direct (app sessions included), organic search, referral "
    "and email sit in 29-46% of converting journeys whatever their lift. "
    "tests.attribution.markov_scenarios --grid: a lower no-touch share (57.5% down to 0.7%), "
    "lift carried over the lookback, lookback 7 days or app sessions with a lift leave "
    "Spearman(markov, true removal effect) at 0.515-0.576; only cutting those channels' reach "
    "to 10-40% lifts it to 0.891. Removal variants cannot move it either (markov_scenarios "
    "--removals): skipping the channel along its own exits gives every effect 0, no-touch paths in "
    "the chain scale all effects by one factor. Shapley on the same warehouse ranks them at 0.939. "
    "5,000 x 120 seed 42: Spearman(markov, true removal effect) 0.515, (markov, beta) -0.018",
    strict=True,
)
def test_markov_ranks_channels_in_the_order_of_the_true_removal_effects(table):
    assert rank_correlation(table, "true_removal_effect", "markov_removal_effect") >= 0.9


CHANNELS = ["line", "sms", "email", "paid_search", "organic_search", "direct", "referral"]


def test_removal_variants_null_is_the_oracles_markov():
    paths = random_paths(3000, CHANNELS, seed=11)
    expected = markov_removal_effects(paths)
    got = removal_effects(paths, "null")
    assert got.keys() == expected.keys()
    assert max(abs(got[c] - expected[c]) for c in CHANNELS) < 1e-12


def test_skip_removal_leaves_the_first_order_chain_unchanged():
    """Bypassing a channel along its own exits is state elimination: P(conversion) stays, so
    every skip removal effect is 0 and cannot rank channels (the variant fails by algebra)."""
    paths = random_paths(3000, CHANNELS, seed=11)
    effects = removal_effects(paths, "skip")
    assert set(effects) == set(CHANNELS)
    assert max(abs(e) for e in effects.values()) < 1e-12, effects
    assert max(abs(e) for e in removal_effects(paths, "null").values()) > 0.05


def test_no_touch_paths_scale_every_null_removal_effect_by_one_factor():
    """Empty paths only change the start row: P' = a + (1 - a - b) P, each removal effect times
    (1 - a - b) P / P', the same for every channel, so the order cannot move."""
    paths = random_paths(3000, CHANNELS, seed=11)
    converting, non_converting = 400, 2500
    plain = removal_effects(paths, "null")
    with_empty = removal_effects(paths, "null", converting, non_converting)
    starts = len(paths) + converting + non_converting
    a, b = converting / starts, non_converting / starts
    p = sum(converted for _, converted in paths) / len(paths)  # P(conversion) of the fitted chain
    factor = (1 - a - b) * p / (a + (1 - a - b) * p)
    for channel in CHANNELS:
        assert with_empty[channel] == pytest.approx(plain[channel] * factor, abs=1e-12), channel
    assert factor < 0.95  # the empty paths did change the effects, just not their order
