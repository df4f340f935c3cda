"""The unit of work on both databases: commit, rollback, and read-only transactions."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, event

from kyso.adapters.db.uow import SqlUnitOfWork, shared_reads
from kyso.audit.model import AuditEvent

AT = datetime(2027, 1, 15, 8, 0, tzinfo=UTC)


# inline audit mode: these tests use the trail as a plain table written and read back
def _append(engine: Engine, action: str) -> None:
    with SqlUnitOfWork(engine, audit_chain="inline") as uow:
        uow.audit.append(AuditEvent(action, actor="test"), AT)
        uow.commit()


def _actions(engine: Engine) -> list[str]:
    with SqlUnitOfWork(engine, read_only=True, audit_chain="inline") as uow:
        return [r.event.action for r in uow.audit.records()]


def test_work_after_a_commit_is_its_own_transaction(engine: Engine) -> None:
    with SqlUnitOfWork(engine, audit_chain="inline") as uow:
        uow.audit.append(AuditEvent("kept", actor="test"), AT)
        uow.commit()
        uow.audit.append(AuditEvent("dropped", actor="test"), AT)  # never committed
    assert _actions(engine) == ["kept"]


def test_a_read_only_unit_of_work_cannot_commit(engine: Engine) -> None:
    with SqlUnitOfWork(engine, read_only=True) as uow, pytest.raises(RuntimeError):
        uow.commit()


def test_reads_do_not_wait_for_a_writer(engine: Engine) -> None:
    """A writer holds its transaction open; a read-only unit of work still reads (the last
    committed state) instead of queueing behind it."""
    _append(engine, "before")
    writing, release = threading.Event(), threading.Event()

    def writer() -> None:
        with SqlUnitOfWork(engine, audit_chain="inline") as uow:
            uow.audit.append(AuditEvent("during", actor="test"), AT)
            writing.set()
            release.wait(30)
            uow.commit()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert writing.wait(30)
        seen: list[list[str]] = []
        reader = threading.Thread(target=lambda: seen.append(_actions(engine)))
        reader.start()
        reader.join(10)
        assert not reader.is_alive(), "the read waited for the writer"
        assert seen == [["before"]]
    finally:
        release.set()
        thread.join(30)
    assert _actions(engine) == ["before", "during"]


def test_a_read_only_unit_of_work_begins_writing_when_told(engine: Engine) -> None:
    """Its reads wait for no writer; ``begin_writing`` waits for the writer's lock (SQLite)
    and what it writes then commits. Twice is once."""
    _append(engine, "before")
    with SqlUnitOfWork(engine, audit_chain="inline") as holder:
        holder.audit.append(AuditEvent("held", actor="test"), AT)
        done: list[str] = []

        def upgrade() -> None:
            with SqlUnitOfWork(engine, read_only=True, audit_chain="inline") as uow:
                done.append("read" if uow.audit.head()[0] >= 1 else "?")
                uow.begin_writing()
                uow.begin_writing()
                uow.audit.append(AuditEvent("after", actor="test"), AT)
                uow.commit()
                done.append("written")

        thread = threading.Thread(target=upgrade)
        thread.start()
        for _ in range(100):
            if done:
                break
            threading.Event().wait(0.05)
        assert done[:1] == ["read"]  # the read did not wait for the holder
        if engine.dialect.name == "sqlite":
            thread.join(0.3)
            assert done == ["read"]  # the writing waits for the holder's lock
        holder.commit()
    thread.join(30)
    assert done == ["read", "written"]
    assert _actions(engine) == ["before", "held", "after"]


def test_a_writing_unit_of_work_holds_the_write_lock_from_its_start(engine: Engine) -> None:
    """SQLite: a writer's transaction begins with the database's write lock (BEGIN
    IMMEDIATE), also on the pooled connection a read-only unit of work has just used (its
    mark ends with the checkout); a read-only one takes none."""
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")
    other = sqlite3.connect(str(engine.url.database), timeout=0, isolation_level=None)
    try:
        with SqlUnitOfWork(engine, read_only=True) as uow:
            uow.audit.head()
            other.execute("BEGIN IMMEDIATE")  # free: the reader holds no write lock
            other.execute("ROLLBACK")
        with SqlUnitOfWork(engine) as uow:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            uow.begin_writing()  # already writing: nothing
        with SqlUnitOfWork(engine, read_only=True) as uow:
            uow.begin_writing()
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
    finally:
        other.close()


def test_what_an_upgraded_unit_of_work_writes_is_one_transaction(engine: Engine) -> None:
    """After ``begin_writing`` its writes commit or roll back together: on PostgreSQL its reads
    ran in autocommit, and the writes after them must not."""
    _append(engine, "before")
    with SqlUnitOfWork(engine, read_only=True, audit_chain="inline") as uow:
        uow.audit.head()
        uow.begin_writing()
        uow.audit.append(AuditEvent("lost-1", actor="test"), AT)
        uow.audit.append(AuditEvent("lost-2", actor="test"), AT)
    assert _actions(engine) == ["before"]  # left without commit: neither stays
    with SqlUnitOfWork(engine, read_only=True, audit_chain="inline") as uow:
        uow.audit.head()
        uow.begin_writing()
        uow.audit.append(AuditEvent("kept", actor="test"), AT)
        uow.commit()
    assert _actions(engine) == ["before", "kept"]


def _connection_of(uow: SqlUnitOfWork) -> object:
    return uow.connection.connection.driver_connection


def test_shared_reads_share_one_connection_and_end_with_the_block(engine: Engine) -> None:
    checkouts: list[int] = []
    pool = engine.pool

    def counted(*_: object) -> None:
        checkouts.append(1)
    event.listen(pool, "checkout", counted)
    try:
        with shared_reads():
            with SqlUnitOfWork(engine, read_only=True) as first:
                one = _connection_of(first)
            with SqlUnitOfWork(engine, read_only=True) as second:
                assert _connection_of(second) is one
            assert len(checkouts) == 1
        assert pool.checkedout() == 0  # the block gave it back
        with SqlUnitOfWork(engine, read_only=True), SqlUnitOfWork(engine, read_only=True):
            assert len(checkouts) == 3  # outside the block: one each, as before
    finally:
        event.remove(pool, "checkout", counted)


def test_a_write_inside_shared_reads_is_seen_by_the_reads_after_it(engine: Engine) -> None:
    """The shared read ends before a write begins (on SQLite no snapshot is held across the
    commit, which would also keep the log from being checkpointed back to its start): the
    next read sees what was written."""
    _append(engine, "before")
    with shared_reads():
        assert _actions(engine) == ["before"]
        _append(engine, "written")
        assert _actions(engine) == ["before", "written"]


def test_a_shared_read_that_begins_writing_takes_the_connection_for_itself(
        engine: Engine) -> None:
    with shared_reads():
        with SqlUnitOfWork(engine, read_only=True, audit_chain="inline") as upgraded:
            upgraded.begin_writing()
            upgraded.audit.append(AuditEvent("upgraded", actor="test"), AT)
            upgraded.commit()
        assert engine.pool.checkedout() == 0  # its own: given back when it ended
        with SqlUnitOfWork(engine, read_only=True, audit_chain="inline") as after:
            assert engine.pool.checkedout() == 1  # a new shared one
            assert [r.event.action for r in after.audit.records()] == ["upgraded"]
    assert engine.pool.checkedout() == 0
