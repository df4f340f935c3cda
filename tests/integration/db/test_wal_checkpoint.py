"""SQLite's write-ahead log checkpointed by a thread of its own (adapters/db/engine.py,
``checkpoint_wal``), not inside the commits every writer waits for."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import text

from kyso.adapters.db.engine import checkpoint_wal, make_engine


def _autocheckpoint(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar())


def _write(engine, rows: int) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS t (x BLOB)"))
        conn.execute(text("INSERT INTO t VALUES (randomblob(2000))"), [{}] * rows)


def test_the_thread_copies_the_log_back_and_the_commits_leave_it(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'k.db'}")
    _write(engine, 1)
    database = tmp_path / "k.db"
    assert _autocheckpoint(engine) == 1000  # SQLite's own, with no thread
    before = database.stat().st_size
    _write(engine, 200)  # some 100 pages: under 1000, no commit checkpoints them
    assert database.stat().st_size == before

    stop = threading.Event()
    thread = checkpoint_wal(engine, stop, every=0.05)
    assert thread is not None
    try:
        assert _autocheckpoint(engine) == 16000  # the commits leave it to the thread
        deadline = time.monotonic() + 10
        copied = before + 200 * 2000  # the rows' pages in the file (seen growing in steps
        while database.stat().st_size <= copied and time.monotonic() < deadline:  # mid-copy)
            time.sleep(0.05)
        assert database.stat().st_size > copied  # copied into the file
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
    assert _autocheckpoint(engine) == 1000  # stopped: the commits checkpoint again
    engine.dispose()


def test_nothing_to_checkpoint_in_memory_or_on_postgresql() -> None:
    for url in ("sqlite:///:memory:", "postgresql+psycopg://kyso@127.0.0.1:1/none"):
        engine = make_engine(url)  # neither connects here
        assert checkpoint_wal(engine, threading.Event()) is None
        engine.dispose()
