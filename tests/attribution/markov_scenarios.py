"""What the markov channel ranking depends on: vary the generator's conversion model, rebuild the
journeys as the warehouse builds them, solve markov with the numpy oracle, compare with the truth.

    python -m tests.attribution.markov_scenarios                # the generator as it is
    python -m tests.attribution.markov_scenarios --grid         # the scenarios below, a line each
    python -m tests.attribution.markov_scenarios --base-logit -7 --lift-scale 3 --carry-weeks 4

A scenario changes the simulation in this process only (the generator's files are not written):
the no-touch intercept (``--base-logit``), every lift times a factor (``--lift-scale``), a touch
lifting its own and the next weeks (``--carry-weeks``: 4 = the attribution lookback of 30 days),
app sessions lifting conversion as direct touches (``--app-lift``), each channel's touch volume
times a factor (``--volume channel=f``: below 1 a random share is dropped, for direct its app
sessions too; above 1 touches are copied, moved by up to 3 days: crude, for the question "what
if reach were different"). The truth
removal effects come from the generator's own code (truth.accumulate_removal_effects) under the
scenario; with no option they equal channel_lifts.json exactly.

The journeys follow the warehouse's rules (int_journey_touchpoints_filtered and the models after
it) on the simulation's own touches, without the landing files and identity stitching in between:
each lift touch (a LINE click or reply or chat, an SMS click, an email open, a web session by
source, a service chat), plus every app session as a `direct` touch as staging labels it;
checkout sessions are not touches. A conversion's journey is the customer's touches in the
lookback before it; the touches in no journey form non-converting paths in lookback-long windows
from the customer's first such touch. On 5,000 x 120 seed 42 this reproduces the warehouse's
figures (markov vs true removal effect Spearman 0.515 both; see the report of issue 4).

Removal variants (``--removals``; removal_effects below), each Spearman against the true removal
effect, measured with ``python -m tests.attribution.markov_scenarios --removals`` (5,000 x 120
seed 42) and ``... --removals --customers 400 --days 30 --seed 7`` (the test sample's size):

    variant                                        5,000 x 120    400 x 30
    null (Anderl et al., the warehouse's)                0.515       0.455
    skip (bypass along the channel's own exits)      all 0 (*)   all 0 (*)
    null, chain with the no-touch paths                  0.515       0.455

(*) every removal effect 0 to 1e-15, so the ranking is noise. Neither variant can help, by
algebra, not by these data. Skip: redirecting the transitions into a channel along that
channel's own outgoing probabilities is the elimination of a transient state from an absorbing
chain, which leaves every absorption probability unchanged: a first-order chain holds no memory
of the touch, so "the touch did not happen" and "it happened" give the same P(conversion).
No-touch paths (the conversions without a touch in their lookback - the unattributed bucket - as
start -> conversion, the customers without touch or conversion as start -> null) only rescale
the start row: with a = P(start -> conversion), b = P(start -> null), P' = a + (1 - a - b) P
and every removal effect becomes (1 - a - b) P / P' times the old one, one factor for all
channels, so the order cannot move (no-touch paths here: 128 converting and 183 non-converting
on 5,000 x 120, 6 and 52 on 400 x 30). Measuring against the no-touch baseline in any other form,
e.g. (P - P without the channel) / (P - a), divides the same differences by one number too. On
the warehouse's own paths (data/ of 5,000 x 120 seed 42: int_attribution_paths_transformed and
its 388 unattributed conversions as start -> conversion) the same: null 0.515, skip all 0, null
with the no-touch paths 0.515. So no variant was put into the SQL macro.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import spearmanr

from orchestration.generator import params, simulate, truth
from orchestration.generator.campaigns import build_calendar
from orchestration.generator.simulate import ChunkSim, Context
from orchestration.generator.writers import Sink
from tests.attribution.oracle import markov_removal_effects

DAY = 86400.0


@dataclass(frozen=True)
class Scenario:
    name: str = "generator as it is"
    base_logit: float = params.BASE_LOGIT
    lift_scale: float = 1.0
    carry_weeks: int = 1
    app_lift: bool = False
    volume: dict[str, float] = field(default_factory=dict)
    lookback_days: int = 30


@contextlib.contextmanager
def _conversion_model(scenario: Scenario) -> Iterator[None]:
    """params.BASE_LOGIT and the lifts (params and simulate.BETAS) as the scenario says, restored
    afterwards."""
    base, lifts, betas = params.BASE_LOGIT, dict(params.CHANNEL_LIFTS), simulate.BETAS.copy()
    try:
        params.BASE_LOGIT = scenario.base_logit
        for channel in params.CHANNEL_LIFTS:
            params.CHANNEL_LIFTS[channel] = lifts[channel] * scenario.lift_scale
        simulate.BETAS[:] = betas * scenario.lift_scale
        yield
    finally:
        params.BASE_LOGIT = base
        params.CHANNEL_LIFTS.update(lifts)
        simulate.BETAS[:] = betas


class ScenarioSim(ChunkSim):
    """The generator's chunk with the scenario's touch volume, carry-over and app-session lift.
    Extra draws come from a generator of their own, so the simulation's stream is unchanged."""

    scenario: Scenario

    def __init__(self, ctx: Context, index: int, first: int, n: int) -> None:
        super().__init__(ctx, index, first, n)
        self.extra_rng = np.random.default_rng([ctx.seed, 99, index])

    def touch(self, idx: np.ndarray, t: np.ndarray, channel: str) -> None:
        factor = self.scenario.volume.get(channel, 1.0)
        idx, t = np.asarray(idx, dtype=np.int64), np.asarray(t, dtype=float)
        if factor < 1.0:
            keep = self.extra_rng.random(len(idx)) < factor
            idx, t = idx[keep], t[keep]
        elif factor > 1.0:
            copies = self.extra_rng.poisson(factor, len(idx))
            idx = np.repeat(idx, copies)
            moved = np.repeat(t, copies) + self.extra_rng.uniform(-3, 3, len(idx)) * DAY
            t = np.clip(moved, self.ctx.t0, self.ctx.t1 - 1)
        super().touch(idx, t, channel)

    def web_sessions(self) -> None:
        first = len(self.sessions)
        super().web_sessions()
        if self.scenario.app_lift:
            app = [s for s in self.sessions[first:] if s[2] == "app"]
            self.touch(
                np.array([s[0] for s in app], dtype=np.int64),
                np.array([s[1] for s in app], dtype=float),
                "direct",
            )

    def person_week_logits(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        capped, logit, last_t = super().person_week_logits()
        weeks = self.scenario.carry_weeks
        if weeks <= 1:
            return capped, logit, last_t
        carried = capped.copy()
        for lag in range(1, min(weeks, capped.shape[1])):
            carried[:, lag:, :] += capped[:, :-lag, :]
        carried = np.minimum(carried, params.TOUCH_CAP)
        return carried, logit + (carried - capped) @ simulate.BETAS, last_t


REMOVALS = ("null", "skip")


def removal_effects(
    paths: list[tuple[list[str], bool]],
    removal: str = "null",
    no_touch_converting: int = 0,
    no_touch_non_converting: int = 0,
) -> dict[str, float]:
    """Removal effect per channel, 1 - P(conversion | channel removed) / P(conversion), of the
    first-order chain of the paths plus the given counts of empty paths (start -> conversion,
    start -> null). removal 'null': every transition into the channel goes to null (Anderl et
    al.; equals tests.attribution.oracle.markov_removal_effects without empty paths). 'skip':
    every transition into the channel follows the channel's own outgoing probabilities, its
    self-loop excluded (the journey goes on as if the touch were not there)."""
    channels = sorted({c for steps, _ in paths for c in steps})
    index = {s: i for i, s in enumerate(["start", *channels])}
    n = len(index)
    counts, conversion, null = np.zeros((n, n)), np.zeros(n), np.zeros(n)
    for steps, converted in paths:
        chain = ["start", *steps]
        for a, b in zip(chain, chain[1:], strict=False):
            counts[index[a], index[b]] += 1
        (conversion if converted else null)[index[chain[-1]]] += 1
    conversion[0] += no_touch_converting
    null[0] += no_touch_non_converting
    totals = counts.sum(axis=1) + conversion + null
    q, r = counts / totals[:, None], conversion / totals

    def p_conversion(q: np.ndarray, r: np.ndarray, removed: int | None) -> float:
        keep = [i for i in range(n) if i != removed]
        x = np.linalg.solve(np.eye(len(keep)) - q[np.ix_(keep, keep)], r[keep])
        return float(x[0])

    full = p_conversion(q, r, None)
    effects = {}
    for k, channel in enumerate(channels, start=1):
        if removal == "null":
            without = p_conversion(q, r, k)
        elif removal == "skip":
            exits, own_conversion = q[k].copy(), r[k]
            stay = exits[k]
            exits[k] = 0.0
            into = q[:, k].copy()
            skip_q = q + np.outer(into, exits / (1 - stay))
            skip_r = r + into * own_conversion / (1 - stay)
            without = p_conversion(skip_q, skip_r, k)
        else:
            raise ValueError(f"removal {removal!r} not in {REMOVALS}")
        effects[channel] = 1.0 - without / full
    return effects


def _no_touch_paths(sim: ScenarioSim, lookback_days: int) -> tuple[int, int]:
    """Empty paths of one chunk: conversions without a touch in their lookback (the warehouse's
    unattributed bucket), and customers with neither touch nor conversion (one path each)."""
    window = lookback_days * DAY
    touched: dict[int, list[float]] = {}
    for i, t in zip(
        np.concatenate(sim.touch_i).tolist() if sim.touch_i else [],
        np.concatenate(sim.touch_t).tolist() if sim.touch_t else [],
        strict=True,
    ):
        touched.setdefault(i, []).append(t)
    for i, t, kind, _info, _platform in sim.sessions:
        if kind == "app":
            touched.setdefault(i, []).append(t)
    converting = sum(
        not any(c - window <= t < c for t in touched.get(i, []))
        for i, times in sim._conv_t.items()
        for c in times
    )
    non_converting = sum(i not in touched and i not in sim._conv_t for i in range(sim.n))
    return converting, non_converting


def _paths(sim: ScenarioSim, lookback_days: int) -> list[tuple[list[str], bool]]:
    """Converting and non-converting channel paths of one chunk, as the warehouse cuts them."""
    names = params.LIFT_CHANNELS
    touches: dict[int, list[tuple[float, str]]] = {}
    if sim.touch_i:
        for i, t, c in zip(
            np.concatenate(sim.touch_i).tolist(),
            np.concatenate(sim.touch_t).tolist(),
            np.concatenate(sim.touch_c).tolist(),
            strict=True,
        ):
            touches.setdefault(i, []).append((t, names[c]))
    if not sim.scenario.app_lift:  # app sessions are direct touches in the warehouse either way
        keep = min(sim.scenario.volume.get("direct", 1.0), 1.0)
        for i, t, kind, _info, _platform in sim.sessions:
            if kind == "app" and (keep == 1.0 or sim.extra_rng.random() < keep):
                touches.setdefault(i, []).append((t, "direct"))
    window = lookback_days * DAY
    paths: list[tuple[list[str], bool]] = []
    for i, own in touches.items():
        own.sort()
        in_journey: set[int] = set()
        for converted_at in sorted(sim._conv_t.get(i, [])):
            steps = []
            for k, (t, channel) in enumerate(own):
                if converted_at - window <= t < converted_at:
                    steps.append(channel)
                    in_journey.add(k)
            if steps:
                paths.append((steps, True))
        rest = [(t, c) for k, (t, c) in enumerate(own) if k not in in_journey]
        windows: dict[int, list[str]] = {}
        for t, channel in rest:
            windows.setdefault(int((t - rest[0][0]) // window), []).append(channel)
        paths.extend((steps, False) for steps in windows.values())
    return paths


def run(
    scenario: Scenario, customers: int = 5000, days: int = 120, seed: int = 42
) -> dict[str, Any]:
    """Simulate the scenario (no files written) and compare markov with its truth."""
    start = date(2026, 5, 1)
    t0 = datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp() - params.TPE_OFFSET
    paths: list[tuple[list[str], bool]] = []
    no_touch = np.zeros(2, dtype=np.int64)
    with tempfile.TemporaryDirectory() as scratch, _conversion_model(scenario):
        ctx = Context(
            seed=seed,
            days=days,
            t0=t0,
            t1=t0 + days * DAY,
            start_label=start.isoformat(),
            end_label=start.isoformat(),
            campaigns=build_calendar(days, seed),
            sink=Sink(Path(scratch) / "landing"),
            truth=Sink(Path(scratch) / "truth"),
        )
        ScenarioSim.scenario = scenario
        for index in range((customers + params.CHUNK_SIZE - 1) // params.CHUNK_SIZE):
            first = index * params.CHUNK_SIZE
            sim = ScenarioSim(ctx, index, first, min(params.CHUNK_SIZE, customers - first))
            sim._conv_t, sim.crm_dupes = {}, set()
            for step in (
                sim.init_consent,
                sim.enrol_in_crm,
                sim.line_lifecycle,
                sim.run_campaigns,
                sim.web_sessions,
                sim.chats,
                sim.conversions,
            ):
                step()
            truth.accumulate_removal_effects(sim)
            paths.extend(_paths(sim, scenario.lookback_days))
            no_touch += _no_touch_paths(sim, scenario.lookback_days)
        true_effects = truth.removal_effects(ctx)
        expected = ctx.removal["all"]
        no_touch_share = ctx.removal["none"] / expected
        lifts = dict(params.CHANNEL_LIFTS)
        touches = {c: ctx.touch_stats[c]["touches"] for c in params.LIFT_CHANNELS}
    markov = markov_removal_effects(paths)
    variants = {
        "null": removal_effects(paths, "null"),
        "skip": removal_effects(paths, "skip"),
        "null, with no-touch paths": removal_effects(paths, "null", *no_touch.tolist()),
    }
    converting = [set(steps) for steps, converted in paths if converted]
    rows = [
        {
            "channel": c,
            "beta": lifts[c],
            "true_removal_effect": true_effects[c],
            "markov_removal_effect": markov.get(c, 0.0),
            "presence": sum(c in s for s in converting) / len(converting),
            "touches": touches[c],
        }
        for c in params.LIFT_CHANNELS
    ]

    def rho(a: str, b: str) -> float:
        return float(spearmanr([r[a] for r in rows], [r[b] for r in rows]).statistic)

    return {
        "scenario": scenario,
        "rows": sorted(rows, key=lambda r: -r["true_removal_effect"]),
        "expected_conversions": expected,
        "no_touch_share": no_touch_share,
        "converting_paths": len(converting),
        "paths": len(paths),
        "rho_true_markov": rho("true_removal_effect", "markov_removal_effect"),
        "rho_beta_markov": rho("beta", "markov_removal_effect"),
        "rho_presence_markov": rho("presence", "markov_removal_effect"),
        "rho_beta_true": rho("beta", "true_removal_effect"),
        "no_touch_paths": tuple(no_touch.tolist()),
        "removal_variants": {
            name: {
                "effects": effects,
                "rho_true": float(
                    spearmanr(
                        [r["true_removal_effect"] for r in rows],
                        [effects.get(r["channel"], 0.0) for r in rows],
                    ).statistic
                )
                if max(abs(e) for e in effects.values()) > 1e-12  # all 0: no order to rank
                else float("nan"),
            }
            for name, effects in variants.items()
        },
    }


def render(result: dict[str, Any]) -> str:
    lines = [
        f"scenario: {result['scenario'].name}",
        f"{'channel':<16}{'beta':>6}{'true RE':>9}{'markov RE':>11}{'presence':>10}{'touches':>9}",
    ]
    for r in result["rows"]:
        lines.append(
            f"{r['channel']:<16}{r['beta']:>6.2f}{r['true_removal_effect']:>9.4f}"
            f"{r['markov_removal_effect']:>11.4f}{r['presence']:>10.3f}{r['touches']:>9}"
        )
    lines.append(summary(result))
    return "\n".join(lines)


def summary(result: dict[str, Any]) -> str:
    return (
        f"expected conversions {result['expected_conversions']:.0f}, no-touch share "
        f"{result['no_touch_share']:.3f}, converting paths {result['converting_paths']}; "
        f"spearman markov~true RE {result['rho_true_markov']:.3f}, markov~beta "
        f"{result['rho_beta_markov']:.3f}, markov~presence {result['rho_presence_markov']:.3f}, "
        f"beta~true RE {result['rho_beta_true']:.3f}"
    )


def render_removals(result: dict[str, Any]) -> str:
    """The removal variants' effects per channel (truth order) and their Spearman with the truth."""
    variants = result["removal_variants"]
    converting, non_converting = result["no_touch_paths"]
    lines = [
        f"no-touch paths: {converting} converting, {non_converting} non-converting",
        f"{'channel':<16}{'true RE':>9}" + "".join(f"{name[:26]:>28}" for name in variants),
    ]
    for r in result["rows"]:
        lines.append(
            f"{r['channel']:<16}{r['true_removal_effect']:>9.4f}"
            + "".join(f"{v['effects'].get(r['channel'], 0.0):>28.4g}" for v in variants.values())
        )
    lines.append(
        f"{'spearman ~ true':<25}" + "".join(f"{v['rho_true']:>28.3f}" for v in variants.values())
    )
    return "\n".join(lines)


def grid(customers: int, days: int, seed: int) -> list[dict[str, Any]]:
    """The scenarios behind the diagnosis of issue 4, baseline first."""
    base = run(Scenario(), customers, days, seed)
    equal = 6000 * customers / 5000 * days / 120
    scenarios = [
        Scenario("no-touch intercept -5.5", base_logit=-5.5),
        Scenario("no-touch intercept -7.0", base_logit=-7.0),
        Scenario("lifts x3, intercept -6.5", base_logit=-6.5, lift_scale=3.0),
        Scenario("touch lifts 4 weeks, intercept -4.7", base_logit=-4.7, carry_weeks=4),
        Scenario("lifts x2.5, 4 weeks, -7", base_logit=-7.0, lift_scale=2.5, carry_weeks=4),
        Scenario("lookback 7 days", lookback_days=7),
        Scenario("app sessions lift as direct", app_lift=True),
        Scenario(
            "equal touch volume per channel",
            volume={r["channel"]: equal / max(r["touches"], 1) for r in base["rows"]},
        ),
        Scenario(
            "equal volume, lifts x3, -6.5",
            base_logit=-6.5,
            lift_scale=3.0,
            volume={r["channel"]: equal / max(r["touches"], 1) for r in base["rows"]},
        ),
        Scenario(
            "web and email reach cut to fit markov",
            volume={"direct": 0.1, "organic_search": 0.3, "referral": 0.3, "email": 0.4},
        ),
    ]
    return [base, *(run(s, customers, days, seed) for s in scenarios)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--grid", action="store_true", help="every scenario, one line each")
    parser.add_argument("--base-logit", type=float, default=params.BASE_LOGIT)
    parser.add_argument("--lift-scale", type=float, default=1.0)
    parser.add_argument("--carry-weeks", type=int, default=1)
    parser.add_argument("--app-lift", action="store_true")
    parser.add_argument("--lookback", type=int, default=30)
    parser.add_argument("--volume", nargs="*", default=[], metavar="CHANNEL=FACTOR")
    parser.add_argument(
        "--removals", action="store_true", help="also the removal variants (removal_effects)"
    )
    args = parser.parse_args()
    if args.grid:
        for result in grid(args.customers, args.days, args.seed):
            print(f"{result['scenario'].name:<38} {summary(result)}")
        return
    scenario = replace(
        Scenario("as given"),
        base_logit=args.base_logit,
        lift_scale=args.lift_scale,
        carry_weeks=args.carry_weeks,
        app_lift=args.app_lift,
        lookback_days=args.lookback,
        volume={k: float(v) for k, v in (item.split("=") for item in args.volume)},
    )
    result = run(scenario, args.customers, args.days, args.seed)
    print(render(result))
    if args.removals:
        print(render_removals(result))


if __name__ == "__main__":
    main()
