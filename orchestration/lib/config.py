"""All configuration read from the environment, in one place.

| env var              | meaning                                   | default                     |
|----------------------|-------------------------------------------|-----------------------------|
| OMNI_LANDING_DIR     | landing folder, one subfolder per source  | data/landing                |
| OMNI_QUARANTINE_DIR  | where failing files are moved             | data/quarantine             |
| OMNI_WAREHOUSE       | the DuckDB warehouse file                 | data/warehouse.duckdb       |
| OMNI_TRUTH_DIR       | generator ground truth (never landed)     | data/truth                  |
| OMNI_PII_SALT        | salt for hashing personal data            | none: required (see below)  |
| OMNI_DEMO            | "1" lets a demo run use a dev salt        | unset                       |

Relative paths are resolved against the project directory, so commands behave the same from
any working directory.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_DIR

#: The salt used only when OMNI_DEMO=1 and no OMNI_PII_SALT is set. Never for real data.
DEMO_SALT = "omni-demo-salt-not-for-production"


class ConfigError(RuntimeError):
    """A required setting is missing or wrong; the message says which and what to do."""


def path_setting(var: str, default: str) -> Path:
    """Read a path setting; relative paths are taken from the project directory."""
    value = os.environ.get(var) or default
    path = Path(value).expanduser()
    return path if path.is_absolute() else (PROJECT_DIR / path)


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    quarantine_dir: Path
    warehouse: Path
    truth_dir: Path
    pii_salt: str
    salt_is_demo: bool

    @property
    def ledger_dir(self) -> Path:
        """Landing ledger and reports live beside the warehouse file."""
        return self.warehouse.parent


def pii_salt() -> tuple[str, bool]:
    """Return (salt, is_demo). Fails at once when no salt is set outside the demo."""
    salt = os.environ.get("OMNI_PII_SALT", "")
    if salt:
        return salt, False
    if os.environ.get("OMNI_DEMO") == "1":
        return DEMO_SALT, True
    raise ConfigError(
        "OMNI_PII_SALT is not set. Personal data is hashed with this salt from staging on; "
        "set it to a long random secret (e.g. `export OMNI_PII_SALT=$(openssl rand -hex 32)`), "
        "or run the demo (`make run`), which sets OMNI_DEMO=1 and uses a dev salt."
    )


def settings() -> Settings:
    salt, is_demo = pii_salt()
    return Settings(
        landing_dir=path_setting("OMNI_LANDING_DIR", "data/landing"),
        quarantine_dir=path_setting("OMNI_QUARANTINE_DIR", "data/quarantine"),
        warehouse=path_setting("OMNI_WAREHOUSE", "data/warehouse.duckdb"),
        truth_dir=path_setting("OMNI_TRUTH_DIR", "data/truth"),
        pii_salt=salt,
        salt_is_demo=is_demo,
    )


def export_for_dbt(cfg: Settings) -> None:
    """Put the resolved settings in the environment dbt reads (profiles.yml, vars)."""
    os.environ["OMNI_WAREHOUSE"] = str(cfg.warehouse)
    os.environ["OMNI_PII_SALT"] = cfg.pii_salt
    if cfg.salt_is_demo:
        print(
            "NOTE: demo run: OMNI_PII_SALT is not set, using the built-in dev salt. "
            "Never use it for real data.",
            file=sys.stderr,
        )


def landing_dir() -> Path:
    return path_setting("OMNI_LANDING_DIR", "data/landing")


def truth_dir() -> Path:
    return path_setting("OMNI_TRUTH_DIR", "data/truth")
