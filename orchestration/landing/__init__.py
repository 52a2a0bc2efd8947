"""Landing: channel exports -> `raw.<table>` in the DuckDB warehouse, each file read once.

Public API (stable; the Dagster landing assets call it)::

    from orchestration.landing import land_source, land_all, SOURCES, FEEDS

    land_source(source: str, settings: Settings | None = None, progress: bool = True)
        -> SourceResult
    land_all(settings: Settings | None = None, progress: bool = True) -> dict[str, SourceResult]

    SOURCES: list[str]         source names in landing order (`crm_contacts`, ...)
    FEEDS: dict[str, Feed]     `<source>/<feed>` -> Feed (glob, format, raw table, rules)
    RAW_TABLES: list[str]      raw table names (schema `raw`)

`SourceResult`: source, files_loaded / files_skipped / files_quarantined (lists of FileResult),
files_unrecognised (paths relative to the landing dir, left in place), rows_loaded, tables
(`raw.<table>` names), `validations` (per file: expectation, rule, column, success,
unexpected_count, rows, flag, values), `flagged` (column -> count of kept-but-unknown values, e.g.
LINE event types), `ok` (no file quarantined), `to_dict()`.

`FileResult`: path (relative to the landing dir), feed, table, rows, file_hash, status
(`loaded|skipped|quarantined`), reasons ([{rule, column, rows (1-based row numbers, first 20),
count, message}]), encoding, new_columns, missing_columns (documented optional columns the
file's header lacks: loaded as null, reported), flagged, validation, quarantined_to.

Behaviour:

- Files are found under `<landing_dir>/<source>/` (recursively) by the feed globs of
  docs/sources.md (a `.gz` suffix is allowed: gzip files are read through gzip); a file matching
  no glob is reported as unrecognised and left where it is.
- Ledger `raw._landing_ledger` (file_hash PK, source, feed, file_name, size, rows, status,
  reason, landed_at): a file whose bytes were seen before (any name, loaded or quarantined) is
  skipped.
- Each file: decoded (UTF-8, UTF-8 BOM, Big5/cp950, detected from the bytes), then inside ONE
  transaction: parsed by DuckDB straight into `raw.<table>`, validated (the Great Expectations
  suite of its feed, `orchestration.quality.screen`: DuckDB counts each expectation's failures
  over the inserted rows, GE runs the suite on the failing rows), and committed together with its
  ledger row, or rolled back. Consecutive files of one feed share the transaction (up to 256 MiB
  or 64 files: a commit per file cost more than the parse), each with its own suite and ledger
  row: a file whose insert or validation fails makes the batch roll back and run again without
  it, and is then quarantined. Rows with an erased person's identifier are filtered out in the
  insert (`suppressed`). All data columns VARCHAR plus `_source_file`, `_row_number`
  (1-based), `_loaded_at` (UTC, TIMESTAMP), `_file_hash`; JSON feeds also keep the original
  record in `_record`. New columns are added to the raw table
  as VARCHAR.
- A file failing parsing or validation is moved to `<quarantine_dir>/<source>/<name>` with
  `<name>.reason.json` beside it: {file, source, feed, table, file_hash, size, encoding,
  quarantined_at, quarantined_to, message, reasons: [{rule, column, rows, count, message}]}.
  Nothing of it is loaded; the rest of the batch loads. Nothing is ever deleted.
- Empty and header-only files load zero rows and are recorded in the ledger.
- Unknown values of open enumerations (LINE event `type`, SendGrid `event`, GA4 `event_name`, ...)
  are kept and counted in `flagged`, never a failure.
- The warehouse file is opened per call and closed at the end (one writer at a time), with a
  DuckDB memory limit (env `OMNI_LANDING_MEMORY_LIMIT`; default 256MB, or three times the
  file's size for a larger file) so the peak follows the largest file, not how much a run
  lands; nothing of a file is kept once it is done. Out-of-memory, I/O and interrupt errors
  are raised, never taken for a bad file.

Rules (`reasons[].rule`): encoding, gzip, csv_too_many_fields, csv_too_few_fields,
csv_unterminated_quote, csv_unreadable, json_invalid, json_unreadable, json_not_webhook_body,
required_columns, required_not_null, timestamp_parses, timestamp_in_range, numeric_parses, enum.
"""

from orchestration.landing.loader import (  # noqa: E402, I001 - registry first (quality imports it)
    LEDGER,
    FileResult,
    SourceResult,
    land_all,
    land_file,
    land_source,
)
from orchestration.landing.registry import (
    FEEDS,
    FEEDS_LIST,
    RAW_TABLES,
    SOURCES,
    Enum,
    Feed,
    feeds_for,
    snake_case,
)

__all__ = [
    "FEEDS",
    "FEEDS_LIST",
    "LEDGER",
    "RAW_TABLES",
    "SOURCES",
    "Enum",
    "Feed",
    "FileResult",
    "SourceResult",
    "feeds_for",
    "land_all",
    "land_file",
    "land_source",
    "snake_case",
]
