"""markov and shapley in the dbt project equal an independent numpy implementation.

The models read their paths from var attribution_paths_relation, so each test writes paths into
a private DuckDB warehouse and runs only the attribution models on it with dbt.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.attribution.oracle import markov_removal_effects, random_paths, shapley_values
from tests.identity.dbt_project import Warehouse

MODELS = "int_markov_transitions_counted int_markov_removal_effects int_shapley_values_computed"


def build_models(paths, root: Path) -> tuple[dict[str, float], dict[str, float]]:
    warehouse = root / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute(
        "create table main.oracle_paths (path_id varchar, is_converting boolean, "
        "channel varchar, step bigint, step_count bigint)"
    )
    rows = [
        (f"p{k}", converted, channel, step, len(steps))
        for k, (steps, converted) in enumerate(paths)
        for step, channel in enumerate(steps, start=1)
    ]
    con.executemany("insert into main.oracle_paths values (?, ?, ?, ?, ?)", rows)
    con.close()
    Warehouse(warehouse).dbt(
        "run", "--select", *MODELS.split(),
        vars={"attribution_paths_relation": "main.oracle_paths"},
    )  # fmt: skip
    con = duckdb.connect(str(warehouse), read_only=True)
    markov = dict(
        con.execute(
            "select channel, removal_effect from intermediate.int_markov_removal_effects"
        ).fetchall()
    )
    shapley = dict(
        con.execute(
            "select channel, shapley_value from intermediate.int_shapley_values_computed"
        ).fetchall()
    )
    con.close()
    return markov, shapley


def test_hand_computed_three_paths(tmp_path: Path) -> None:
    """[A] converts, [B] does not, [A, B] converts - worked by hand.

    Chain: P(conv | B) = 1/2, P(conv | A) = 1/2 + 1/2 * 1/2 = 3/4, P(conv) = 2/3 * 3/4 +
    1/3 * 1/2 = 2/3. Without A: 1/3 * 1/2 = 1/6, removal effect 3/4; without B: 2/3 * 1/2 =
    1/3, removal effect 1/2. Game: v(A) = 1, v(B) = 0, v(AB) = 2/3, so phi(A) = 1/2 * 1 +
    1/2 * (2/3 - 0) = 5/6 and phi(B) = 1/2 * 0 + 1/2 * (2/3 - 1) = -1/6 (sum 2/3 = v(AB)).
    """
    paths = [(["line"], True), (["sms"], False), (["line", "sms"], True)]
    markov, shapley = build_models(paths, tmp_path)
    assert markov == pytest.approx({"line": 0.75, "sms": 0.5}, abs=1e-12)
    assert shapley == pytest.approx({"line": 5 / 6, "sms": -1 / 6}, abs=1e-12)


def test_markov_and_shapley_equal_numpy_oracle_on_generated_paths(tmp_path: Path) -> None:
    channels = ["line", "sms", "email", "paid_search", "paid_social", "organic_search",
                "referral", "direct", "messenger", "instagram"]  # fmt: skip
    paths = random_paths(4000, channels, seed=7)
    markov, shapley = build_models(paths, tmp_path)
    expected_markov = markov_removal_effects(paths)
    expected_shapley = shapley_values(paths)
    assert markov.keys() == expected_markov.keys()
    assert shapley.keys() == expected_shapley.keys()
    worst_markov = max(abs(markov[c] - expected_markov[c]) for c in channels)
    worst_shapley = max(abs(shapley[c] - expected_shapley[c]) for c in channels)
    print(f"max |markov - numpy| = {worst_markov:.3e}, max |shapley - numpy| = {worst_shapley:.3e}")
    assert worst_markov < 1e-9
    assert worst_shapley < 1e-9
