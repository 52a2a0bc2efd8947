"""Print the markov channel ranking of a built warehouse beside the generator's true lifts.

    python -m tests.attribution.markov_ranking --warehouse W.duckdb --truth TRUTH_DIR \
        [--customers 5000 --days 120 --seed 42]

The generator converts people per week with logit = base + sum of beta[channel] x touches
(capped): beta is the true per-touch lift (truth/channel_lifts.json). The markov removal effect
measures a channel's total contribution, which also grows with how often the channel is used,
so the per-touch removal effect (removal effect / the channel's touches on all paths) is
printed too. Spearman rank correlations against beta for both.

With --customers (and --days / --seed if not the defaults) the generator is run again in memory
(tests.attribution.true_removal_effects) for the true removal effect of every channel, the share
of conversions lost without its touches: what a removal effect estimates, and the fair order to
compare the markov order with.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import duckdb
from scipy.stats import spearmanr


def ranking(warehouse: Path, truth: Path) -> list[dict[str, object]]:
    lifts = json.loads((truth / "channel_lifts.json").read_text())["betas"]
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute(
        """
        select weights.channel, weights.channel_value, touches.touch_count
        from marts.attribution_channel_weights as weights
        left join (
            select channel, count(*) as touch_count
            from intermediate.int_attribution_paths_transformed
            group by channel
        ) as touches
            on weights.channel = touches.channel
        where weights.model = 'markov'
        """
    ).fetchall()
    con.close()
    found = {c: (effect, n) for c, effect, n in rows}
    table = []
    for channel, beta in sorted(lifts.items(), key=lambda kv: -kv[1]):
        effect, n = found.get(channel, (0.0, 0))
        table.append(
            {
                "channel": channel,
                "true_beta": beta,
                "removal_effect": effect,
                "touches": n,
                "effect_per_1k_touches": 1000 * effect / n if n else 0.0,
            }
        )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--truth", type=Path, required=True)
    parser.add_argument("--customers", type=int, help="re-simulate for true removal effects")
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    table = ranking(args.warehouse, args.truth)
    by_effect = sorted(table, key=lambda r: -r["removal_effect"])
    by_per_touch = sorted(table, key=lambda r: -r["effect_per_1k_touches"])
    print(f"{'true order':<16}{'beta':>6}   {'markov order':<16}{'effect':>8}"
          f"   {'per-touch order':<16}{'per 1k':>8}")  # fmt: skip
    for truth_row, effect_row, touch_row in zip(table, by_effect, by_per_touch, strict=True):
        print(
            f"{truth_row['channel']:<16}{truth_row['true_beta']:>6.2f}   "
            f"{effect_row['channel']:<16}{effect_row['removal_effect']:>8.4f}   "
            f"{touch_row['channel']:<16}{touch_row['effect_per_1k_touches']:>8.4f}"
        )
    betas = [r["true_beta"] for r in table]
    rho_effect = spearmanr(betas, [r["removal_effect"] for r in table]).statistic
    rho_touch = spearmanr(betas, [r["effect_per_1k_touches"] for r in table]).statistic
    print(f"spearman(beta, removal effect) = {rho_effect:.3f}")
    print(f"spearman(beta, removal effect per touch) = {rho_touch:.3f}")
    if args.customers:
        from tests.attribution.true_removal_effects import true_removal_effects

        true = {
            r["channel"]: r["true_removal_effect"]
            for r in true_removal_effects(args.customers, args.days, seed=args.seed)
        }
        print(f"{'true RE order':<16}{'true RE':>8}   {'markov order':<16}{'effect':>8}")
        for (channel, effect), row in zip(
            sorted(true.items(), key=lambda kv: -kv[1]), by_effect, strict=True
        ):
            markov = f"{row['channel']:<16}{row['removal_effect']:>8.4f}"
            print(f"{channel:<16}{effect:>8.4f}   {markov}")
        rho_true = spearmanr(
            [true[r["channel"]] for r in table], [r["removal_effect"] for r in table]
        ).statistic
        rho_beta_true = spearmanr(betas, [true[r["channel"]] for r in table]).statistic
        print(f"spearman(true removal effect, removal effect) = {rho_true:.3f}")
        print(f"spearman(beta, true removal effect) = {rho_beta_true:.3f} (the best any removal "
              "effect can reach against beta)")  # fmt: skip


if __name__ == "__main__":
    main()
