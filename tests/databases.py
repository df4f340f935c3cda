"""A fresh database for a test, a module or a live server: one rule for the whole suite.

SQLite (a file under ``root``) unless ``KYSO_TEST_DATABASE_URL`` names a PostgreSQL
database; then a schema of its own in it, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from kyso.adapters.db.engine import make_engine

__all__ = ["PG_URL", "fresh_database"]

PG_URL = os.environ.get("KYSO_TEST_DATABASE_URL")


@contextmanager
def fresh_database(root: Path) -> Iterator[str]:
    """The URL of an empty database (no tables yet)."""
    if not PG_URL:
        yield f"sqlite:///{root / 'kyso.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
