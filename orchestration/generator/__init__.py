"""Sample generator: a seeded simulation of customers that writes every source of docs/sources.md.

Landing files go to ``out_dir/<source>/``; ground truth (people, identifiers, orders, the
parameters the marts should recover) goes to a separate ``truth_dir``. Same seed, same bytes.
"""

from orchestration.generator.core import generate

__all__ = ["generate"]
