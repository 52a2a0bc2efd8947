"""Independent numpy implementations of the data-driven attribution models.

Written from the definitions, not from the SQL / Jinja: the markov removal effect of a
first-order absorbing chain solved with numpy.linalg, and the exact Shapley value of the
conversion-rate game over path channel sets by brute force over coalitions.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

Path = tuple[Sequence[str], bool]  # (channels in order, converted?)


def markov_removal_effects(paths: Sequence[Path]) -> dict[str, float]:
    """Removal effect per channel: 1 - P(conv | channel removed) / P(conv)."""
    channels = sorted({c for steps, _ in paths for c in steps})
    states = ["start", *channels]
    index = {s: i for i, s in enumerate(states)}
    n = len(states)
    counts = np.zeros((n, n))
    to_conversion = np.zeros(n)
    to_null = np.zeros(n)
    for steps, converted in paths:
        chain = ["start", *steps]
        for a, b in itertools.pairwise(chain):
            counts[index[a], index[b]] += 1
        if converted:
            to_conversion[index[chain[-1]]] += 1
        else:
            to_null[index[chain[-1]]] += 1
    totals = counts.sum(axis=1) + to_conversion + to_null
    q = counts / totals[:, None]
    r = to_conversion / totals

    def p_conversion(removed: str | None) -> float:
        keep = [i for i, s in enumerate(states) if s != removed]
        sub_q = q[np.ix_(keep, keep)]
        x = np.linalg.solve(np.eye(len(keep)) - sub_q, r[keep])
        return float(x[keep.index(index["start"])])

    full = p_conversion(None)
    return {c: 1.0 - p_conversion(c) / full for c in channels}


def shapley_values(paths: Sequence[Path]) -> dict[str, float]:
    """Shapley values of v(S) = conversions / paths among paths whose channel set is within S."""
    channels = sorted({c for steps, _ in paths for c in steps})
    n = len(channels)
    sets = [(frozenset(steps), converted) for steps, converted in paths]

    def value(coalition: frozenset[str]) -> float:
        inside = [converted for path_set, converted in sets if path_set <= coalition]
        return sum(inside) / len(inside) if inside else 0.0

    values = {
        frozenset(combo): value(frozenset(combo))
        for size in range(n + 1)
        for combo in itertools.combinations(channels, size)
    }
    phi = {}
    for c in channels:
        others = [x for x in channels if x != c]
        total = 0.0
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for combo in itertools.combinations(others, size):
                s = frozenset(combo)
                total += weight * (values[s | {c}] - values[s])
        phi[c] = total
    return phi


def random_paths(n_paths: int, channels: Sequence[str], seed: int) -> list[Path]:
    """Paths of 1-6 touches with channel-dependent conversion odds (and repeats)."""
    rng = np.random.default_rng(seed)
    lift = dict(zip(channels, rng.uniform(-0.5, 1.2, len(channels)), strict=True))
    popularity = rng.dirichlet(np.ones(len(channels)))
    paths: list[Path] = []
    for _ in range(n_paths):
        length = int(rng.integers(1, 7))
        steps = list(rng.choice(channels, size=length, p=popularity))
        logit = -2.5 + sum(lift[c] for c in set(steps))
        converted = bool(rng.random() < 1 / (1 + math.exp(-logit)))
        paths.append((steps, converted))
    return paths
