"""The transactional loader: ledger, validation gate, quarantine, raw tables, report."""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from orchestration.landing.parse import (
    ParseError,
    Problem,
    Sniffed,
    _lit,
    _q,
    hash_and_detect,
    prepare,
)
from orchestration.landing.registry import FEEDS_LIST, SOURCES, Feed, feeds_for
from orchestration.lib.config import Settings
from orchestration.lib.config import settings as load_settings

LEDGER = "raw._landing_ledger"
META_COLUMNS = ("_source_file", "_row_number", "_loaded_at", "_file_hash")
#: test hook: seconds to sleep inside the open load transaction (proves atomicity under kill)
SLEEP_IN_TXN_ENV = "OMNI_LANDING_TEST_SLEEP_IN_TXN"
#: env: DuckDB memory limit of the landing connection (its buffer pool spills or evicts beyond
#: it, so the peak stays flat however many files a run lands)
MEMORY_LIMIT_ENV = "OMNI_LANDING_MEMORY_LIMIT"
#: the floor of the landing connection's memory limit. DuckDB fills its buffer pool up to the
#: limit (blocks it wrote stay cached): at 512MB the 100k-customer GA4 days took the process
#: from 430 to 900 MiB; with 256MB it stayed at 620 MiB, as at 10k customers, and ran as fast
MEMORY_LIMIT_MIB = 256
#: a file's text is read whole by DuckDB (one GA4 day at 1M customers is ~290 MB of NDJSON, which
#: asked for a 628 MiB block): the limit grows to this many times the file's (unpacked) size
MEMORY_PER_FILE_BYTE = 3
GZIP_RATIO = 8  # a rough unpacked/packed ratio for gzip exports


def _memory_limit(path: Path) -> str:
    """DuckDB memory limit for landing one file: OMNI_LANDING_MEMORY_LIMIT if set, else 256MB or
    three times the file's size when that is larger, so the peak follows the largest file, not
    the amount landed."""
    configured = os.environ.get(MEMORY_LIMIT_ENV)
    if configured:
        return configured
    size = path.stat().st_size * (GZIP_RATIO if path.suffix == ".gz" else 1)
    need_mib = MEMORY_PER_FILE_BYTE * size // 2**20 + 1
    return f"{max(MEMORY_LIMIT_MIB, need_mib)}MB"


#: errors of the machine, not of the file: raised, never a reason to quarantine
_NOT_THE_FILE = (duckdb.OutOfMemoryException, duckdb.IOException, duckdb.InterruptException)


@dataclass
class FileResult:
    """One delivered file. `reasons`: [{rule, column, rows (first 20), count, message}]."""

    path: str
    feed: str
    table: str
    rows: int = 0
    file_hash: str = ""
    status: str = "loaded"  # loaded | skipped | quarantined
    reasons: list[dict[str, Any]] = field(default_factory=list)
    encoding: str | None = None
    new_columns: list[str] = field(default_factory=list)
    #: documented, not required columns absent from the file's header (dropped or renamed by the
    #: vendor): the file loads with them null, and they are reported here as a warning
    missing_columns: list[str] = field(default_factory=list)
    flagged: dict[str, int] = field(default_factory=dict)
    #: rows dropped because they carry an erased person's identifier (privacy suppression list)
    suppressed: int = 0
    validation: list[dict[str, Any]] = field(default_factory=list)
    quarantined_to: str | None = None
    seconds: float = 0.0
    #: seconds per phase: hash, parse, validate, load
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class SourceResult:
    """Everything one `land_source` call did."""

    source: str
    files_loaded: list[FileResult] = field(default_factory=list)
    files_skipped: list[FileResult] = field(default_factory=list)
    files_quarantined: list[FileResult] = field(default_factory=list)
    files_unrecognised: list[str] = field(default_factory=list)
    rows_loaded: int = 0
    tables: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def validations(self) -> dict[str, list[dict[str, Any]]]:
        """Validation summaries per file path (loaded and quarantined files)."""
        return {f.path: f.validation for f in self.files_loaded + self.files_quarantined}

    @property
    def flagged(self) -> dict[str, int]:
        """Flagged counts (e.g. unknown event types) summed over loaded files, by column."""
        out: dict[str, int] = {}
        for f in self.files_loaded:
            for k, v in f.flagged.items():
                out[k] = out.get(k, 0) + v
        return out

    @property
    def ok(self) -> bool:
        return not self.files_quarantined

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["flagged"] = self.flagged
        return d


def _ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {LEDGER} (
            file_hash VARCHAR PRIMARY KEY,
            source VARCHAR NOT NULL,
            feed VARCHAR NOT NULL,
            file_name VARCHAR NOT NULL,
            size BIGINT,
            rows BIGINT,
            status VARCHAR NOT NULL,
            reason VARCHAR,
            landed_at TIMESTAMP NOT NULL
        )"""
    )


def _raw_columns(con: duckdb.DuckDBPyConnection, table: str | None = None) -> dict[str, set[str]]:
    """Table -> its columns, for the raw schema (or one table of it), from one catalog query."""
    sql = "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'raw'"
    rows = con.execute(sql + " AND table_name = ?", [table]) if table else con.execute(sql)
    have: dict[str, set[str]] = {}
    for name, column in rows.fetchall():
        have.setdefault(name, set()).add(column)
    return have


def _ensure_columns(
    con: duckdb.DuckDBPyConnection, feed: Feed, have: dict[str, set[str]], columns: list[str]
) -> list[str]:
    """Create `raw.<table>` if `have` lacks it, then add the `columns` it lacks as VARCHAR
    (updating `have`). Returns the columns added."""
    if feed.table not in have:
        _create_table(con, feed)
        have[feed.table] = set(_data_columns(feed)) | set(_META_COLUMNS)
    added = [c for c in columns if c not in have[feed.table]]
    for col in added:
        con.execute(f"ALTER TABLE raw.{_q(feed.table)} ADD COLUMN {_q(col)} VARCHAR")
    have[feed.table].update(added)
    return added


def _ensure_table(con: duckdb.DuckDBPyConnection, feed: Feed, columns: list[str]) -> list[str]:
    """Create `raw.<table>` (documented columns, `_record` if `feed.is_json`, metadata) or add
    the new columns as VARCHAR. Returns the undocumented columns added to the table."""
    added = _ensure_columns(con, feed, _raw_columns(con, feed.table), columns)
    return [c for c in added if c not in feed.columns]


_META_COLUMNS = ("_source_file", "_row_number", "_loaded_at", "_file_hash")


def _data_columns(feed: Feed) -> list[str]:
    return list(dict.fromkeys([*feed.columns, *(["_record"] if feed.is_json else [])]))


def _create_table(con: duckdb.DuckDBPyConnection, feed: Feed) -> None:
    cols = [f"{_q(c)} VARCHAR" for c in _data_columns(feed)]
    cols += ["_source_file VARCHAR", "_row_number BIGINT", "_loaded_at TIMESTAMP"]
    cols += ["_file_hash VARCHAR"]
    con.execute(f"CREATE TABLE raw.{_q(feed.table)} ({', '.join(cols)})")


def _ensure_tables(con: duckdb.DuckDBPyConnection, feeds: list[Feed]) -> None:
    """`_ensure_ledger` and `_ensure_table` (documented columns) for the tables of `feeds`, from
    one catalog query: DDL only for what is missing, none once a source has landed."""
    have = _raw_columns(con)
    if LEDGER.removeprefix("raw.") not in have:
        _ensure_ledger(con)
    for feed in feeds:
        _ensure_columns(con, feed, have, _data_columns(feed))


def _quarantine(
    settings: Settings, feed: Feed, path: Path, rel: str, sniffed: Sniffed, problems: list[Problem]
) -> Path:
    """Move the file to `<quarantine>/<source>/<name>` (never overwriting) with its reason file."""
    qdir = settings.quarantine_dir / feed.source
    qdir.mkdir(parents=True, exist_ok=True)
    target = qdir / path.name
    if target.exists():
        target = qdir / f"{path.stem}.{sniffed.file_hash[:12]}{path.suffix}"
    n = 1
    while target.exists():
        n += 1
        target = qdir / f"{path.stem}.{sniffed.file_hash[:12]}.{n}{path.suffix}"
    reason = {
        "file": rel,
        "source": feed.source,
        "feed": feed.name,
        "table": f"raw.{feed.table}",
        "file_hash": sniffed.file_hash,
        "size": sniffed.size,
        "encoding": sniffed.encoding,
        "quarantined_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quarantined_to": str(target),
        "message": f"{feed.source}: {rel} was not loaded: "
        + "; ".join(p.message or p.rule for p in problems),
        "reasons": [p.to_dict() for p in problems],
    }
    tmp = target.with_name(target.name + ".reason.json.tmp")
    tmp.write_text(json.dumps(reason, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    shutil.move(str(path), str(target))
    tmp.rename(target.with_name(target.name + ".reason.json"))
    return target


def _classify(source_dir: Path, feeds: list[Feed]) -> tuple[list[tuple[Path, Feed]], list[Path]]:
    matched: list[tuple[Path, Feed]] = []
    unrecognised: list[Path] = []
    if not source_dir.is_dir():
        return matched, unrecognised
    for path in sorted(p for p in source_dir.rglob("*") if p.is_file()):
        if any(part.startswith(".") for part in path.relative_to(source_dir).parts):
            continue
        # a gzip-compressed export may carry `.gz` after the name its glob expects
        name = path.name.removesuffix(".gz")
        feed = next((f for f in feeds if fnmatch.fnmatch(name, f.glob)), None)
        if feed is None:
            unrecognised.append(path)
        else:
            matched.append((path, feed))
    return matched, unrecognised


#: a batch: consecutive files of one feed loaded in one transaction, up to this many bytes
#: (unpacked) or files. Each file still gets its own parse, suite and ledger row; a bad file is
#: taken out of the batch (the batch is rolled back and redone without it) and quarantined.
BATCH_BYTES = 256 * 2**20
BATCH_FILES = 64


def _unpacked_size(path: Path) -> int:
    return path.stat().st_size * (GZIP_RATIO if path.suffix == ".gz" else 1)


def _batches(matched: list[tuple[Path, Feed]]) -> Iterator[tuple[Feed, list[Path]]]:
    """Consecutive files of one feed, grouped up to BATCH_BYTES / BATCH_FILES."""
    feed: Feed | None = None
    paths: list[Path] = []
    size = 0
    for path, f in matched:
        n = _unpacked_size(path)
        if feed is not None and (
            f is not feed or size + n > BATCH_BYTES or len(paths) >= BATCH_FILES
        ):
            yield feed, paths
            paths, size = [], 0
        feed = f
        paths.append(path)
        size += n
    if feed is not None:
        yield feed, paths


class _Broken(Exception):
    """The file's insert failed: DuckDB aborted the transaction. `problems`: the diagnosis."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.message or p.rule for p in problems))


class _Later(Exception):
    """The file needs new columns: it starts the next transaction (ALTER before inserts)."""


def _reset(res: FileResult) -> None:
    """Forget a previous attempt at the file (its batch was rolled back and is redone)."""
    res.status, res.reasons, res.rows, res.suppressed = "loaded", [], 0, 0
    res.new_columns, res.missing_columns, res.validation, res.flagged = [], [], [], {}
    res.timings = {"hash": res.timings.get("hash", 0.0)}
    res.seconds = res.timings["hash"]


def _already_landed(res: FileResult, message: str) -> None:
    """Mark the file skipped: the ledger already holds its bytes (rule already_landed)."""
    res.status, res.reasons = "skipped", [Problem("already_landed", message=message).to_dict()]


def _unchanged_since_landed(
    con: duckdb.DuckDBPyConnection, settings: Settings, paths: list[Path]
) -> dict[Path, str]:
    """Files of `paths` the ledger holds as loaded under the same name and size, and whose
    modification time is before that landing: their bytes are what was landed, so they are
    skipped without being read (path -> the ledger's file hash). The landing folder keeps every
    earlier delivery, and hashing them all again made a daily landing read the whole folder
    (17.5 GB and 25 s at 1M customers for a day's few files). Any other file is hashed, and
    the ledger's SHA-256 decides as before: a file written again (even with the same bytes) has
    a later modification time. Only a file replaced by different bytes of the same size with
    an older modification time restored (`cp -p`, `rsync -t`) would be missed."""
    names = {path.relative_to(settings.landing_dir).as_posix(): path for path in paths}
    rows = con.execute(
        f"SELECT file_name, file_hash, size, landed_at FROM {LEDGER} "
        "WHERE status = 'loaded' AND list_contains(?, file_name)",
        [list(names)],
    ).fetchall()
    unchanged: dict[Path, str] = {}
    for name, file_hash, size, landed_at in rows:
        stat = names[name].stat()
        modified = datetime.fromtimestamp(stat.st_mtime, UTC).replace(tzinfo=None)
        if stat.st_size == size and modified < landed_at:
            unchanged[names[name]] = file_hash
    return unchanged


def land_file(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    feed: Feed,
    path: Path,
    table_ready: bool = False,
) -> FileResult:
    """Land one file: ledger check, decode, then parse + insert + validate in one transaction
    (committed with its ledger row), or quarantine."""
    return land_batch(con, settings, feed, [path], table_ready)[0]


def land_batch(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    feed: Feed,
    paths: list[Path],
    table_ready: bool = False,
) -> list[FileResult]:
    """Land files of one feed, sharing one transaction: per file a ledger check, decode, parse +
    insert + validate; the good files commit together, each with its own ledger row. A file
    whose insert or validation fails makes the batch roll back and run again without it (no
    delete inside the transaction, see `_load`). Bad files are then quarantined one by one
    (ledger row, reason file). Results in `paths` order."""
    results: dict[Path, FileResult] = {}
    sniffs: dict[Path, Sniffed] = {}
    unchanged = _unchanged_since_landed(con, settings, paths)
    for path in paths:
        started = time.perf_counter()
        rel = path.relative_to(settings.landing_dir).as_posix()
        res = FileResult(path=rel, feed=feed.name, table=f"raw.{feed.table}")
        results[path] = res
        if path in unchanged:
            res.file_hash = unchanged[path]
            _already_landed(res, f"loaded as {rel} and not modified since (same size): not read")
            res.timings["hash"] = res.seconds = time.perf_counter() - started
            continue
        sniffs[path] = sniffed = hash_and_detect(path)
        res.timings["hash"] = res.seconds = time.perf_counter() - started
        res.file_hash, res.encoding = sniffed.file_hash, sniffed.encoding
    bad: dict[Path, list[Problem]] = {}
    pending = [path for path in paths if path in sniffs]
    while pending:
        try:
            pending = _transaction(con, feed, pending, sniffs, results, bad, table_ready)
        except _Broken:  # rolled back; the broken file is in `bad`, the others go again
            pending = [p for p in pending if p not in bad]
    for path in paths:
        if path in bad:
            lap = time.perf_counter()
            _quarantine_file(con, settings, feed, path, sniffs[path], bad[path], results[path])
            results[path].timings["quarantine"] = time.perf_counter() - lap
            results[path].seconds += results[path].timings["quarantine"]
    return [results[p] for p in paths]


def _transaction(
    con: duckdb.DuckDBPyConnection,
    feed: Feed,
    pending: list[Path],
    sniffs: dict[Path, Sniffed],
    results: dict[Path, FileResult],
    bad: dict[Path, list[Problem]],
    table_ready: bool,
) -> list[Path]:
    """One transaction over files of `pending`, from the first; returns the files left for the
    next one (a file that needs new columns starts it). Raises _Broken, rolled back, when a
    file's insert or validation failed: that file is then in `bad`, the others are redone."""
    now = datetime.now(UTC).replace(tzinfo=None)
    hashes: dict[str, tuple[str, str]] = {}  # file hash -> (status, file) in this transaction
    handled: list[Path] = []
    loaded: list[Path] = []
    con.execute("BEGIN TRANSACTION")
    try:
        for path in pending:
            res, sniffed = results[path], sniffs[path]
            _reset(res)
            bad.pop(path, None)
            seen = con.execute(
                f"SELECT status, file_name FROM {LEDGER} WHERE file_hash = ?",
                [sniffed.file_hash],
            ).fetchall()
            if not seen and sniffed.file_hash in hashes:
                seen = [hashes[sniffed.file_hash]]
            if not seen:  # the same bytes under another name, failed in this batch
                seen = [
                    ("quarantined", results[q].path)
                    for q in bad
                    if q != path and sniffs[q].file_hash == sniffed.file_hash
                ][:1]
            if seen:
                _already_landed(res, f"same bytes already {seen[0][0]} as {seen[0][1]}")
                handled.append(path)
                continue
            lap = time.perf_counter()
            problems: list[Problem] = []
            altered = False
            if sniffed.problem:
                problems = [sniffed.problem]
            else:
                try:
                    with prepare(con, feed, path, sniffed) as source:
                        altered = not table_ready or not set(source.columns) <= set(feed.columns)
                        if altered and handled:
                            raise _Later
                        problems = _load(con, feed, res, sniffed, source, now, lap, altered)
                except _Later:
                    break
                except ParseError as exc:
                    problems = exc.problems
                except _Broken as exc:  # rolled back by _load
                    bad[path] = exc.problems
                    raise
            res.seconds += time.perf_counter() - lap
            handled.append(path)
            hashes[sniffed.file_hash] = ("quarantined" if problems else "loaded", res.path)
            if problems:
                bad[path] = problems
                continue
            loaded.append(path)
            if altered:
                break  # the table was altered: commit before the next file
        lap = time.perf_counter()
        for path in loaded:
            res, sniffed = results[path], sniffs[path]
            con.execute(
                f"INSERT INTO {LEDGER} VALUES (?, ?, ?, ?, ?, ?, 'loaded', NULL, ?)",
                [sniffed.file_hash, feed.source, feed.name, res.path, sniffed.size, res.rows, now],
            )
        if os.environ.get(SLEEP_IN_TXN_ENV):
            names = " ".join(results[p].path for p in loaded)
            print(f"SLEEPING_IN_TRANSACTION {names}", flush=True)
            time.sleep(float(os.environ[SLEEP_IN_TXN_ENV]))
        con.execute("COMMIT")
    except _Broken:
        raise
    except BaseException:
        con.execute("ROLLBACK")
        raise
    # the ledger rows and the commit serve the whole batch: shared out by rows
    commit = time.perf_counter() - lap
    total = sum(results[p].rows for p in loaded)
    for path in loaded:
        res = results[path]
        share = commit * res.rows / total if total else commit / len(loaded)
        res.timings["load"] = share
        res.seconds += share
    return pending[len(handled) :]


def _quarantine_file(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    feed: Feed,
    path: Path,
    sniffed: Sniffed,
    problems: list[Problem],
    result: FileResult,
) -> None:
    """Move a bad file to quarantine with its reason file; its ledger row in one transaction."""
    result.status = "quarantined"
    result.reasons = [p.to_dict() for p in problems]
    result.rows = 0
    result.new_columns = []
    result.missing_columns = []
    now = datetime.now(UTC).replace(tzinfo=None)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            f"INSERT INTO {LEDGER} VALUES (?, ?, ?, ?, ?, 0, 'quarantined', ?, ?)",
            [
                sniffed.file_hash,
                feed.source,
                feed.name,
                result.path,
                sniffed.size,
                json.dumps(result.reasons, ensure_ascii=False),
                now,
            ],
        )
        target = _quarantine(settings, feed, path, result.path, sniffed, problems)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    result.quarantined_to = str(target)


def _load(
    con: duckdb.DuckDBPyConnection,
    feed: Feed,
    result: FileResult,
    sniffed: Sniffed,
    source: Any,
    now: datetime,
    lap: float,
    alter: bool,
) -> list[Problem]:
    """Inside the batch's transaction: insert the parsed rows straight into `raw.<table>` but
    those with suppressed identifiers, then validate the inserted rows. A failed insert or a
    failed validation rolls the transaction back and raises _Broken with the problems (the
    batch then runs again without the file)."""
    from orchestration import quality
    from orchestration.privacy.suppression import suppressed_rows_sql

    columns = source.columns
    result.missing_columns = [c for c in feed.columns if c not in columns]
    if alter:  # a table not made by land_source, or a file with new columns
        result.new_columns = _ensure_table(con, feed, columns)
    data_cols = columns + (["_record"] if feed.is_json else [])
    select = ", ".join(_q(c) for c in data_cols)
    suppressed = suppressed_rows_sql(con, feed.table)  # erased people: never inserted
    try:
        rows = con.execute(
            f"INSERT INTO raw.{_q(feed.table)} BY NAME SELECT {select}, "
            "? AS _source_file, _row AS _row_number, ?::TIMESTAMP AS _loaded_at, "
            f"? AS _file_hash FROM ({source.sql})"
            + (f" WHERE {suppressed} IS NOT TRUE" if suppressed else ""),
            [result.path, now, sniffed.file_hash],
        ).fetchall()[0][0]
        if suppressed:
            result.suppressed = con.execute(source.count_sql).fetchall()[0][0] - rows
    except duckdb.Error as exc:
        if isinstance(exc, _NOT_THE_FILE):
            raise
        con.execute("ROLLBACK")
        raise _Broken(source.diagnose(exc)) from None
    # this file's rows: `_loaded_at` grows from load to load, so zone maps skip the rest
    where = (
        f"_loaded_at = {_lit(now.isoformat(sep=' '))}::TIMESTAMP "
        f"AND _file_hash = {_lit(sniffed.file_hash)}"
    )
    result.rows = rows
    result.timings["parse"] = time.perf_counter() - lap
    lap = time.perf_counter()
    outcome = quality.screen(
        con,
        feed,
        set(columns),
        f"raw.{_q(feed.table)}",
        "_row_number",
        where,
        now=now.replace(tzinfo=UTC),
        expected_rows=rows,
    )
    result.timings["validate"] = time.perf_counter() - lap
    result.validation = [c.to_dict() for c in outcome.checks]
    result.flagged = outcome.flagged
    if outcome.failures:
        # not this file: the batch runs again without it. (Deleting its rows instead would
        # turn the whole batch's commit into a row-by-row append through the WAL: DuckDB
        # writes a transaction's rows straight into the database file only without deletes.)
        con.execute("ROLLBACK")
        raise _Broken(outcome.failures)
    return []


def land_source(
    source: str, settings: Settings | None = None, progress: bool = True
) -> SourceResult:
    """Land every new file of one source. See the package docstring for the contract."""
    from orchestration.landing.report import FileProgress

    cfg = settings or load_settings()
    feeds = feeds_for(source)
    started = time.perf_counter()
    out = SourceResult(source=source, tables=[f"raw.{f.table}" for f in feeds])
    matched, unrecognised = _classify(cfg.landing_dir / source, feeds)
    out.files_unrecognised = [p.relative_to(cfg.landing_dir).as_posix() for p in unrecognised]
    cfg.warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(cfg.warehouse))
    try:
        con.execute("SET preserve_insertion_order = true")
        _ensure_tables(con, feeds)
        with FileProgress(source, len(matched), enabled=progress) as bar:
            for feed, paths in _batches(matched):
                limit = max(paths, key=lambda p: p.stat().st_size)
                con.execute("SET memory_limit = ?", [_memory_limit(limit)])
                for res in land_batch(con, cfg, feed, paths, table_ready=True):
                    {
                        "loaded": out.files_loaded,
                        "skipped": out.files_skipped,
                        "quarantined": out.files_quarantined,
                    }[res.status].append(res)
                    if res.status == "loaded":
                        out.rows_loaded += res.rows
                    bar.file_done(res)
            for rel in out.files_unrecognised:
                bar.note(f"[yellow]unrecognised[/] {rel} (matches no glob of {source}; left)")
    finally:
        con.close()
    out.seconds = time.perf_counter() - started
    return out


def land_all(settings: Settings | None = None, progress: bool = True) -> dict[str, SourceResult]:
    """Land every source in `SOURCES` order; writes `landing_report.json` beside the warehouse."""
    from orchestration.landing.report import print_summary, write_report

    cfg = settings or load_settings()
    results = {source: land_source(source, cfg, progress) for source in SOURCES}
    write_report(results, cfg.ledger_dir / "landing_report.json")
    if progress:
        print_summary(results)
    return results


__all__ = ["FEEDS_LIST", "FileResult", "SourceResult", "land_all", "land_file", "land_source"]
