"""A fresh database for a test, a module or a live server: one rule for the whole suite.

SQLite (a file under ``root``) unless ``KYSO_TEST_DATABASE_URL`` names a PostgreSQL
database; then a schema of its own in it, dropped afterwards.

``MigratedTemplate``: a database this test process migrated once, copied for each test
that would otherwise start by migrating an empty one (the ``engine`` and ``container``
fixtures): the copy is the same database, without the migrations' 0.3 s (SQLite) or
0.35-1.4 s (PostgreSQL, its DDL; it varies with the server's load) per test. A SQLite copy
is the file; a PostgreSQL copy is a database made with ``CREATE DATABASE ... TEMPLATE``
(0.2-0.7 s with its drop, measured a smaller gain), its tables in ``public``,
and its URL names that schema the same way as ``fresh_database``'s; once a test is done
with it, it is emptied and renamed for the next test rather than dropped
(``MigratedTemplate._put_back``). A module's live world
(``world_database``) gets a copy too on SQLite.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

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
            if PG_URL:
                with engine.connect() as conn:
                    self._shape = conn.execute(text(_SHAPE)).scalar_one()
                    self._tables = conn.execute(text(_TABLES)).scalars().all()
                    self._sequences = conn.execute(text(_SEQUENCES)).scalars().all()
                self._spare: list[str] = []  # copies tests used, emptied for the next
        finally:
            engine.dispose()  # SQLite: the last connection folds the WAL into the file

    @contextmanager
    def copy(self, root: Path) -> Iterator[str]:
        if not PG_URL:
            root.mkdir(parents=True, exist_ok=True)  # a world's home may not exist yet
            shutil.copyfile(self._dir / "kyso.db", root / "kyso.db")
            yield f"sqlite:///{root / 'kyso.db'}"
            return
        if self._spare:
            name = self._spare.pop()
        else:
            name = f"kyso_test_{uuid.uuid4().hex[:12]}"
            with self._admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self._name}" '
                                  "STRATEGY WAL_LOG"))
        try:
            yield _pg_database_url(name)
        finally:
            self._put_back(name)

    def _put_back(self, name: str) -> None:
        """The copy a test used, emptied for the next test under a new name (25-60 ms,
        median 28, on a quiet machine, where a new copy and the drop of this one took
        0.2-0.7 s), or dropped.

        First every connection to it ends and it takes a new name, so nothing the test left
        behind (a thread, a pool) can reach it again; then its rows go (the migrations
        leave none but ``alembic_version``'s) and its sequences restart. A copy whose
        tables, columns, indexes or constraints differ from the template's, or that is
        still in use, is dropped instead, as is every copy at the end.
        """
        fresh = f"kyso_test_{uuid.uuid4().hex[:12]}"
        with self._admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :name"), {"name": name})
            for _ in range(100):  # a backend ends a moment after its connection closes
                if not conn.execute(text("SELECT count(*) FROM pg_stat_activity "
                                         "WHERE datname = :name"), {"name": name}).scalar():
                    break
                time.sleep(0.005)
            try:
                conn.execute(text(f'ALTER DATABASE "{name}" RENAME TO "{fresh}"'))
            except DBAPIError:  # connected again meanwhile
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
                return
        engine = make_engine(_pg_database_url(fresh), poolclass=NullPool)
        same = False
        try:
            with engine.begin() as conn:
                same = conn.execute(text(_SHAPE)).scalar_one() == self._shape
                if same:
                    conn.execute(text("SET LOCAL session_replication_role = replica"))
                    for table in self._tables:  # foreign keys unchecked: any order
                        conn.execute(text(f'DELETE FROM "{table}"'))
                    for sequence in self._sequences:
                        conn.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
        except DBAPIError:  # not emptied: dropped below
            same = False
        finally:
            engine.dispose()
        if same:
            self._spare.append(fresh)
            return
        with self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{fresh}" WITH (FORCE)'))

    def close(self) -> None:
        if not PG_URL:
            shutil.rmtree(self._dir, ignore_errors=True)
            return
        with self._admin.connect() as conn:
            for name in [*self._spare, self._name]:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        self._spare.clear()
        self._admin.dispose()


# What a reused copy must still match: the template's tables and views, their columns,
# indexes, constraints, triggers and sequences, and its migrations' revisions.
_SHAPE = """
SELECT md5(concat_ws('|',
  (SELECT string_agg(c.relname || ':' || c.relkind::text, ',' ORDER BY c.relname)
     FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace),
  (SELECT string_agg(c.relname || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod)
                     || ':' || a.attnotnull || ':' || coalesce(pg_get_expr(d.adbin, d.adrelid), ''),
                     ',' ORDER BY c.relname, a.attnum)
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped),
  (SELECT string_agg(indexdef, ',' ORDER BY indexname) FROM pg_indexes
     WHERE schemaname = 'public'),
  (SELECT string_agg(conname || ':' || pg_get_constraintdef(oid), ',' ORDER BY conname)
     FROM pg_constraint WHERE connamespace = 'public'::regnamespace),
  (SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger t
     JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = 'public'::regnamespace),
  (SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version),
  (SELECT count(*) FROM pg_namespace)))
"""
_TABLES = """SELECT tablename FROM pg_tables WHERE schemaname = 'public'
              AND tablename <> 'alembic_version' ORDER BY tablename"""
_SEQUENCES = "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"


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
