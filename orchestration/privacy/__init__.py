"""Privacy: erasure requests, the suppression list that keeps erased people out of later loads,
and the quarantine scrub. See README.md (Privacy) for the contract."""

from orchestration.privacy.erasure import ErasureResult, execute_erasures
from orchestration.privacy.suppression import drop_suppressed, ensure_privacy_schema

__all__ = ["ErasureResult", "drop_suppressed", "ensure_privacy_schema", "execute_erasures"]
