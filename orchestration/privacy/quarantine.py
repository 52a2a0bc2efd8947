"""Scrub erased people out of the quarantine folder.

A quarantined file is an export that failed its gate: it never reached `raw`, but it still holds
whoever it was about. Every value in it is looked up, as an email, a phone and an id (normalised
and salted exactly as staging does, see normalize.py), in the suppression list; a record holding
a suppressed identifier is dropped:

- CSV and NDJSON: the file is rewritten without those lines (other lines stay byte for byte, in
  the file's own encoding); when nothing but the header is left, the file is removed;
- a JSON document: the records (objects in arrays) holding the identifier are dropped; when the
  identifier sits outside any record, the file is removed;
- anything that cannot be decoded (binary, broken gzip): removed when a suppressed value shows in
  its printable text.

The reason file beside it (`<name>.reason.json`) records what was done (`erasure`: action,
records removed, request ids, when) and has any erased value in its messages replaced by
`[erased]`.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from orchestration.privacy.normalize import KIND_EMAIL, KIND_ID, KIND_PHONE, hash_pii, normalize

REASON_SUFFIX = ".reason.json"
REDACTED = "[erased]"
_PRINTABLE = re.compile(rb"[\x20-\x7e]{4,}")
_JSON_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_SPLIT = re.compile(r"[,;\t|\"'<>\[\]{}()\s]+")


@dataclass
class FileScrub:
    """What scrubbing did to one quarantined file."""

    file: str
    action: str  # rewritten | removed
    records_removed: int
    request_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "action": self.action,
            "records_removed": self.records_removed,
        }


@dataclass
class _Parsed:
    kind: str  # lines | document | opaque
    encoding: str | None = None
    lines: list[str] = field(default_factory=list)
    line_values: list[list[str]] = field(default_factory=list)
    document: Any = None
    values: list[str] = field(default_factory=list)
    gzipped: bool = False


def _scalars(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for value in node.values():
            yield from _scalars(value)
    elif isinstance(node, list):
        for value in node:
            yield from _scalars(value)
    elif isinstance(node, bool) or node is None:
        return
    else:
        yield str(node)


def _decode(data: bytes) -> tuple[str, str] | None:
    for encoding in ("utf-8-sig", "cp950"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            return None
        return text, encoding
    return None


def _opaque_values(data: bytes) -> list[str]:
    values: list[str] = []
    for run in _PRINTABLE.findall(data):
        text = run.decode("ascii")
        values.append(text.strip())
        values.extend(part for part in _SPLIT.split(text) if part)
    return values


def _json_line(line: str) -> Any:
    stripped = line.strip()
    if not stripped.startswith("{"):
        return None
    try:
        return json.loads(stripped)
    except ValueError:
        return None


def _line_values(line: str) -> list[str]:
    stripped = line.strip()
    if not stripped:
        return []
    if stripped.startswith("{"):
        try:
            return list(_scalars(json.loads(stripped)))
        except ValueError:
            return [json.loads(f'"{m}"') if "\\" in m else m for m in _JSON_STRING.findall(line)]
    try:
        return next(csv.reader([line]))
    except (csv.Error, StopIteration):
        return [part for part in _SPLIT.split(line) if part]


def _parse(data: bytes) -> _Parsed:
    gzipped = data[:2] == b"\x1f\x8b"
    if gzipped:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            partial = zlib.decompressobj(16 + zlib.MAX_WBITS)
            try:
                data = partial.decompress(data)
            except zlib.error:
                pass
            return _Parsed("opaque", values=_opaque_values(data))
    decoded = _decode(data)
    if decoded is None:
        return _Parsed("opaque", values=_opaque_values(data))
    text, encoding = decoded
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            document = json.loads(stripped)
        except ValueError:
            document = None
        if document is not None:
            return _Parsed(
                "document",
                encoding=encoding,
                document=document,
                values=list(_scalars(document)),
                gzipped=gzipped,
            )
    lines = text.splitlines(keepends=True)
    line_values = [_line_values(line) for line in lines]
    return _Parsed(
        "lines",
        encoding=encoding,
        lines=lines,
        line_values=line_values,
        values=[v for values in line_values for v in values],
        gzipped=gzipped,
    )


def _prune(node: Any, erased: set[str]) -> tuple[Any, int, bool]:
    """(node without the records holding an erased value, records removed, whether an erased
    value sits in this node outside any record)."""
    if isinstance(node, dict):
        out, removed, leftover = {}, 0, False
        for key, value in node.items():
            out[key], r, lo = _prune(value, erased)
            removed += r
            leftover |= lo
        return out, removed, leftover
    if isinstance(node, list):
        kept, removed, leftover = [], 0, False
        for item in node:
            pruned, r, lo = _prune(item, erased)
            if lo and isinstance(item, dict):
                removed += 1
                continue
            kept.append(pruned)
            removed += r
            leftover |= lo
        return kept, removed, leftover
    if isinstance(node, bool) or node is None:
        return node, 0, False
    return node, 0, str(node).strip() in erased


def matching_values(
    con: duckdb.DuckDBPyConnection, values: Iterable[str], salt: str, hashes: str
) -> dict[str, list[str]]:
    """The values whose salted hash (as an email, a phone or an id) is in `hashes` (a relation
    with column identifier_hash), with the kinds that matched."""
    distinct = sorted({v.strip() for v in values if v and v.strip()})
    if not distinct:
        return {}
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _quarantine_values AS SELECT unnest(?::VARCHAR[]) AS value",
        [distinct],
    )
    kinds = (KIND_EMAIL, KIND_PHONE, KIND_ID)
    selects = " UNION ALL ".join(
        f"SELECT value, '{kind}' AS kind FROM _quarantine_values"
        f" WHERE {hash_pii(normalize('value', kind), salt)}"
        f" IN (SELECT identifier_hash FROM {hashes})"
        for kind in kinds
    )
    found: dict[str, list[str]] = {}
    for value, kind in con.execute(selects).fetchall():
        found.setdefault(value, []).append(kind)
    con.execute("DROP TABLE _quarantine_values")
    return found


def _redact(node: Any, erased: list[str]) -> Any:
    if isinstance(node, dict):
        return {key: _redact(value, erased) for key, value in node.items()}
    if isinstance(node, list):
        return [_redact(value, erased) for value in node]
    if isinstance(node, str):
        for value in erased:
            node = node.replace(value, REDACTED)
        return node
    return node


def _note_reason(path: Path, scrub: FileScrub, erased: list[str], at: datetime) -> None:
    reason = path.with_name(path.name + REASON_SUFFIX)
    content: dict[str, Any] = {}
    if reason.exists():
        try:
            content = json.loads(reason.read_text(encoding="utf-8"))
        except ValueError:
            content = {"previous_reason_unreadable": True}
    content = _redact(content, erased)
    content.setdefault("erasure", []).append(
        {
            "action": scrub.action,
            "records_removed": scrub.records_removed,
            "erasure_request_ids": scrub.request_ids,
            "executed_at": at.isoformat(timespec="seconds"),
            "note": (
                "records holding an erased person's identifiers were removed from this file"
                if scrub.action == "rewritten"
                else "the file was removed: it held an erased person's identifiers"
            ),
        }
    )
    tmp = reason.with_name(reason.name + ".tmp")
    tmp.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(reason)


def _write(path: Path, text: str, parsed: _Parsed) -> None:
    data = text.encode(parsed.encoding or "utf-8")
    if parsed.gzipped:
        data = gzip.compress(data)
    tmp = path.with_name(path.name + ".scrub.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def scrub_quarantine(
    con: duckdb.DuckDBPyConnection,
    quarantine_dir: Path,
    salt: str,
    hashes: str,
) -> tuple[list[FileScrub], dict[str, list[str]]]:
    """Remove every record holding a hash of `hashes` from the quarantined files. Returns what
    was done per file and the plain values found (with their kinds), for the caller to erase
    from the warehouse too. The plain values are never written anywhere."""
    if not quarantine_dir.is_dir():
        return [], {}
    files = sorted(
        p
        for p in quarantine_dir.rglob("*")
        if p.is_file() and not p.name.endswith((REASON_SUFFIX, ".tmp"))
    )
    parsed = {path: _parse(path.read_bytes()) for path in files}
    found = matching_values(con, (v for p in parsed.values() for v in p.values), salt, hashes)
    erased = set(found)
    if not erased:
        return [], {}
    request_ids = _request_ids(con, found, salt, hashes)
    longest_first = sorted(erased, key=len, reverse=True)
    now = datetime.now(UTC).replace(tzinfo=None)
    done: list[FileScrub] = []
    for path, p in parsed.items():
        if not erased.intersection(v.strip() for v in p.values):
            continue
        rel = path.relative_to(quarantine_dir).as_posix()
        ids = sorted({request_ids.get(v, "") for v in p.values if v.strip() in erased} - {""})
        if p.kind == "lines":
            keep, removed = [], 0
            for i, (line, values) in enumerate(zip(p.lines, p.line_values, strict=True)):
                if not erased.intersection(v.strip() for v in values):
                    keep.append(line)
                    continue
                document = _json_line(line)
                if document is not None:  # NDJSON: drop the records inside, else the line
                    pruned, dropped, leftover = _prune(document, erased)
                    if not leftover and dropped:
                        ending = line[len(line.rstrip("\r\n")) :]
                        keep.append(json.dumps(pruned, ensure_ascii=False) + ending)
                        removed += dropped
                        continue
                removed += 1
                if i == 0 and document is None:  # the CSV header itself: nothing to keep
                    keep = []
                    break
            has_rows = any(line.strip() for line in keep[1:]) or (
                keep and keep[0].lstrip().startswith("{")
            )
            if keep and has_rows:
                _write(path, "".join(keep), p)
                scrub = FileScrub(rel, "rewritten", removed, ids)
            else:
                path.unlink()
                scrub = FileScrub(rel, "removed", removed, ids)
        elif p.kind == "document":
            pruned, removed, leftover = _prune(p.document, erased)
            if leftover or not removed:
                path.unlink()
                scrub = FileScrub(rel, "removed", max(removed, 1), ids)
            else:
                _write(path, json.dumps(pruned, ensure_ascii=False) + "\n", p)
                scrub = FileScrub(rel, "rewritten", removed, ids)
        else:
            path.unlink()
            scrub = FileScrub(rel, "removed", 1, ids)
        _note_reason(path, scrub, longest_first, now)
        done.append(scrub)
    # reason files of files already gone (or never moved) may still quote an erased value
    for reason in quarantine_dir.rglob(f"*{REASON_SUFFIX}"):
        text = reason.read_text(encoding="utf-8", errors="replace")
        if any(value in text for value in erased):
            try:
                content = _redact(json.loads(text), longest_first)
                reason.write_text(
                    json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
                )
            except ValueError:
                for value in longest_first:
                    text = text.replace(value, REDACTED)
                reason.write_text(text, encoding="utf-8")
    return done, found


def _request_ids(
    con: duckdb.DuckDBPyConnection, found: dict[str, list[str]], salt: str, hashes: str
) -> dict[str, str]:
    """Plain value -> the erasure request that suppressed its hash (for the reason note);
    `hashes` has columns identifier_hash and erasure_request_id."""
    out: dict[str, str] = {}
    for value, kinds in found.items():
        for kind in kinds:
            row = con.execute(
                f"SELECT erasure_request_id FROM {hashes} WHERE identifier_hash = "
                f"{hash_pii(normalize('$1', kind), salt)} LIMIT 1",
                [value],
            ).fetchone()
            if row:
                out[value] = row[0]
                break
    return out
