"""Running the ``kyso`` command on a home of its own, as an operator would (a subprocess with
a permissive umask, so that only kyso's own care makes the files private)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.e2e.harness import CHEAP, KYSO, clean_env

__all__ = ["EC_KEYS", "home_database", "kyso", "modes"]

EC_KEYS = {"KYSO_PKI_CA_KEY": "ec-p256", "KYSO_PKI_RESPONDER_KEY": "ec-p256",
           "KYSO_PKI_TSA_KEY": "ec-p256"}


def home_database(db_url: str) -> str | None:
    """PostgreSQL's URL, or None: SQLite's file in the home (kyso's default)."""
    return None if db_url.startswith("sqlite") else db_url


def kyso(home: Path, db_url: str | None, *args: str,
         **env: str) -> subprocess.CompletedProcess[str]:
    database = {"KYSO_DATABASE_URL": db_url} if db_url else {}
    environment = clean_env(KYSO_HOME=str(home), **CHEAP | EC_KEYS | database | env)
    return subprocess.run([*KYSO, *args], env=environment, capture_output=True, text=True,
                          timeout=180, check=False, preexec_fn=lambda: os.umask(0o022))


def modes(home: Path) -> dict[str, int]:
    """Every path under ``home`` (and itself, as ".") with its permission bits."""
    found = {".": home.stat().st_mode & 0o777}
    for path in home.rglob("*"):
        found[str(path.relative_to(home))] = path.lstat().st_mode & 0o777
    return found
