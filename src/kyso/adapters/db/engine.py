"""Engines for SQLite (WAL, one writer at a time) and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, create_engine, event

from kyso.errors import InvalidInput

__all__ = ["is_sqlite", "make_engine", "open_writer", "reading", "transaction", "writer_lock"]

_WRITER_LOCKS: WeakKeyDictionary[Engine, threading.RLock] = WeakKeyDictionary()


READ_ONLY = "kyso_read_only"  # a connection execution option: its transactions only read


def writer_lock(engine: Engine) -> threading.RLock | None:
    """For SQLite, the in-process lock that serializes this engine's transactions.

    SQLite allows one writer; waiting on a lock wakes the next transaction at once, where
    SQLite's own busy handler would sleep and poll. Other processes still meet the database
    lock and its busy timeout.
    """
    return _WRITER_LOCKS.get(engine)


# the connection of the unit of work this thread has open for writing, per engine
_OPEN_WRITER: ContextVar[tuple[Engine, Connection] | None] = ContextVar("kyso_open_writer",
                                                                         default=None)


@contextmanager
def open_writer(engine: Engine, conn: Connection) -> Iterator[None]:
    """While a writing unit of work is open, :func:`transaction` joins it (SqlUnitOfWork)."""
    token = _OPEN_WRITER.set((engine, conn))
    try:
        yield
    finally:
        _OPEN_WRITER.reset(token)


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """The open writing unit of work's connection on this thread, else a transaction of its
    own (committed at the end). Joining matters on SQLite, where a second connection would
    wait for the first one's write lock; on both, what is written with a unit of work's
    change commits or rolls back with it."""
    joined = _OPEN_WRITER.get()
    if joined is not None and joined[0] is engine and joined[1].in_transaction():
        yield joined[1]
        return
    lock = writer_lock(engine)
    if lock is not None:
        lock.acquire()
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        if lock is not None:
            lock.release()


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """Like :func:`transaction`, to read only: a transaction of its own takes no write lock."""
    joined = _OPEN_WRITER.get()
    if joined is not None and joined[0] is engine and joined[1].in_transaction():
        yield joined[1]
        return
    with engine.connect() as conn:
        conn = conn.execution_options(**{READ_ONLY: True})
        with conn.begin():
            yield conn


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, busy_timeout: float = 30.0, **kwargs: Any) -> Engine:
    """Create an engine; on SQLite every transaction is ``BEGIN IMMEDIATE``.

    Taking the write lock at the start makes SQLite transactions serializable: two writers
    never both read the same state and then race (the audit chain head, counters, grants).
    ``busy_timeout``: how long a SQLite writer waits for another process's lock before the
    database counts as unavailable (503). PostgreSQL connections are pinged before use, so a
    node reconnects by itself after the database comes back.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": busy_timeout}, **kwargs)
        _configure_sqlite(engine, int(busy_timeout * 1000))
        _WRITER_LOCKS[engine] = threading.RLock()
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)
    _configure_postgresql(engine)
    return engine


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "handle_error")
    def _nul_text(context: Any) -> None:
        # PostgreSQL text cannot hold NUL; psycopg refuses it before sending. It is bad
        # input wherever it comes from (a path, a query, a JSON string): 400, not 500.
        if "NUL (0x00)" in str(context.original_exception):
            raise InvalidInput("text may not contain NUL characters") \
                from context.original_exception


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms:d}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        read_only = conn.get_execution_options().get(READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
