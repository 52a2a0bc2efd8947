"""Print the markov channel ranking of a built warehouse beside the generator's truth.

    python -m tests.attribution.markov_ranking --warehouse W.duckdb --truth TRUTH_DIR

The generator converts people per week with logit = base + propensity + sum of beta[channel] x
touches (capped). Two truths come out of that (truth/channel_lifts.json):

- ``betas``: the per-touch lift of one touch on the conversion logit;
- ``removal_effects``: the share of expected conversions lost when every touch of the channel is
  taken away, computed by the generator from its own logits. It grows with beta and with how many
  person-weeks the channel touches: the channel's total contribution, what a removal effect
  (markov) estimates.

Printed per channel: beta, the true removal effect, the markov removal effect and the shapley
value (marts.attribution_channel_weights), the channel's touches on all paths, and its presence:
the share of converting journeys (int_attribution_paths_transformed) that hold the channel. Then
the Spearman rank correlations between them. Channels the generator gives no lift (store visits)
are left out.

Why markov misses the order (issue 4): a removal effect cuts every path through the channel, so
it is about the share of converting journeys the channel is in, whether or not those conversions
needed it (presence ~ markov 1.000 on 5,000 x 120). Shapley over the conversion-rate game
compares paths with and without the channel and ranks close to the truth on the same data.
tests.attribution.markov_scenarios varies the generator to show which changes move markov.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import duckdb
from scipy.stats import spearmanr

COLUMNS = (
    "true_beta",
    "true_removal_effect",
    "markov_removal_effect",
    "shapley_value",
    "presence",
)


def comparison(con: duckdb.DuckDBPyConnection, truth: Path) -> list[dict[str, float | str]]:
    """One row per channel the generator gives a lift, in beta order."""
    lifts = json.loads((truth / "channel_lifts.json").read_text(encoding="utf-8"))
    rows = con.execute(
        """
        with paths as (
            select * from intermediate.int_attribution_paths_transformed
        ),

        converting as (
            select count(distinct path_id) as path_count from paths where is_converting
        ),

        by_channel as (
            select
                channel,
                count(*) as touch_count,
                count(distinct case when is_converting then path_id end) as converting_paths
            from paths
            group by channel
        )

        select
            weights.channel,
            weights.channel_value,
            shapley.channel_value,
            coalesce(by_channel.touch_count, 0),
            coalesce(by_channel.converting_paths, 0) / converting.path_count
        from marts.attribution_channel_weights as weights
        cross join converting
        left join marts.attribution_channel_weights as shapley
            on weights.channel = shapley.channel and shapley.model = 'shapley'
        left join by_channel
            on weights.channel = by_channel.channel
        where weights.model = 'markov'
        """
    ).fetchall()
    found = {row[0]: row[1:] for row in rows}
    table: list[dict[str, float | str]] = []
    for channel, beta in sorted(lifts["betas"].items(), key=lambda kv: -kv[1]):
        effect, shapley, touches, presence = found.get(channel, (0.0, 0.0, 0, 0.0))
        table.append(
            {
                "channel": channel,
                "true_beta": beta,
                "true_removal_effect": lifts["removal_effects"][channel],
                "markov_removal_effect": effect,
                "shapley_value": shapley if shapley is not None else 0.0,
                "touches": touches,
                "presence": presence,
            }
        )
    return table


def rank_correlation(table: list[dict[str, float | str]], a: str, b: str) -> float:
    return float(spearmanr([r[a] for r in table], [r[b] for r in table]).statistic)


def render(table: list[dict[str, float | str]]) -> str:
    """The comparison as text: one line per channel in true removal effect order."""
    lines = [
        f"{'channel':<16}{'beta':>6}{'true RE':>9}{'markov RE':>11}{'shapley':>9}{'touches':>9}"
        f"{'presence':>10}"
    ]
    for r in sorted(table, key=lambda r: -r["true_removal_effect"]):
        lines.append(
            f"{r['channel']:<16}{r['true_beta']:>6.2f}{r['true_removal_effect']:>9.4f}"
            f"{r['markov_removal_effect']:>11.4f}{r['shapley_value']:>9.4f}{r['touches']:>9}"
            f"{r['presence']:>10.3f}"
        )
    lines.append("spearman rank correlations:")
    for a, b in [
        ("true_beta", "markov_removal_effect"),
        ("true_removal_effect", "markov_removal_effect"),
        ("presence", "markov_removal_effect"),
        ("true_beta", "true_removal_effect"),
        ("true_removal_effect", "shapley_value"),
        ("true_beta", "shapley_value"),
    ]:
        lines.append(f"  {a} ~ {b}: {rank_correlation(table, a, b):.3f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--truth", type=Path, required=True)
    args = parser.parse_args()
    con = duckdb.connect(str(args.warehouse), read_only=True)
    try:
        print(render(comparison(con, args.truth)))
    finally:
        con.close()
    lifts = json.loads((args.truth / "channel_lifts.json").read_text(encoding="utf-8"))
    print(
        f"expected conversions {lifts['expected_conversions']:.1f}, of them without any touch: "
        f"{lifts['no_touch_conversion_share']:.1%}"
    )


if __name__ == "__main__":
    main()
