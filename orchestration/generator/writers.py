"""Append-only file sink and the small formatting helpers every source shares."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from orchestration.generator import params

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Sink:
    """Appends rows to files under ``root`` and counts them for the manifest.

    A file is created (with its header, preamble and BOM) on first write; later chunks append.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.rows: dict[str, int] = {}

    def _open(self, rel: str) -> tuple[Path, bool]:
        path = self.root / rel
        new = rel not in self.rows
        if new:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists():
                path.unlink()
            self.rows[rel] = 0
        return path, new

    def csv(
        self,
        rel: str,
        header: list[str],
        rows: list[list[Any]],
        encoding: str = "utf-8",
        preamble: list[str] | None = None,
        newline: str = "\n",
    ) -> None:
        path, new = self._open(rel)
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator=newline)
        if new:
            for line in preamble or []:
                buf.write(line + newline)
            writer.writerow(header)
        writer.writerows(rows)
        data = buf.getvalue()
        if encoding == "utf-8-sig":
            raw = (b"\xef\xbb\xbf" if new else b"") + data.encode("utf-8")
        else:
            raw = data.encode(encoding)
        with path.open("ab") as fh:
            fh.write(raw)
        self.rows[rel] += len(rows)

    def lines(self, rel: str, lines: list[str]) -> None:
        path, _ = self._open(rel)
        if not lines:
            return
        with path.open("ab") as fh:
            fh.write(("\n".join(lines) + "\n").encode("utf-8"))
        self.rows[rel] += len(lines)


def dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def token(kind: str, seq: int, nbytes: int = 16) -> bytes:
    return hashlib.blake2b(f"{kind}:{seq}".encode(), digest_size=nbytes).digest()


def hex_token(kind: str, seq: int, nbytes: int = 16) -> str:
    return token(kind, seq, nbytes).hex()


def b64_token(kind: str, seq: int, nchars: int = 22) -> str:
    raw = base64.urlsafe_b64encode(token(kind, seq, 24)).decode().rstrip("=")
    return raw[:nchars]


_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_ULID = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def short_code(seq: int) -> str:
    """A unique 8-character code per message (a bijection of the running sequence number)."""
    n = (seq * 2_654_435_761 + 97_531) % 36**8
    out = []
    for _ in range(8):
        n, r = divmod(n, 36)
        out.append(_B36[r])
    return "".join(out)


def ulid(seq: int) -> str:
    raw = int.from_bytes(token("ulid", seq, 17), "big")
    out = []
    for _ in range(26):
        raw, r = divmod(raw, 32)
        out.append(_ULID[r])
    return "".join(out)


def ts(t: float, offset: int = 0) -> datetime:
    return EPOCH + timedelta(seconds=float(t) + offset)


_DAYS: dict[int, tuple[str, str, str]] = {}


def _parts(t: float, offset: int) -> tuple[tuple[str, str, str], int, int, int]:
    """(day strings, hour, minute, second) of ``t`` shifted by ``offset``; day strings cached."""
    s = int(t) + offset
    day, rem = divmod(s, 86400)
    labels = _DAYS.get(day)
    if labels is None:
        d = EPOCH + timedelta(days=day)
        labels = (d.strftime("%Y-%m-%d"), d.strftime("%Y%m%d"), d.strftime("%Y-%m"))
        _DAYS[day] = labels
    hh, rem = divmod(rem, 3600)
    mm, ss = divmod(rem, 60)
    return labels, hh, mm, ss


def iso_local(t: float) -> str:
    """ISO-8601 in Asia/Taipei with offset."""
    d, hh, mm, ss = _parts(t, params.TPE_OFFSET)
    return f"{d[0]}T{hh:02d}:{mm:02d}:{ss:02d}+08:00"


def iso_utc(t: float) -> str:
    d, hh, mm, ss = _parts(t, 0)
    return f"{d[0]}T{hh:02d}:{mm:02d}:{ss:02d}Z"


def local_stamp(t: float, sep: str = "-", suffix: str = "") -> str:
    """``YYYY-MM-DD HH:MM:SS`` local time (``sep`` between date parts), plus ``suffix``."""
    d, hh, mm, ss = _parts(t, params.TPE_OFFSET)
    day = d[0] if sep == "-" else d[0].replace("-", sep)
    return f"{day} {hh:02d}:{mm:02d}:{ss:02d}{suffix}"


def local_date(t: float) -> str:
    return _parts(t, params.TPE_OFFSET)[0][1]


def local_month(t: float) -> str:
    return _parts(t, params.TPE_OFFSET)[0][2]


def mess_email(email: str, r: float) -> str:
    """Real exports carry case changes and stray spaces."""
    if not email or r >= 0.16:
        return email
    if r < 0.07:
        local, _, dom = email.partition("@")
        return local[:1].upper() + local[1:] + "@" + dom.capitalize()
    if r < 0.12:
        return f" {email}  "
    return email.upper()


def phone_variant(e164: str, r: float) -> str:
    """A way a person or a clerk might have typed the number."""
    if not e164:
        return ""
    if e164.startswith("+8869"):
        d = e164[4:]
        if r < 0.30:
            return "0" + d
        if r < 0.50:
            return f"0{d[:3]}-{d[3:6]}-{d[6:]}"
        if r < 0.65:
            return f"+886 {d[:3]} {d[3:6]} {d[6:]}"
        if r < 0.75:
            return "886" + d
        if r < 0.85:
            return f"0{d[:3]} {d[3:6]} {d[6:]}"
        return e164
    if e164.startswith("+81"):
        d = e164[3:]
        return f"+81 {d[:2]}-{d[2:6]}-{d[6:]}" if r < 0.7 else e164
    if e164.startswith("+1"):
        d = e164[2:]
        return f"+1 {d[:3]}-{d[3:6]}-{d[6:]}" if r < 0.7 else e164
    return e164
