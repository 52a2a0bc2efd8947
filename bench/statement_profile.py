"""Statement profile of one dbt invocation on DuckDB: its logged SQL replayed one by one.

dbt's debug log (`<log-path>/dbt.log`) times each statement it sends, but not in a form that
says which statement of a run costs what: a hook is one statement there (a pre-hook of a dozen
statements is logged as one), and two dbt threads' statements share the machine's two cores, so
each is timed with the other's load on top. Session 15 of issue 8 took the 6.6 s logged for
int_identifiers_unioned's pre-hook at 1M customers for its first statement; replayed, that one
took 0.36 s.

This replays the statements of one invocation of the log (by default the last), in the order
they finished, on a copy of the warehouse as it was before that invocation
(`bench/scale_bench.py --keep --keep-before-daily` keeps one: `before_daily/warehouse.duckdb`),
one statement at a time (DuckDB's own parser splits a hook into its statements), each of dbt's
connections (one per model or task, until dbt logs its Close) on a DuckDB connection of its own
(its temp tables and its BEGIN / COMMIT as dbt ran them), and times each. The copy is changed: it
ends as the invocation left the warehouse up to the limit below (tests/incremental checks the
staged tables, the keyed touch stream and the identity models up to the graph's edges).

    python bench/statement_profile.py LOG WAREHOUSE_COPY [--invocation -1] [--top 40]
        [--out PROFILE.json] [--drop-caches] [--memory-limit 6GB] [--restamp | --no-restamp]

Prints the slowest statements and every model's replayed seconds beside the seconds dbt logged
for it; --out writes the whole profile as JSON. Statements run one after the other (DuckDB's own
threads, 2 here, still apply), so a statement's replayed time is its cost alone, without the
other dbt thread's load; the page cache is as the copy left it unless --drop-caches (root)
empties it first. At 1M customers single statements vary 2x and more between replays of one log
on equal copies (the chains' totals much less): compare chains, or repeat. What dbt decided from
query results while it rendered (a loop that ran until a count reached zero) is replayed as
logged: int_identity_components clusters in rounds on nodes numbered in scan order (row_number()
over ()), so its replay may stop before its graph is contracted and leave other labels, and the
models after it other rows (the statements, and so the figures, are still the run's). Seeds
cannot be replayed (dbt logs their loads abbreviated): replay `dbt run` invocations. Checkpoints
land where the replay's commits cross DuckDB's WAL threshold (16 MiB), which need not be where
the run's did.

The incremental models stamp what they log with the run's start (touch_changes_stamp) and
follow their producers' logs from their own latest stamp on. A copy made by another run (of the
same commit and data: a 1M warehouse has no room for a second copy, see the README) holds
stamps of that run, later than the logged run's: replayed as logged, the consumers would find
no change newer than their own and do nothing. `--restamp` (the default when the copy's latest
stamp is not older than the log's) replaces the logged run's stamp, found in the run markers its
change logs append, by the present time, in every statement.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

#: A log line of dbt's: colour reset, time, level, thread; the message follows.
LINE = re.compile(
    r"^(?:\x1b\[0m)?\d\d:\d\d:\d\d\.\d+ \[\w+ *\] \[(?P<thread>[^\]]+)\]: (?P<msg>.*)$"
)
SENT = re.compile(r"^On (?P<node>[\w.]+): (?P<sql>.*)$", re.S)
STATUS = re.compile(r"^SQL status: .* in (?P<seconds>[\d.]+) seconds$")
INVOCATION = "Running with dbt="
#: The run marker a change log appends (macro touch_changes_log): the run's start, microseconds.
RUN_MARKER = re.compile(
    r"values \(null, false, cast\("
    r"'(?P<stamp>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})' as timestamp\)\)"
)


@dataclass
class Statement:
    """One statement dbt sent, as logged: its node, SQL and the seconds dbt timed."""

    node: str
    sql: str
    logged_seconds: float
    #: dbt closed the node's connection here (no SQL)
    close: bool = False


@dataclass
class Piece:
    """One statement of DuckDB's parser within a logged statement, as replayed."""

    node: str
    statement: int
    seconds: float
    sql: str
    error: str | None = None


@dataclass
class Profile:
    pieces: list[Piece] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def errors(self) -> list[Piece]:
        return [piece for piece in self.pieces if piece.error]

    def by_node(self) -> dict[str, dict[str, float]]:
        """Per node: replayed seconds (its pieces) and logged seconds (dbt's), slowest first."""
        nodes: dict[str, dict[str, float]] = {}
        for statement in self.statements:
            entry = nodes.setdefault(statement.node, {"replayed": 0.0, "logged": 0.0})
            entry["logged"] += statement.logged_seconds
        for piece in self.pieces:
            nodes[piece.node]["replayed"] += piece.seconds
        rounded = {n: {k: round(v, 3) for k, v in e.items()} for n, e in nodes.items()}
        return dict(sorted(rounded.items(), key=lambda item: (-item[1]["replayed"], item[0])))


def invocations(log: Path) -> list[list[Statement]]:
    """The SQL statements of each dbt invocation of `log`, in the order they finished (a
    statement's SQL spans the lines up to the next log line; its thread's next "SQL status"
    line times it), and where dbt closed a connection."""
    runs: list[list[Statement]] = []
    open_sql: dict[str, tuple[str, list[str]]] = {}
    # the lines after a log line continue its message: the SQL of an "On <node>:" line, else
    # some other message of several lines (dbt's "Creating schema ..."), which is no SQL
    continued: list[str] | None = None
    with log.open(encoding="utf-8", errors="replace") as lines:
        for raw in lines:
            line = raw.rstrip("\n")
            match = LINE.match(line)
            if not match:
                if continued is not None:
                    continued.append(line)
                continue
            thread, message = match["thread"], match["msg"]
            continued = None
            if message.startswith(INVOCATION):
                runs.append([])
                open_sql.clear()
            elif (sent := SENT.match(message)) and runs:
                if sent["sql"].strip() == "Close":
                    runs[-1].append(Statement(sent["node"], "", 0.0, close=True))
                else:
                    open_sql[thread] = (sent["node"], [sent["sql"]])
                    continued = open_sql[thread][1]
            elif (status := STATUS.match(message)) and thread in open_sql and runs:
                node, sql = open_sql.pop(thread)
                runs[-1].append(Statement(node, "\n".join(sql), float(status["seconds"])))
    return runs


def statements(log: Path, invocation: int = -1) -> list[Statement]:
    """The statements of one invocation of `log` (invocations; -1: the last)."""
    runs = invocations(log)
    if not runs:
        raise ValueError(f"{log}: no dbt invocation ('{INVOCATION}') in this log")
    try:
        return runs[invocation]
    except IndexError:
        raise ValueError(f"{log}: invocation {invocation} of {len(runs)}") from None


def run_stamp(sent: list[Statement]) -> str | None:
    """The run's start as the invocation's change logs stamped it (None: no run marker)."""
    found = {m["stamp"] for statement in sent for m in RUN_MARKER.finditer(statement.sql)}
    if len(found) > 1:
        raise ValueError(f"several run stamps in one invocation: {sorted(found)}")
    return found.pop() if found else None


def restamp(sent: list[Statement], stamp: datetime | None = None) -> list[Statement]:
    """`sent` with the run's stamp (run_stamp; to the microsecond, and to the second as
    int_customer_id_assignments' assigned_at) replaced by `stamp` (default: now, UTC)."""
    old = run_stamp(sent)
    if old is None:
        return sent
    new = (stamp or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S.%f")
    pairs = [(f"'{old}'", f"'{new}'"), (f"'{old[:19]}'", f"'{new[:19]}'")]
    result = []
    for statement in sent:
        sql = statement.sql
        for before, after in pairs:
            sql = sql.replace(before, after)
        result.append(Statement(statement.node, sql, statement.logged_seconds, statement.close))
    return result


def latest_stamp(warehouse: Path) -> datetime | None:
    """The latest stamp of the copy's change logs (tables <model>__changes)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        logs = con.execute(
            "select schema_name, table_name from duckdb_tables()"
            " where ends_with(table_name, '__changes')"
        ).fetchall()
        stamps = [
            con.execute(f'select max(changed_at) from "{schema}"."{table}"').fetchone()[0]
            for schema, table in logs
        ]
    finally:
        con.close()
    return max((s for s in stamps if s is not None), default=None)


def catalog_of(sent: list[Statement]) -> str:
    """The database name the statements use ("warehouse" for warehouse.duckdb)."""
    for statement in sent:
        found = re.search(r'"(\w+)"\."\w+"\."\w+"', statement.sql)
        if found:
            return found.group(1)
    return "warehouse"


def drop_caches() -> None:
    """Empty the page cache (root only), so the replay reads the warehouse from disk."""
    subprocess.run(["sync"], check=True)
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError as error:
        raise SystemExit(f"--drop-caches needs root: {error}") from None


def replay(
    sent: list[Statement], warehouse: Path, memory_limit: str | None = None, progress: bool = True
) -> Profile:
    """Run every statement of `sent` on `warehouse` (changed in place), one DuckDB statement at a
    time, each dbt connection's on its own DuckDB connection, and time each; a failing
    statement is recorded and the replay goes on."""
    catalog = catalog_of(sent)
    con = duckdb.connect()
    con.execute(f"attach '{warehouse}' as \"{catalog}\"")
    # dbt-duckdb's settings in profiles.yml
    con.execute("set preserve_insertion_order = false")
    if memory_limit:
        con.execute(f"set memory_limit = '{memory_limit}'")
    connections: dict[str, duckdb.DuckDBPyConnection] = {}
    profile = Profile(statements=[statement for statement in sent if not statement.close])
    started = time.perf_counter()
    for index, statement in enumerate(sent):
        if statement.close:
            if statement.node in connections:
                connections.pop(statement.node).close()
            continue
        if statement.node not in connections:
            connections[statement.node] = con.cursor()
            connections[statement.node].execute(f'use "{catalog}"')
        cursor = connections[statement.node]
        try:
            parts = [(p.type, p.query) for p in cursor.extract_statements(statement.sql)]
        except duckdb.Error as error:
            profile.pieces.append(Piece(statement.node, index, 0.0, statement.sql, str(error)))
            continue
        for kind, sql in parts:
            began = time.perf_counter()
            error = None
            try:
                cursor.execute(sql)
            except duckdb.TransactionException as failed:
                # dbt's thread pool (schemas listed and created at start) logs all its threads
                # as "ThreadPool": the statements of two of its connections can pair with each
                # other's status lines, so a BEGIN or ROLLBACK of theirs may find none open
                if kind != duckdb.StatementType.TRANSACTION:
                    error = str(failed).splitlines()[0]
            except duckdb.Error as failed:
                error = str(failed).splitlines()[0]
            seconds = time.perf_counter() - began
            profile.pieces.append(Piece(statement.node, index, round(seconds, 4), sql, error))
        if progress and index % 100 == 99:
            print(f"  {index + 1} of {len(sent)} statements", file=sys.stderr, flush=True)
    profile.seconds = round(time.perf_counter() - started, 3)
    for cursor in connections.values():
        cursor.close()
    con.close()
    return profile


def short(sql: str, width: int = 110) -> str:
    text = re.sub(r"/\*.*?\*/", "", sql, count=1, flags=re.S)
    return " ".join(text.split())[:width]


def report(profile: Profile, top: int = 40) -> str:
    """The slowest statements, then every node's replayed and logged seconds."""
    lines = [
        f"{len(profile.pieces)} statements of {len(profile.statements)} logged ones replayed in "
        f"{profile.seconds:.1f} s; {len(profile.errors)} failed",
        "",
        f"Slowest {top} statements (seconds, node, SQL):",
    ]
    for piece in sorted(profile.pieces, key=lambda p: -p.seconds)[:top]:
        lines.append(f"{piece.seconds:8.2f}  {piece.node.split('.')[-1]:<40} {short(piece.sql)}")
    lines += ["", "Per node: replayed seconds, seconds dbt logged (two threads, hooks whole):"]
    for node, entry in profile.by_node().items():
        lines.append(f"{entry['replayed']:8.2f} {entry['logged']:8.2f}  {node}")
    for piece in profile.errors:
        lines.append(f"FAILED {piece.node}: {piece.error} -- {short(piece.sql, 80)}")
    return "\n".join(lines)


def as_json(profile: Profile) -> dict:
    return {
        "seconds": profile.seconds,
        "statements": len(profile.statements),
        "by_node": profile.by_node(),
        "pieces": [
            {
                "node": p.node,
                "statement": p.statement,
                "seconds": p.seconds,
                "sql": p.sql,
                "error": p.error,
            }  # fmt: skip
            for p in profile.pieces
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("log", type=Path, help="dbt's debug log (dbt.log)")
    parser.add_argument("warehouse", type=Path, help="a copy of the warehouse before the run")
    parser.add_argument("--invocation", type=int, default=-1, help="which dbt run of the log")
    parser.add_argument("--top", type=int, default=40, help="slowest statements to print")
    parser.add_argument("--out", type=Path, help="write the profile as JSON")
    parser.add_argument("--drop-caches", action="store_true", help="empty the page cache first")
    parser.add_argument("--memory-limit", help="DuckDB's memory_limit (as OMNI_DBT_MEMORY_LIMIT)")
    parser.add_argument(
        "--restamp",
        action=argparse.BooleanOptionalAction,
        help="replace the run's stamp by now (default: when the copy holds a stamp as late)",
    )
    args = parser.parse_args(argv)
    for path in (args.log, args.warehouse):
        if not path.is_file():
            parser.error(f"{path}: no such file")
    sent = statements(args.log, args.invocation)
    logged, latest = run_stamp(sent), latest_stamp(args.warehouse)
    if args.restamp is None:
        args.restamp = bool(logged and latest and latest >= datetime.fromisoformat(logged))
    if args.restamp and logged:
        print(f"run stamp {logged} replaced by now (the copy's latest stamp: {latest})")
        sent = restamp(sent)
    if args.drop_caches:
        drop_caches()
    profile = replay(sent, args.warehouse, args.memory_limit)
    print(report(profile, args.top))
    if args.out:
        args.out.write_text(json.dumps(as_json(profile), indent=1))
        print(f"written: {args.out}")
    return 1 if profile.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
