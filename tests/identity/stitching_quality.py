"""Pairwise precision and recall of identity stitching against the generator's ground truth.

Usage (after landing a sample and running dbt on it):

    OMNI_WAREHOUSE=... OMNI_PII_SALT=... OMNI_TRUTH_DIR=... \
        python -m tests.identity.stitching_quality

Every truth identifier (truth/identifiers.csv, value already normalised as staging normalises it)
is hashed with the staging recipe, sha256(f"{salt}|{value}"), and joined to the identifiers the
warehouse saw (intermediate.int_identifiers_unioned). Its predicted cluster is its customer_id
(intermediate.int_customers_stitched), or itself alone when it was excluded from the graph.
Over all pairs of those identifiers: precision = pairs put together that belong together / pairs
put together; recall = pairs put together that belong together / pairs that belong together.
Identifiers the truth marks shared (is_shared=true) and types the warehouse does not stitch on
(crm_contact_id) are left out.

Plain recall is capped by what the exports can link at all (an email that only ever appears in
SendGrid events cannot be joined to anything). `linkable_recall` measures the stitcher against
that ceiling: the true pairs an oracle could link, i.e. pairs connected in the co-occurrence
graph of the exports (every identifier, excluded ones too) using only edges between identifiers
of the same person.

Per identifier type it also counts the identifiers outside their person's main customer (the
customer holding most of that person's identifiers) and, of those, how many the exports cannot
link to the person's main linkable group at all (unlinkable by construction).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.generator.truth import PERSON_IDENTIFIER_TYPES

STITCHED_TYPES = set(PERSON_IDENTIFIER_TYPES)


def hash_pii(salt: str, value: str) -> str:
    """Python twin of the hash_pii macro."""
    return hashlib.sha256(f"{salt}|{value}".encode()).hexdigest()


@dataclass(frozen=True)
class Quality:
    precision: float
    recall: float
    identifiers_matched: int
    identifiers_in_truth: int
    predicted_pairs: int
    true_pairs: int
    correct_pairs: int
    customers: int
    people: int
    linkable_pairs: int
    correct_linkable_pairs: int
    #: identifier_type -> (identifiers, outside the main customer, unlinkable to the main group)
    by_type: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    @property
    def linkable_recall(self) -> float:
        if not self.linkable_pairs:
            return 1.0
        return self.correct_linkable_pairs / self.linkable_pairs

    def lines(self) -> list[str]:
        return [
            f"precision  {self.precision:.4f}  ({self.correct_pairs}/{self.predicted_pairs} pairs)",
            f"recall     {self.recall:.4f}  ({self.correct_pairs}/{self.true_pairs} pairs)",
            f"linkable recall {self.linkable_recall:.4f}  "
            f"({self.correct_linkable_pairs}/{self.linkable_pairs} pairs the exports can link)",
            f"identifiers matched to truth: {self.identifiers_matched}/{self.identifiers_in_truth}",
            f"customers: {self.customers}   people: {self.people}",
            "",
            f"{'identifier_type':<16} {'identifiers':>11} {'outside main':>12} {'unlinkable':>10}",
            *(
                f"{t:<16} {n:>11} {out:>12} {dead:>10}"
                for t, (n, out, dead) in sorted(self.by_type.items())
            ),
        ]


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _find(parent: dict[str, str], node: str) -> str:
    root = node
    while parent.setdefault(root, root) != root:
        root = parent[root]
    while parent[node] != root:
        parent[node], node = root, parent[node]
    return root


def measure(warehouse: Path, truth_dir: Path, salt: str) -> Quality:
    truth: list[tuple[str, str, str]] = []
    with open(truth_dir / "identifiers.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["identifier_type"] not in STITCHED_TYPES:
                continue
            if row.get("is_shared", "false").lower() == "true":
                continue
            key = f"{row['identifier_type']}:{hash_pii(salt, row['identifier_value'])}"
            truth.append((row["person_id"], row["identifier_type"], key))
    type_of = {key: identifier_type for _, identifier_type, key in truth}

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute(
            "create temp table truth (person_id varchar, identifier_type varchar, k varchar)"
        )
        con.executemany("insert into truth values (?, ?, ?)", truth)
        rows = con.execute(
            """
            with seen as (
                select distinct identifier_key from intermediate.int_identifiers_unioned
            ),
            matched as (
                select
                    truth.person_id,
                    truth.k,
                    coalesce(stitched.customer_id, 'alone:' || truth.k) as cluster_id
                from truth
                inner join seen on truth.k = seen.identifier_key
                left join intermediate.int_customers_stitched as stitched
                    on truth.k = stitched.identifier_key
            )
            select person_id, k, cluster_id from matched
            """
        ).fetchall()
        records = con.execute(
            """
            select source_name, record_key, list(distinct identifier_key)
            from intermediate.int_identifiers_unioned
            group by 1, 2
            having count(distinct identifier_key) > 1
            """
        ).fetchall()
    finally:
        con.close()

    person_of = {key: person for person, key, _ in rows}
    parent: dict[str, str] = {}
    for _, _, keys in records:
        known = [k for k in keys if k in person_of]
        for a in known:
            for b in known:
                if a < b and person_of[a] == person_of[b]:
                    parent[_find(parent, a)] = _find(parent, b)

    cells: dict[tuple[str, str], int] = {}
    linkable_cells: dict[tuple[str, str], int] = {}
    correct_linkable_cells: dict[tuple[str, str, str], int] = {}
    for person, key, cluster in rows:
        cells[(person, cluster)] = cells.get((person, cluster), 0) + 1
        oracle = _find(parent, key)
        linkable_cells[(person, oracle)] = linkable_cells.get((person, oracle), 0) + 1
        cell = (person, oracle, cluster)
        correct_linkable_cells[cell] = correct_linkable_cells.get(cell, 0) + 1

    main_cluster: dict[str, tuple[int, str]] = {}
    for (person, cluster), n in cells.items():
        main_cluster[person] = max(main_cluster.get(person, (0, "")), (n, cluster))
    main_linkable: dict[str, tuple[int, str]] = {}
    for (person, oracle), n in linkable_cells.items():
        main_linkable[person] = max(main_linkable.get(person, (0, "")), (n, oracle))
    by_type: dict[str, list[int]] = {}
    for person, key, cluster in rows:
        counts = by_type.setdefault(type_of[key], [0, 0, 0])
        counts[0] += 1
        counts[1] += cluster != main_cluster[person][1]
        counts[2] += _find(parent, key) != main_linkable[person][1]

    per_person: dict[str, int] = {}
    per_cluster: dict[str, int] = {}
    correct = 0
    for (person, cluster), n in cells.items():
        per_person[person] = per_person.get(person, 0) + n
        per_cluster[cluster] = per_cluster.get(cluster, 0) + n
        correct += _pairs(n)
    predicted = sum(_pairs(n) for n in per_cluster.values())
    true = sum(_pairs(n) for n in per_person.values())
    return Quality(
        precision=correct / predicted if predicted else 1.0,
        recall=correct / true if true else 1.0,
        identifiers_matched=sum(per_person.values()),
        identifiers_in_truth=len(truth),
        predicted_pairs=predicted,
        true_pairs=true,
        correct_pairs=correct,
        customers=len(per_cluster),
        people=len(per_person),
        linkable_pairs=sum(_pairs(n) for n in linkable_cells.values()),
        correct_linkable_pairs=sum(_pairs(n) for n in correct_linkable_cells.values()),
        by_type={t: (n, out, dead) for t, (n, out, dead) in by_type.items()},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", default=os.environ.get("OMNI_WAREHOUSE"))
    parser.add_argument("--truth", default=os.environ.get("OMNI_TRUTH_DIR", "data/truth"))
    parser.add_argument("--salt", default=os.environ.get("OMNI_PII_SALT"))
    args = parser.parse_args(argv)
    if not args.warehouse or not args.salt:
        parser.error("set OMNI_WAREHOUSE and OMNI_PII_SALT (or pass --warehouse and --salt)")
    quality = measure(Path(args.warehouse), Path(args.truth), args.salt)
    print("\n".join(quality.lines()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
