"""Progress output (rich) and the landing report."""

from __future__ import annotations

import json
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    from orchestration.landing.loader import FileResult, SourceResult

_console = Console(stderr=True)


class FileProgress:
    """A progress bar over a source's files, with one line per file and its rows."""

    def __init__(self, source: str, total: int, enabled: bool = True):
        self.enabled = enabled
        self.source = source
        self.total = total
        self._progress: Progress | None = None

    def __enter__(self) -> FileProgress:
        if self.enabled:
            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=_console,
                transient=True,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task(self.source, total=self.total)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.__exit__(exc_type, exc, tb)

    def note(self, text: str) -> None:
        if self._progress is not None:
            self._progress.console.print(text)

    def file_done(self, res: FileResult) -> None:
        if self._progress is None:
            return
        rate = f"{res.rows / res.seconds:,.0f} rows/s" if res.seconds and res.rows else ""
        if res.status == "loaded":
            flags = f" [yellow]flagged {res.flagged}[/]" if res.flagged else ""
            new = f" [cyan]new columns {res.new_columns}[/]" if res.new_columns else ""
            gone = (
                f" [yellow]missing columns {res.missing_columns} (loaded as null)[/]"
                if res.missing_columns
                else ""
            )
            line = (
                f"[green]loaded[/]      {res.path}  {res.rows:,} rows -> {res.table} "
                f"({res.seconds:.2f}s {rate}){flags}{new}{gone}"
            )
        elif res.status == "skipped":
            line = f"[dim]skipped[/]     {res.path} (already landed)"
        else:
            why = "; ".join(r.get("message") or r["rule"] for r in res.reasons)
            line = f"[red]quarantined[/] {res.path}: {why}"
        self._progress.console.print(line, highlight=False)
        self._progress.advance(self._task)


def summary_table(results: dict[str, SourceResult]) -> Table:
    table = Table(title="Landing report")
    for col in ("source", "loaded", "rows", "skipped", "quarantined", "unrecognised", "flagged"):
        table.add_column(col, justify="left" if col == "source" else "right")
    for name, r in results.items():
        table.add_row(
            name,
            str(len(r.files_loaded)),
            f"{r.rows_loaded:,}",
            str(len(r.files_skipped)),
            str(len(r.files_quarantined)),
            str(len(r.files_unrecognised)),
            ", ".join(f"{k}={v}" for k, v in r.flagged.items()),
        )
    return table


def print_summary(results: dict[str, SourceResult]) -> None:
    _console.print(summary_table(results))


def write_report(results: dict[str, SourceResult], path: Path) -> Path:
    """Write the landing report (JSON: one entry per source, see `SourceResult.to_dict`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {name: r.to_dict() for name, r in results.items()}
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
    return path


def file_line(res: FileResult) -> str:
    return f"{res.status}: {res.path} ({res.rows} rows)"
