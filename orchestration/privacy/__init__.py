"""Privacy: erasure requests, the suppression list that keeps erased people out of later loads,
and the quarantine scrub. See README.md (Privacy) for the contract."""

from orchestration.privacy.erasure import ErasureResult, execute_erasures
from orchestration.privacy.suppression import ensure_privacy_schema, suppressed_rows_sql

__all__ = [
    "ErasureResult",
    "ensure_privacy_schema",
    "execute_erasures",
    "suppressed_rows_sql",
]
