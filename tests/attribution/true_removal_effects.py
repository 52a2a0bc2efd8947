"""The true removal effect of every channel on the generator's data, by re-running the generator.

    python -m tests.attribution.true_removal_effects --customers 5000 [--days 120] [--seed 42]

A markov removal effect estimates the share of conversions lost when every touch of a channel is
removed. The generator writes that counterfactual to the truth folder (channel_lifts.json
``removal_effects``, truth.accumulate_removal_effects); this script is its independent check and
adds the realised figure: it runs the generator again with the same arguments (the output is
byte-identical per seed) into a throwaway folder, reads the touches and logits of every
person-week as the simulation converts them, and computes per channel:

- expected_lost: sum over person-weeks of P(conversion) - P(conversion without the channel's
  touches), with P = sigmoid(logit) exactly as simulate.ChunkSim.conversions computes it;
- realised_lost: the same with the generator's own uniform draws (common random numbers):
  conversions that happened and would not have without the channel;
- true_removal_effect = expected_lost / expected conversions, what markov estimates.

The generator itself is not modified: its ChunkSim is subclassed in this process only.
"""

from __future__ import annotations

import argparse
import copy
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from orchestration.generator import core, params
from orchestration.generator.simulate import ChunkSim

DAY = 86400.0


def _person_weeks(sim: ChunkSim) -> dict[str, np.ndarray]:
    """Touch counts per person x week x channel and the logit, as ChunkSim.conversions builds
    them (same code path, read before it runs)."""
    ctx, p = sim.ctx, sim.p
    weeks = (ctx.days + 6) // 7
    n_c = len(params.LIFT_CHANNELS)
    counts = np.zeros((sim.n, weeks, n_c))
    if sim.touch_i:
        ti = np.concatenate(sim.touch_i)
        tt = np.concatenate(sim.touch_t)
        tc = np.concatenate(sim.touch_c)
        tw = np.clip(((tt - ctx.t0) // (7 * DAY)).astype(np.int64), 0, weeks - 1)
        np.add.at(counts, (ti, tw, tc), 1)
    betas = np.array([params.CHANNEL_LIFTS[c] for c in params.LIFT_CHANNELS])
    capped = np.minimum(counts, params.TOUCH_CAP)
    logit = params.BASE_LOGIT + p.propensity[:, None] + capped @ betas
    for i, t_ab in sim.ab_sent.items():
        w = int((t_ab - ctx.t0) // (7 * DAY))
        lift = params.AB_ARM_LIFT[p.ab_arm[i]]
        logit[i, w] += lift
        if w + 1 < weeks:
            logit[i, w + 1] += lift
    return {"counts": counts, "capped": capped, "logit": logit, "betas": betas}


def true_removal_effects(
    customers: int, days: int = 120, start: date = date(2026, 5, 1), seed: int = 42
) -> list[dict[str, Any]]:
    """Per channel (in beta order): beta, touches, expected and realised conversions lost
    without the channel, and the true removal effect."""
    n_c = len(params.LIFT_CHANNELS)
    totals = {
        "touches": np.zeros(n_c),
        "expected_lost": np.zeros(n_c),
        "realised_lost": np.zeros(n_c),
        "expected": 0.0,
        "realised": 0.0,
    }

    class CapturingChunkSim(ChunkSim):
        def conversions(self) -> None:
            weeks = (self.ctx.days + 6) // 7
            draws = copy.deepcopy(self.rng).random((self.n, weeks))  # conversions' first draw
            state = _person_weeks(self)
            prob = 1 / (1 + np.exp(-state["logit"]))
            happened = draws < prob
            totals["expected"] += prob.sum()
            totals["realised"] += happened.sum()
            for c in range(n_c):
                totals["touches"][c] += state["counts"][:, :, c].sum()
                without = 1 / (
                    1 + np.exp(-(state["logit"] - state["betas"][c] * state["capped"][:, :, c]))
                )
                totals["expected_lost"][c] += (prob - without).sum()
                totals["realised_lost"][c] += (happened & ~(draws < without)).sum()
            super().conversions()

    original = core.ChunkSim
    core.ChunkSim = CapturingChunkSim
    try:
        with tempfile.TemporaryDirectory() as scratch:
            core.generate(
                Path(scratch) / "landing",
                Path(scratch) / "truth",
                customers=customers,
                days=days,
                start=start,
                seed=seed,
                progress=False,
            )
    finally:
        core.ChunkSim = original
    rows = []
    for c, channel in enumerate(params.LIFT_CHANNELS):
        rows.append(
            {
                "channel": channel,
                "beta": params.CHANNEL_LIFTS[channel],
                "touches": int(totals["touches"][c]),
                "expected_lost": float(totals["expected_lost"][c]),
                "realised_lost": int(totals["realised_lost"][c]),
                "true_removal_effect": float(totals["expected_lost"][c] / totals["expected"]),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 5, 1))
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    rows = true_removal_effects(args.customers, args.days, args.start, args.seed)
    print(f"{'channel':<16}{'beta':>6}{'touches':>9}{'exp lost':>10}{'real lost':>11}"
          f"{'true RE':>9}")  # fmt: skip
    for r in sorted(rows, key=lambda r: -r["true_removal_effect"]):
        print(
            f"{r['channel']:<16}{r['beta']:>6.2f}{r['touches']:>9}{r['expected_lost']:>10.1f}"
            f"{r['realised_lost']:>11}{r['true_removal_effect']:>9.4f}"
        )


if __name__ == "__main__":
    main()
