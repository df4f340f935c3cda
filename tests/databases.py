"""A fresh database for a test, a module or a live server: one rule for the whole suite.

SQLite (a file under ``root``) unless ``KYSO_TEST_DATABASE_URL`` names a PostgreSQL
database; then a schema of its own in it, dropped afterwards.

``MigratedTemplate``: a database this test process migrated once, copied for each test
that would otherwise start by migrating an empty one (the ``engine`` and ``container``
fixtures): the copy is the same database, without the migrations' 0.3 s (SQLite) or
0.35-1.4 s (PostgreSQL, its DDL; it varies with the server's load) per test. A SQLite copy
is the file; a PostgreSQL copy is a database made with ``CREATE DATABASE ... TEMPLATE``
(0.2-0.7 s with its drop, measured a smaller gain), its tables in ``public``,
and its URL names that schema the same way as ``fresh_database``'s. A module's live world
(``world_database``) gets a copy too on SQLite.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import make_url, text

from kyso.adapters.db.engine import make_engine
from kyso.adapters.db.schema import upgrade

__all__ = ["PG_URL", "MigratedTemplate", "drop_process_template", "fresh_database",
           "process_template", "world_database"]

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


def _pg_database_url(name: str) -> str:
    assert PG_URL
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3Dpublic"


class MigratedTemplate:
    """A database at the newest revision, made once per test process (``close`` drops it),
    and ``copy`` of it: a database of a test's own, as ``upgrade`` would leave an empty one.
    """

    def __init__(self) -> None:
        if PG_URL:
            self._admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
            self._name = f"kyso_test_tmpl_{uuid.uuid4().hex[:12]}"
            with self._admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{self._name}"'))
            url = _pg_database_url(self._name)
        else:
            self._dir = Path(tempfile.mkdtemp(prefix="kyso-template-"))
            url = f"sqlite:///{self._dir / 'kyso.db'}"
        engine = make_engine(url)
        try:
            upgrade(engine)
        finally:
            engine.dispose()  # SQLite: the last connection folds the WAL into the file

    @contextmanager
    def copy(self, root: Path) -> Iterator[str]:
        if not PG_URL:
            root.mkdir(parents=True, exist_ok=True)  # a world's home may not exist yet
            shutil.copyfile(self._dir / "kyso.db", root / "kyso.db")
            yield f"sqlite:///{root / 'kyso.db'}"
            return
        name = f"kyso_test_{uuid.uuid4().hex[:12]}"
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self._name}" '
                              "STRATEGY WAL_LOG"))
        try:
            yield _pg_database_url(name)
        finally:
            with self._admin.connect() as conn:  # FORCE: like DROP SCHEMA ... CASCADE, it
                # does not wait for what a test left connected
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))

    def close(self) -> None:
        if not PG_URL:
            shutil.rmtree(self._dir, ignore_errors=True)
            return
        with self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{self._name}" WITH (FORCE)'))
        self._admin.dispose()


_TEMPLATE: list[MigratedTemplate] = []  # this process's, made when first asked for


def process_template() -> MigratedTemplate:
    if not _TEMPLATE:
        _TEMPLATE.append(MigratedTemplate())
    return _TEMPLATE[0]


def drop_process_template() -> None:
    """At the end of the session (``tests/conftest.py``), if one was made."""
    while _TEMPLATE:
        _TEMPLATE.pop().close()


@contextmanager
def world_database(root: Path) -> Iterator[str]:
    """The database of a module's world (``init_home`` then migrates it, or finds it
    migrated): on SQLite a copy of this process's template (0.13 s against 0.65 s for the
    migrations, interleaved A/B on a busy machine); on PostgreSQL an empty schema, as
    before: there a ``CREATE DATABASE ... TEMPLATE`` and its drop measured no faster than
    the migrations of one world (0.6-1.1 s against 0.4-0.9 s)."""
    if PG_URL:
        with fresh_database(root) as url:
            yield url
        return
    with process_template().copy(root) as url:
        yield url
