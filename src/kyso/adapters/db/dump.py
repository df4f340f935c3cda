"""A consistent copy of the database, and putting one back (``kyso backup`` / ``restore``).

- **SQLite**: the online backup API (``sqlite3.Connection.backup``) in one step copies a
  consistent snapshot while kyso keeps writing (copying the file is not safe); the audit
  head is read from the copy itself, so it is exactly the copy's.
- **PostgreSQL**: ``pg_dump -Fc`` of the schema kyso uses (the ``search_path``'s first one,
  ``public`` by default). The audit head is read in a REPEATABLE READ transaction that
  exports its snapshot, and pg_dump dumps that very snapshot (``--snapshot``): the head and
  the dump agree even while nodes sign. ``pg_dump``/``pg_restore`` must be at least the
  server's major version (Debian's ``postgresql-client``). A restore runs in one transaction
  (``--single-transaction --exit-on-error``): it lands whole or not at all.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from kyso.adapters.db.engine import make_engine
from kyso.backup.errors import BackupError

__all__ = ["Dumped", "database_is_empty", "drop_restored", "dump_database", "restore_database",
           "sqlite_path"]

_RELATIONS = ("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
              "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S')")
_TIMEOUT = 3600.0  # seconds for pg_dump / pg_restore


@dataclass(frozen=True)
class Dumped:
    path: Path
    head: tuple[int, str]
    info: dict[str, Any]  # what the manifest records about the database


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for PostgreSQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if parsed.database in (None, "", ":memory:"):
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(parsed.database)


def dump_database(url: str, folder: Path) -> Dumped:
    path = sqlite_path(url)
    if path is not None:
        return _dump_sqlite(path, folder / "database.sqlite")
    return _dump_postgresql(make_url(url), folder / "database.pgdump")


def database_is_empty(url: str) -> bool:
    path = sqlite_path(url)
    if path is not None:
        if not path.exists() or path.stat().st_size == 0:
            return True
        with _sqlite(path) as conn:
            return int(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]) == 0
    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(_RELATIONS)).scalar_one()) == 0
    finally:
        engine.dispose()


def restore_database(url: str, dump: Path, info: dict[str, Any], *, staged: Path | None,
                     force: bool) -> None:
    """Put ``dump`` back. SQLite: into ``staged`` (a file the caller moves into place once
    everything is checked). PostgreSQL: into the configured schema, in one transaction."""
    kind = "sqlite" if sqlite_path(url) is not None else "postgresql"
    if info.get("kind") != kind:
        raise BackupError(f"this backup holds a {info.get('kind')} database; the target "
                          f"database is {kind}")
    if kind == "sqlite":
        assert staged is not None
        shutil.copyfile(dump, staged)
        with _sqlite(staged) as conn:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("the SQLite copy fails its integrity check")
        return
    _restore_postgresql(make_url(url), dump, str(info.get("schema")), force=force)


def drop_restored(url: str) -> None:
    """Undo a PostgreSQL restore whose check failed: drop what the schema now holds (it
    was empty before, or the caller was told to replace it)."""
    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            tables = conn.execute(text("SELECT tablename FROM pg_tables "
                                       "WHERE schemaname = current_schema()")).scalars().all()
            for table in tables:
                conn.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
            sequences = conn.execute(text(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()"
            )).scalars().all()
            for sequence in sequences:
                conn.execute(text(f'DROP SEQUENCE IF EXISTS "{sequence}" CASCADE'))
    finally:
        engine.dispose()


# SQLite

def _sqlite(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=60)
    return conn


def _dump_sqlite(source: Path, target: Path) -> Dumped:
    if not source.exists():
        raise BackupError(f"the SQLite database {source} does not exist")
    src, dst = _sqlite(source), sqlite3.connect(target)
    try:
        src.backup(dst)  # one step: a consistent snapshot, even while others write
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        head = _sqlite_head(dst)
        version = src.execute("SELECT sqlite_version()").fetchone()[0]
    finally:
        src.close()
        dst.close()
    return Dumped(target, head, {"kind": "sqlite", "version": version})


def _sqlite_head(conn: sqlite3.Connection) -> tuple[int, str]:
    try:
        row = conn.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    except sqlite3.Error as exc:
        raise BackupError("the database has no audit trail: is it kyso's?") from exc
    return (int(row[0]), str(row[1])) if row else (0, "")


# PostgreSQL

def _dump_postgresql(url: URL, target: Path) -> Dumped:
    pg_dump = _tool("pg_dump")
    engine = make_engine(url.render_as_string(hide_password=False), poolclass=NullPool)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, \
                conn.begin():
            conn.execute(text("SET TRANSACTION READ ONLY"))
            snapshot = str(conn.execute(text("SELECT pg_export_snapshot()")).scalar_one())
            schema, server = _schema_and_version(conn)
            _check_version(pg_dump, server)
            row = conn.execute(text("SELECT seq, hash FROM audit_head WHERE id = 1")).first()
            head = (int(row[0]), str(row[1])) if row else (0, "")
            _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--schema={schema}",
                  "--no-owner", "--no-acl", f"--file={target}", f"--dbname={_libpq(url)}"],
                 url, "pg_dump")
    finally:
        engine.dispose()
    return Dumped(target, head, {"kind": "postgresql", "schema": schema,
                                 "server_version": server, "tool": _version_text(pg_dump)})


def _restore_postgresql(url: URL, dump: Path, schema: str, *, force: bool) -> None:
    pg_restore = _tool("pg_restore")
    engine = make_engine(url.render_as_string(hide_password=False), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            target, server = _schema_and_version(conn)
    finally:
        engine.dispose()
    _check_version(pg_restore, server)
    if target != schema:
        raise BackupError(f"this backup holds the schema {schema!r}; the target database's "
                          f"schema is {target!r} (set search_path, e.g. "
                          f"?options=-csearch_path%3D{schema}, and create that schema)")
    listing = subprocess.run(  # noqa: S603 -- a tool found on PATH, arguments as a list
        [pg_restore, "--list", str(dump)], capture_output=True, text=True, timeout=_TIMEOUT,
        check=False)
    if listing.returncode != 0:
        raise BackupError(f"pg_restore cannot read the dump: {listing.stderr.strip()[:300]}")
    # the schema itself exists already in the target: restore what is in it
    items = [line for line in listing.stdout.splitlines()
             if not re.match(r"^\d+;\s+\d+\s+\d+\s+SCHEMA\s", line)]
    handle, name = tempfile.mkstemp(prefix="kyso-restore-", suffix=".list")
    list_file = Path(name)
    with os.fdopen(handle, "w") as out:
        out.write("\n".join(items) + "\n")
    try:
        _run([pg_restore, "--single-transaction", "--exit-on-error", "--no-owner", "--no-acl",
              *(["--clean", "--if-exists"] if force else []), f"--use-list={list_file}",
              f"--dbname={_libpq(url)}", str(dump)], url, "pg_restore")
    finally:
        list_file.unlink(missing_ok=True)


def _schema_and_version(conn: Connection) -> tuple[str, int]:
    schema = conn.execute(text("SELECT current_schema()")).scalar()
    if not schema:
        raise BackupError("the database's search_path names no existing schema")
    server = int(conn.execute(text("SHOW server_version_num")).scalar_one())
    return str(schema), server


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install "
                          "postgresql-client, scripts/system-deps.sh)")
    return found


def _version_text(tool: str) -> str:
    out = subprocess.run([tool, "--version"],  # noqa: S603 -- a tool found on PATH
                         capture_output=True, text=True, timeout=30, check=False)
    return out.stdout.strip()


def _check_version(tool: str, server_version_num: int) -> None:
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", _version_text(tool))
    major = int(found.group(1)) if found else 0
    if major < server_version_num // 10000:
        raise BackupError(f"{Path(tool).name} {major} is older than the server "
                          f"({server_version_num // 10000}): install a matching "
                          "postgresql-client")


def _libpq(url: URL) -> str:
    """A libpq URI without the password (it goes in PGPASSWORD, not in ``ps``)."""
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False)


def _run(command: list[str], url: URL, name: str) -> None:
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    done = subprocess.run(command,  # noqa: S603 -- pg_dump/pg_restore, arguments as a list
                          capture_output=True, text=True, env=env, timeout=_TIMEOUT,
                          check=False)
    if done.returncode != 0:
        raise BackupError(f"{name} failed: {done.stderr.strip()[:500]}")
