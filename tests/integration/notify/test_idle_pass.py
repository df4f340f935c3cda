"""An outbox pass that finds nothing to do (most passes: one a second in the duties of every
node) only reads: it neither writes nor, on SQLite, waits for the one write lock that every
signing request needs; its chore of settling SP769 requests likewise."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import pytest
from sqlalchemy import event

from kyso.bootstrap import Container


def _idle_pass(container: Container) -> int:
    return container.outbox_worker(make_receipts=False).run_once()


def test_an_idle_pass_only_reads(container: Container) -> None:
    _idle_pass(container)  # the first pass may make what is made once (none expected)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.upper())

    event.listen(container.engine, "before_cursor_execute", seen)
    try:
        assert _idle_pass(container) == 0
    finally:
        event.remove(container.engine, "before_cursor_execute", seen)
    assert len(statements) >= 2  # the outbox and the SP769 requests were looked at
    writes = [s for s in statements
              if s.lstrip().startswith(("UPDATE", "INSERT", "DELETE")) or "FOR UPDATE" in s]
    assert writes == []


def test_an_idle_pass_does_not_wait_for_sqlites_write_lock(container: Container) -> None:
    if container.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock (PostgreSQL's case: the test above)")
    _idle_pass(container)
    other = sqlite3.connect(str(container.engine.url.database), timeout=0,
                            isolation_level=None)
    done: list[int] = []
    try:
        other.execute("BEGIN IMMEDIATE")  # a long writer elsewhere (another process)
        thread = threading.Thread(target=lambda: done.append(_idle_pass(container)))
        thread.start()
        thread.join(timeout=5)  # a claim would wait for the lock (busy timeout: 30 s)
        assert done == [0]
    finally:
        other.execute("ROLLBACK")
        other.close()
    thread.join(timeout=60)
