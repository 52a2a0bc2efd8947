"""Malformed files, kept apart from the good ones so the main data still loads.

Each file matches its feed's glob and carries exactly one fault. Its good rows are copies of
rows already in a good file, so the people in it are also in the good data.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from orchestration.generator.simulate import Context


def _first(
    sink_rows: dict[str, int],
    prefix: str,
    suffix: str,
    pick: int = 0,
    min_rows: int = 6,
    skip: tuple[str, ...] = (),
) -> str | None:
    """The ``pick``-th file (by name) of a feed with at least ``min_rows`` rows."""
    names = sorted(
        r
        for r in sink_rows
        if r.startswith(prefix)
        and r.endswith(suffix)
        and sink_rows[r] >= min_rows
        and not any(k in r for k in skip)
    )
    if not names:
        return None
    return names[min(pick, len(names) - 1)]


def _read_csv(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding=encoding))))


def _write(path: Path, rows: list[list[Any]], encoding: str = "utf-8") -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def inject(ctx: Context) -> list[dict[str, Any]]:
    root, rows = ctx.sink.root, ctx.sink.rows
    faults: list[dict[str, Any]] = []

    src = _first(rows, "shop_orders/orders_export_", ".csv", pick=1)
    if src:
        table = _read_csv(root / src)
        header, body = table[0], table[1:6]
        bad = body[-1][:7]
        rel = src.replace(".csv", "-manual.csv")
        _write(root / rel, [header, *body[:-1], bad])
        ctx.sink.rows[rel] = len(body)
        faults.append(
            {
                "file": rel,
                "row": len(body),
                "rule": "too_few_columns",
                "detail": f"row has {len(bad)} of {len(header)} columns",
            }
        )

    src = _first(rows, "web_events/events_", ".json", pick=1, min_rows=4)
    if src:
        lines = (root / src).read_text(encoding="utf-8").splitlines()[:4]
        rel = src.replace(".json", "_partial.json")
        text = "\n".join(lines[:3]) + "\n" + lines[3][: len(lines[3]) // 2]
        (root / rel).write_bytes(text.encode("utf-8"))
        ctx.sink.rows[rel] = 4
        faults.append(
            {
                "file": rel,
                "row": 4,
                "rule": "truncated_json",
                "detail": "the last record is cut off mid-object (no closing brace)",
            }
        )

    src = _first(rows, "sms_messages/twilio_messages_", ".csv")
    if src:
        table = _read_csv(root / src)
        drop = table[0].index("Sid")
        cut = [[v for k, v in enumerate(r) if k != drop] for r in table[:6]]
        rel = src.replace(".csv", "-resend.csv")
        _write(root / rel, cut)
        ctx.sink.rows[rel] = len(cut) - 1
        faults.append(
            {
                "file": rel,
                "row": None,
                "rule": "missing_required_column",
                "detail": "required column Sid (sid) is missing from the header",
            }
        )

    src = _first(
        rows, "pos_transactions/pos_S00", ".csv", min_rows=4, skip=("S002", "S003")
    )  # plain UTF-8 stores
    if src:
        table = _read_csv(root / src)
        body = [list(r) for r in table[1:5]]
        body[1][3] = "2026/13/45 25:61:00"
        rel = src.replace(".csv", "-bad.csv")
        _write(root / rel, [table[0], *body])
        ctx.sink.rows[rel] = len(body)
        faults.append(
            {
                "file": rel,
                "row": 2,
                "rule": "unparseable_timestamp",
                "detail": "transaction_time 2026/13/45 25:61:00",
            }
        )

    src = _first(rows, "email_events/sendgrid_events_", ".json", pick=2, min_rows=3)
    if src:
        lines = (root / src).read_text(encoding="utf-8").splitlines()[:3]
        rel = src.replace(".json", "_retry.json")
        recs = [json.loads(x) for x in lines]
        recs[-1].pop("sg_event_id", None)
        (root / rel).write_text("\n".join(json.dumps(r) for r in recs) + "\n", encoding="utf-8")
        ctx.sink.rows[rel] = len(recs)
        faults.append(
            {
                "file": rel,
                "row": len(recs),
                "rule": "missing_required_field",
                "detail": "record without sg_event_id",
            }
        )
    return faults
