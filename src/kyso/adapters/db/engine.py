"""Engines for SQLite (WAL, one writer at a time) and PostgreSQL."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from weakref import WeakKeyDictionary, WeakSet

from sqlalchemy import Connection, Engine, PoolProxiedConnection, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError, InvalidatePoolError

from kyso.errors import InvalidInput, Text

__all__ = ["PG_CONNECT_DEFAULTS", "WriterBusy", "WriterLock", "begin_writing",
           "checkpoint_wal", "end_reading", "is_sqlite", "leave_checkpoints", "make_engine",
           "mark_read_only", "open_writer", "reading", "transaction", "writer_lock",
           "writer_patience"]


class WriterBusy(BaseException):  # not an error: where to wait (api/hot.py)
    """Another writer held SQLite past :func:`writer_patience`: nothing was written, and the
    caller is to run its work again where waiting holds nobody else up.

    A ``BaseException``, as ``asyncio.CancelledError`` is: control flow that no ``except
    Exception`` on the way may take for a failure of its own."""


class _Patience:
    def __init__(self, seconds: float) -> None:
        # begin: the WriterLock was just taken within the patience, and the BEGIN IMMEDIATE
        # that follows it waits for SQLite's own lock no longer either
        self.seconds, self.spent, self.begin = seconds, False, False


# how long the first writer-lock wait of this context may take before WriterBusy (unset: as
# long as it takes)
_PATIENCE: ContextVar[_Patience | None] = ContextVar("kyso_writer_patience", default=None)


@contextmanager
def writer_patience(seconds: float) -> Iterator[None]:
    """Within this block, the first wait for a :class:`WriterLock` gives up after ``seconds``
    with :class:`WriterBusy`, and so does the ``BEGIN IMMEDIATE`` right after it, for SQLite's
    own lock (a program that takes no WriterLock writing: ``sqlite3`` in a shell); once it
    has both (or gave up), every later wait takes as long as it must — what the block wrote
    before is not to be written twice.

    For work run on an event loop's own thread (``api/hot.py``): waiting there holds up every
    other request of the process, so a long wait is left to a thread instead."""
    token = _PATIENCE.set(_Patience(seconds))
    try:
        yield
    finally:
        _PATIENCE.reset(token)


def _flock(fd: int, deadline: float | None) -> None:
    """The other processes' lock: waited for, or polled until ``deadline`` (``flock`` cannot
    wait with one), with naps from 50 µs that double up to 1 ms — the wait is the other
    writer's transaction, a fraction of a millisecond on the hot paths."""
    if deadline is None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return
    nap = 50e-6
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() + nap > deadline:
                raise WriterBusy from None
            time.sleep(nap)
            nap = min(2 * nap, 1e-3)


class WriterLock:
    """SQLite's one writer, queued: a thread lock for this process's threads, then an
    advisory lock (``flock``) on a file beside the database for the other processes (the
    workers of ``kyso serve --workers N``, ``kyso worker``, the CLI).

    A writer waiting on either wakes as soon as the lock is free, where SQLite's busy
    handler sleeps and polls (naps of up to 100 ms) when another process writes. (On a
    busy shared machine an A/B of two ``kyso serve --workers 2`` showed no difference
    either way; the 40 ms stalls of two workers were Nagle's, ``cli/listen.py``.) The
    kernel drops the lock of a process that dies, so a crash never leaves it held;
    SQLite's own lock stays the rule for any process that does not take this one.
    """

    def __init__(self, path: str | None) -> None:
        self._thread = threading.RLock()
        self._path, self._fd, self._pid, self._depth = path, -1, 0, 0

    def acquire(self) -> None:
        """Wait as long as it takes; within a :func:`writer_patience` whose first wait this
        is, :class:`WriterBusy` after its seconds instead."""
        patience = _PATIENCE.get()
        if patience is None or patience.spent:
            self._take(None)
            return
        patience.spent = True
        self._take(time.monotonic() + patience.seconds)
        patience.begin = True  # the BEGIN IMMEDIATE that follows waits no longer either

    def _take(self, deadline: float | None) -> None:
        wait = -1 if deadline is None else max(0.0, deadline - time.monotonic())
        if not self._thread.acquire(timeout=wait):
            raise WriterBusy
        try:
            if self._depth == 0 and self._path is not None:
                _flock(self._file(), deadline)
            self._depth += 1
        except BaseException:
            self._thread.release()
            raise

    def release(self) -> None:
        self._depth -= 1
        try:
            if self._depth == 0 and self._path is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread.release()

    def _file(self) -> int:
        if self._fd < 0 or self._pid != os.getpid():  # a forked child opens its own
            assert self._path is not None
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        return self._fd

    def __del__(self) -> None:
        if self._fd >= 0 and self._pid == os.getpid():
            os.close(self._fd)


_WRITER_LOCKS: WeakKeyDictionary[Engine, WriterLock] = WeakKeyDictionary()


READ_ONLY = "kyso_read_only"  # in a pooled connection's info: its transactions only read
# On PostgreSQL a read-only transaction runs in autocommit: READ COMMITTED (the default) gives
# each statement its own snapshot inside a transaction as well, so the reads see what they
# did, without the BEGIN and the ROLLBACK — two round trips of every read-only unit of work
# (the bearer check, signHash's read) — and holding no snapshot between statements.

# Connections kept open per engine, and how many more a burst may open. A request runs in
# one of the ASGI server's 40 worker threads and holds a connection per unit of work; with
# SQLAlchemy's default (5 kept) a burst of 8 signing clients opened and closed connections
# all the time (a PostgreSQL backend started per request, the SQLite pragmas run again).
POOL_SIZE, POOL_OVERFLOW = 16, 24


# libpq parameters a PostgreSQL connection gets unless the URL names them. A database host
# that vanishes (a failed machine, a partition: no RST) would otherwise hold a new
# connection until the kernel gives up (minutes) before libpq tries the next host of a
# multi-host URL, and hold a query on an open connection as long; with these a connect
# attempt ends after 5 s and a silent peer is noticed after about 25 s (docs/OPERATIONS.md).
PG_CONNECT_DEFAULTS: dict[str, int] = {
    "connect_timeout": 5, "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
    "keepalives_count": 3}


def writer_lock(engine: Engine) -> WriterLock | None:
    """For SQLite, the lock that serializes this engine's write transactions, within this
    process and with the other processes on the same database file (:class:`WriterLock`).

    SQLite allows one writer; waiting on a lock wakes the next transaction at once, where
    SQLite's own busy handler would sleep and poll.
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
    with engine.connect() as conn, mark_read_only(conn).begin():
        yield conn


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, busy_timeout: float = 30.0, **kwargs: Any) -> Engine:
    """Create an engine; on SQLite every transaction is ``BEGIN IMMEDIATE``.

    Taking the write lock at the start makes SQLite transactions serializable: two writers
    never both read the same state and then race (the audit chain head, counters, grants).
    ``busy_timeout``: how long a SQLite writer waits for another process's lock before the
    database counts as unavailable (503). PostgreSQL connections idle for a second are
    pinged before use, and a connection lost in use invalidates the pool, so a node
    reconnects by itself after the database comes back or fails over (a multi-host URL
    with ``target_session_attrs=read-write`` finds the new primary), with the
    :data:`PG_CONNECT_DEFAULTS` the URL does not set.
    """
    if "poolclass" not in kwargs and ":memory:" not in url:
        kwargs.setdefault("pool_size", POOL_SIZE)
        kwargs.setdefault("max_overflow", POOL_OVERFLOW)
        kwargs.setdefault("pool_use_lifo", True)  # the connection used last: a warm cache
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": busy_timeout}, **kwargs)
        _configure_sqlite(engine, int(busy_timeout * 1000))
        _unmark_at_checkin(engine)
        database = engine.url.database
        _WRITER_LOCKS[engine] = WriterLock(f"{database}-writer" if _on_disk(engine) else None)
        return engine
    named = make_url(url).query
    kwargs["connect_args"] = {**{k: v for k, v in PG_CONNECT_DEFAULTS.items()
                                 if k not in named}, **kwargs.get("connect_args", {})}
    engine = create_engine(url, **kwargs)
    _configure_postgresql(engine)
    _unmark_at_checkin(engine)
    if not kwargs.get("pool_pre_ping"):
        _ping_after_idle(engine)
    return engine


def _on_disk(engine: Engine) -> bool:
    """A SQLite database in a file (not in memory)."""
    url = engine.url
    return url.database not in (None, "", ":memory:") \
        and "mode=memory" not in url.render_as_string(hide_password=True)


def _unmark_at_checkin(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _unmark(_dbapi_connection: Any, record: Any) -> None:
        record.info.pop(READ_ONLY, None)  # the next checkout writes unless marked again


# A pooled PostgreSQL connection idle this long is pinged before it is used again. SQLAlchemy's
# pool_pre_ping pings on every checkout: three round trips per signHash (the bearer check, the
# read, the write). A connection in steady use is not pinged; one that died while in use (a
# failover mid-load) fails its statement, 503, and SQLAlchemy then invalidates every pooled
# connection older than that failure, so the next checkouts connect afresh.
PING_AFTER_IDLE_SECONDS = 1.0
_IDLE_SINCE = "kyso_idle_since"


def _ping_after_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return  # a fresh connection, or one in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            if engine.dialect.is_disconnect(exc, dbapi_connection, None):
                # this one and every connection pooled before now: connect afresh
                raise InvalidatePoolError() from exc
            raise


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "handle_error")
    def _nul_text(context: Any) -> None:
        # PostgreSQL text cannot hold NUL; psycopg refuses it before sending. It is bad
        # input wherever it comes from (a path, a query, a JSON string): 400, not 500.
        if "NUL (0x00)" in str(context.original_exception):
            raise InvalidInput(Text("văn bản không được chứa ký tự NUL",
                                    "text may not contain NUL characters")) \
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

    @event.listens_for(engine, "checkout")
    def _checkpointing(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        pages = _AUTOCHECKPOINT_PAGES[engine in _CHECKPOINTED]
        if record.info.get(_AUTOCHECKPOINT) != pages:  # once per connection and change
            dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={pages:d}")
            record.info[_AUTOCHECKPOINT] = pages

    # BEGIN from the dialect, not from a "begin" event: any connection event makes SQLAlchemy
    # dispatch its (empty) execute events around every statement, 6-8 µs each, a quarter of
    # a short statement's cost; pool events (connect, checkout, checkin) do not
    engine.dialect.do_begin = _begin  # type: ignore[method-assign]  # this engine's own dialect


# SQLite copies its write-ahead log back into the database file (a checkpoint) in the commit
# that finds the log past wal_autocheckpoint pages: that commit writes and syncs the file,
# holding the write lock every other writer waits for. Where a process runs
# checkpoint_wal, a thread of its own does it instead, without the write lock, and the
# commits only do it past a much longer log (the thread stopped or fell behind).
_AUTOCHECKPOINT = "kyso_wal_autocheckpoint"
_AUTOCHECKPOINT_PAGES = {False: 1000, True: 16000}  # SQLite's default; 64 MiB of 4 KiB pages
_CHECKPOINTED: WeakSet[Engine] = WeakSet()
CHECKPOINT_SECONDS = 0.2


def checkpoint_wal(engine: Engine, stop: threading.Event,
                   every: float = CHECKPOINT_SECONDS) -> threading.Thread | None:
    """For a SQLite database on disk, a thread that checkpoints its write-ahead log every
    ``every`` seconds until ``stop`` is set (``kyso serve``; ``PASSIVE``: it waits for no
    reader and no writer, and copies what no reader still needs), while the engine's
    commits leave it to this thread. ``bench/ab_signhash.py``, 2 workers: +9 to 12 %
    signHash/s. None for PostgreSQL or a database in memory."""
    database = engine.url.database
    if not is_sqlite(engine) or not _on_disk(engine) or database is None:
        return None
    _CHECKPOINTED.add(engine)

    def run() -> None:
        conn = None
        try:  # whatever ends this thread, the commits checkpoint again
            conn = sqlite3.connect(database, timeout=0, isolation_level=None)
            while not stop.wait(every):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:  # busy (another process checkpoints): next time
                    if not isinstance(exc, sqlite3.OperationalError):
                        raise
        finally:
            _CHECKPOINTED.discard(engine)
            if conn is not None:
                conn.close()

    thread = threading.Thread(target=run, name="kyso-wal-checkpoint", daemon=True)
    thread.start()
    return thread


def leave_checkpoints(engine: Engine) -> None:
    """This process's commits leave the checkpoints to another process's
    :func:`checkpoint_wal` (``kyso serve --workers N``: its duties process), but for the
    same safety net."""
    if is_sqlite(engine) and _on_disk(engine):
        _CHECKPOINTED.add(engine)


def _begin(dbapi_connection: PoolProxiedConnection) -> None:
    # straight to the driver: every unit of work begins here, and the whole statement
    # machinery (exec_driver_sql) cost more than the BEGIN; a failure (the database locked
    # past busy_timeout) becomes SQLAlchemy's OperationalError as any DBAPI error (503)
    read_only = dbapi_connection.info.get(READ_ONLY, False)
    if read_only:
        _driver(dbapi_connection).execute("BEGIN")
    else:
        _begin_immediate(_driver(dbapi_connection))


def _begin_immediate(driver: sqlite3.Connection) -> None:
    """``BEGIN IMMEDIATE``; right after a :class:`WriterLock` taken within a
    :func:`writer_patience`, SQLite's own wait for its lock is bounded by that patience too
    (:class:`WriterBusy`), then the connection's busy timeout is set back."""
    patience = _PATIENCE.get()
    if patience is None or not patience.begin:
        driver.execute("BEGIN IMMEDIATE")
        return
    patience.begin = False
    (usual,) = driver.execute("PRAGMA busy_timeout").fetchone()
    driver.execute(f"PRAGMA busy_timeout={max(1, round(patience.seconds * 1000)):d}")
    try:
        driver.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY:
            raise WriterBusy from None
        raise
    finally:
        driver.execute(f"PRAGMA busy_timeout={int(usual):d}")


def _driver(dbapi_connection: PoolProxiedConnection) -> Any:
    return dbapi_connection.driver_connection


def _to_driver(conn: Connection, statement: str) -> None:
    try:
        _driver(conn.connection).execute(statement)
    except sqlite3.Error as exc:
        raise DBAPIError.instance(statement, (), exc, sqlite3.Error) from exc


def mark_read_only(conn: Connection) -> Connection:
    """Mark ``conn``'s transactions as reading only, until :func:`begin_writing` or its return
    to the pool: on SQLite they begin with a deferred ``BEGIN``, which takes no write lock
    and waits for no writer; on PostgreSQL its statements run in autocommit (no ``BEGIN`` or
    ``ROLLBACK`` sent). Call it before the transaction begins."""
    conn.connection.info[READ_ONLY] = True
    if not is_sqlite(conn.engine):
        conn.execution_options(isolation_level="AUTOCOMMIT")  # reset when pooled again
    return conn


def end_reading(conn: Connection) -> None:
    """SQLite: end the connection's read transaction (``BEGIN``), inside what SQLAlchemy
    still counts as one transaction; :func:`begin_writing` begins the next. Between the two
    the connection holds no lock and no snapshot."""
    _to_driver(conn, "COMMIT")


def begin_writing(conn: Connection) -> None:
    """After :func:`end_reading` on SQLite, begin a writing transaction (``BEGIN IMMEDIATE``:
    the database's write lock; the caller holds the :class:`WriterLock`); on PostgreSQL
    leave autocommit for one transaction (the reads before it held nothing, as between two
    units of work). The connection's next transactions begin writing too."""
    conn.connection.info.pop(READ_ONLY, None)
    if is_sqlite(conn.engine):
        try:
            _begin_immediate(_driver(conn.connection))
        except sqlite3.Error as exc:
            raise DBAPIError.instance("BEGIN IMMEDIATE", (), exc, sqlite3.Error) from exc
    elif conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        conn.rollback()  # SQLAlchemy's own bookkeeping: in autocommit nothing is sent
        conn.execution_options(isolation_level=conn.default_isolation_level)
        conn.begin()
