"""Every raw table says which of its columns carry identifiers (erasure and the landing hook
match rows through this list)."""

from __future__ import annotations

from orchestration.landing import FEEDS
from orchestration.privacy.columns import PII_COLUMNS


def test_every_feed_table_is_classified():
    tables = {feed.table for feed in FEEDS.values()}
    assert tables - set(PII_COLUMNS) == set()


def test_every_listed_column_is_a_documented_column_of_its_feed():
    columns = {feed.table: set(feed.columns) for feed in FEEDS.values()}
    for table, pii in PII_COLUMNS.items():
        assert set(pii) <= columns[table], (table, set(pii) - columns[table])
