"""Search a whole warehouse and a folder for a person's identifiers (plain and hashed)."""

from __future__ import annotations

import csv
import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.generator.truth import IDENTIFIER_TYPES

#: tables that hold only salted hashes and request ids, by design
PRIVACY_TABLES = {("privacy", "suppressed_identifiers"), ("privacy", "erasure_audit")}
#: identifier types of the truth that name a person (crm_contact_id is the CRM's record key)
PERSON_TYPES = IDENTIFIER_TYPES


@dataclass(frozen=True)
class Identifier:
    person_id: str
    identifier_type: str
    value: str


def salted(value: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}|{value}".encode()).hexdigest()


def unsalted(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def truth_identifiers(truth: Path, people: set[str]) -> list[Identifier]:
    """The person's own identifiers (shared and junk ones, e.g. a family phone, excluded)."""
    with (truth / "identifiers.csv").open(newline="", encoding="utf-8") as f:
        return [
            Identifier(row["person_id"], row["identifier_type"], row["identifier_value"])
            for row in csv.DictReader(f)
            if row["person_id"] in people
            and row["is_shared"] != "true"
            and row["identifier_type"] in PERSON_TYPES
            and row["identifier_value"]
        ]


def erased_people(truth: Path) -> set[str]:
    with (truth / "people.csv").open(newline="", encoding="utf-8") as f:
        return {row["person_id"] for row in csv.DictReader(f) if row["erased_at"]}


def needles(identifiers: list[Identifier], salt: str) -> dict[str, str]:
    """search string -> what it is: the plain value, its salted hash, and for emails and phones
    the unsalted hash; phones also as typed nationally (0912345678)."""
    out: dict[str, str] = {}
    for ident in identifiers:
        label = f"{ident.person_id}:{ident.identifier_type}"
        out[ident.value] = f"{label}:plain"
        out[salted(ident.value, salt)] = f"{label}:salted"
        if ident.identifier_type in ("email", "phone"):
            out[unsalted(ident.value)] = f"{label}:sha256"
        if ident.identifier_type == "phone" and ident.value.startswith("+886"):
            out["0" + ident.value[4:]] = f"{label}:national"
    return out


def scan_warehouse(warehouse: Path, found: dict[str, str]) -> list[tuple[str, str, str]]:
    """(schema.table, column, what) for every cell of every table (views excluded: they read
    the tables) that contains a needle. The privacy tables are skipped."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute("CREATE TEMP TABLE needles (needle VARCHAR, what VARCHAR)")
        con.executemany("INSERT INTO needles VALUES (?, ?)", list(found.items()))
        columns = con.execute(
            "SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c"
            " JOIN information_schema.tables t USING (table_catalog, table_schema, table_name)"
            " WHERE t.table_type = 'BASE TABLE' AND c.table_catalog = current_database()"
        ).fetchall()
        hits = []
        for schema, table, column in columns:
            if (schema, table) in PRIVACY_TABLES:
                continue
            rows = con.execute(
                f'SELECT DISTINCT needles.what FROM "{schema}"."{table}" AS t, needles'
                f' WHERE contains(CAST(t."{column}" AS VARCHAR), needles.needle)'
            ).fetchall()
            hits += [(f"{schema}.{table}", column, what) for (what,) in rows]
        return hits
    finally:
        con.close()


def read_text_forms(path: Path) -> str:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            pass
    for encoding in ("utf-8", "cp950", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return ""


def scan_folder(folder: Path, found: dict[str, str]) -> list[tuple[str, str]]:
    """(file, what) for every file under `folder` whose text contains a needle."""
    hits = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = read_text_forms(path)
        hits += [(str(path.relative_to(folder)), what) for n, what in found.items() if n in text]
    return hits
