"""DuckDB SQL twins of the dbt macros that key personal data in staging.

`normalize_email`, `normalize_phone`, `nullif_blank` and `hash_pii` (macros/*.sql) decide the
salted hash every identifier carries from staging on. Erasure has to find the same person in
`raw` (plain text) and in quarantined files, so it must compute exactly the same hash: these
functions render the DuckDB branch of each macro as SQL text. tests/privacy/test_normalize_twins.py
proves equality against the staging views of a real build.

Kinds of personal column (`KIND_*`): an email is normalised as `normalize_email`, a phone as
`normalize_phone`, an id (member number, LINE user id, cookie, PSID...) as `nullif_blank`; a
`subject` column (consent, erasure requests) by the value of its `subject_type` column, as the
staging models do.
"""

from __future__ import annotations

KIND_EMAIL = "email"
KIND_PHONE = "phone"
KIND_ID = "id"

#: E.164 calling codes, as macros/normalize_phone.sql lists them.
CALLING_CODES = {
    "TW": "886",
    "JP": "81",
    "HK": "852",
    "SG": "65",
    "MY": "60",
    "TH": "66",
    "KR": "82",
    "CN": "86",
    "US": "1",
    "GB": "44",
    "AU": "61",
}
DEFAULT_REGION = "TW"


def sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def nullif_blank(expr: str) -> str:
    return f"nullif(trim({expr}), '')"


def normalize_email(expr: str) -> str:
    return f"case when lower(trim({expr})) like '%_@_%' then lower(trim({expr})) end"


def _regexp_replace_all(expr: str, pattern: str, replacement: str) -> str:
    return f"regexp_replace({expr}, '{pattern}', '{replacement}', 'g')"


def normalize_phone(expr: str, region: str = DEFAULT_REGION) -> str:
    """macros/normalize_phone.sql, DuckDB branch, for one default region."""
    cc = CALLING_CODES[region]
    folded = f"translate(trim({expr}), '０１２３４５６７８９＋', '0123456789+')"
    without_trunk_hint = _regexp_replace_all(folded, "[(]0[)]", "")
    digits = _regexp_replace_all(without_trunk_hint, "[^0-9]", "")
    e164 = f"""case
            when {digits} = '' then null
            when {folded} like '+%' and {digits} like '{cc}0%'
                then concat('+{cc}', substr({digits}, {len(cc) + 2}))
            when {folded} like '+%' then concat('+', {digits})
            when {digits} like '00%' then null
            when {digits} like '0%' then concat('+{cc}', substr({digits}, 2))
            when {digits} like '{cc}0%' and length({digits}) >= {len(cc) + 9}
                then concat('+{cc}', substr({digits}, {len(cc) + 2}))
            when {digits} like '{cc}%' and length({digits}) >= {len(cc) + 8}
                then concat('+', {digits})
            else concat('+{cc}', {digits})
        end"""
    return f"case when length({e164}) between 9 and 16 then {e164} end"


def normalize(expr: str, kind: str) -> str:
    """The normalised value of a personal column of one kind (see the module docstring)."""
    if kind == KIND_EMAIL:
        return normalize_email(expr)
    if kind == KIND_PHONE:
        return normalize_phone(expr)
    if kind == KIND_ID:
        return nullif_blank(expr)
    if kind.startswith("subject:"):
        type_column = kind.split(":", 1)[1]
        subject_type = f"lower(trim({type_column}))"
        return (
            f"case {subject_type} when 'email' then {normalize_email(expr)}"
            f" when 'phone' then {normalize_phone(expr)} else {nullif_blank(expr)} end"
        )
    raise ValueError(f"unknown kind of personal column: {kind!r}")


def hash_pii(expr: str, salt: str) -> str:
    """macros/hash_pii.sql: lower hex SHA-256 of salt || '|' || value; NULL stays NULL."""
    if not salt:
        raise ValueError("hash_pii: the salt is empty (OMNI_PII_SALT)")
    return (
        f"case when {expr} is not null then sha256(concat({sql_literal(salt + '|')}, {expr})) end"
    )


def sha256_unsalted(expr: str) -> str:
    """macros/sha256_unsalted.sql: the unsalted SHA-256 ad platforms accept."""
    return f"case when {expr} is not null then sha256({expr}) end"


def candidate_hashes(expr: str, salt: str) -> list[str]:
    """Salted hashes a free-text value may carry when its kind is unknown (a field of a
    quarantined file): as an email, as a phone and as an id."""
    return [hash_pii(normalize(expr, kind), salt) for kind in (KIND_EMAIL, KIND_PHONE, KIND_ID)]
