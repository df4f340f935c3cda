"""The audit chain's group commit (KYSO_AUDIT_CHAIN=batched) on SQLite and PostgreSQL:
pending events, the sequencer, concurrent writers and sequencers, crashes, readers."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from kyso.adapters.db.repositories.audit import SqlAuditRepository
from kyso.adapters.db.tables.audit import audit_pending
from kyso.adapters.db.uow import SqlUnitOfWork
from kyso.audit import service
from kyso.audit.model import AuditEvent, AuditRecord, PendingAudit
from kyso.audit.sequencer import AuditSequencer, chain_pending
from kyso.signing.receipt_jobs import audit_pending_id, with_audit_position


def factory(engine: Engine, mode: str) -> Any:
    return lambda *, read_only=False: SqlUnitOfWork(engine, read_only=read_only,
                                                    audit_chain=mode)


def event_no(n: int) -> AuditEvent:
    return AuditEvent(action="test.event", actor="u", details={"n": n})


def pending_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(audit_pending)).scalar_one())


def chained(engine: Engine) -> list[AuditRecord]:
    uows = factory(engine, "inline")
    with uows(read_only=True) as uow:  # read-only: reads the chain as it is
        return list(uow.audit.records())


@pytest.mark.parametrize("mode", ["inline", "batched"])
def test_an_append_returns_a_record_or_a_pending_event(engine: Engine, mode: str) -> None:
    uows = factory(engine, mode)
    with uows() as uow:
        got = uow.audit.append(event_no(1), datetime.now(UTC))
        assert uow.audit.last_appended() == got
        uow.commit()
    if mode == "inline":
        assert isinstance(got, AuditRecord) and got.seq == 1
        assert pending_rows(engine) == 0
        return
    assert isinstance(got, PendingAudit)
    assert pending_rows(engine) == 1 and chained(engine) == []
    with uows(read_only=True) as uow:
        assert uow.audit.positions([got.id]) == {}
    assert chain_pending(uows) == 1
    [record] = chained(engine)
    assert (record.seq, record.event, record.at) == (1, got.event, got.at)
    with uows(read_only=True) as uow:
        assert uow.audit.positions([got.id, got.id + 1]) == {got.id: (1, record.hash)}
    assert pending_rows(engine) == 0
    assert service.verify(uows) == (1, record.hash)


def test_a_writable_reader_sees_the_events_just_committed(engine: Engine) -> None:
    uows = factory(engine, "batched")
    for n in range(3):
        with uows() as uow:
            uow.audit.append(event_no(n), datetime.now(UTC))
            uow.commit()
    with uows() as uow:  # records() and head() chain what is pending first
        assert [r.event.details["n"] for r in uow.audit.records()] == [0, 1, 2]
        assert uow.audit.head()[0] == 3
        uow.commit()
    assert pending_rows(engine) == 0


def test_a_rolled_back_event_is_never_chained(engine: Engine) -> None:
    uows = factory(engine, "batched")
    with uows() as uow:
        uow.audit.append(event_no(1), datetime.now(UTC))
        uow.rollback()
    assert chain_pending(uows) == 0 and chained(engine) == []


def test_inline_and_batched_events_share_one_chain(engine: Engine) -> None:
    """A mode switch leaves pending events behind: the sequencer still chains them."""
    batched, inline = factory(engine, "batched"), factory(engine, "inline")
    for n, uows in enumerate((batched, inline, batched, inline)):
        with uows() as uow:
            uow.audit.append(event_no(n), datetime.now(UTC))
            uow.commit()
    assert AuditSequencer(inline, batch=1).run_once(wait=True) == 2
    records = chained(engine)
    assert sorted(int(r.event.details["n"] or 0) for r in records) == [0, 1, 2, 3]
    assert service.verify(inline) == (4, records[-1].hash)


def test_a_sequencer_chains_in_batches_of_its_size(engine: Engine) -> None:
    uows = factory(engine, "batched")
    with uows() as uow:
        for n in range(7):
            uow.audit.append(event_no(n), datetime.now(UTC))
        uow.commit()
    with uows() as uow:
        assert uow.audit.chain_pending(3) == 3
        uow.commit()
    assert pending_rows(engine) == 4 and len(chained(engine)) == 3
    assert chain_pending(uows, batch=3) == 4
    assert [int(r.event.details["n"] or 0) for r in chained(engine)] == list(range(7))


def test_receipt_claims_get_the_position_of_their_event() -> None:
    claims = '{"audit":{"action":"signing.signed","pending":42},"id":"x"}'
    assert audit_pending_id(claims) == 42
    resolved = with_audit_position(claims, 7, "ab")
    assert resolved == '{"audit":{"action":"signing.signed","hash":"ab","seq":7},"id":"x"}'
    assert audit_pending_id(resolved) is None


# -- concurrent writers and sequencers ------------------------------------------------------

WRITERS, PER_WRITER = 6, 30

_PROCESS_WRITER = """
import sys
from datetime import UTC, datetime
from kyso.adapters.db.engine import make_engine
from kyso.adapters.db.uow import SqlUnitOfWork
from kyso.audit.model import AuditEvent
from kyso.audit.sequencer import chain_pending
engine = make_engine(sys.argv[1])
base, count = int(sys.argv[2]), int(sys.argv[3])
for i in range(count):
    with SqlUnitOfWork(engine, audit_chain="batched") as uow:
        uow.audit.append(AuditEvent("test.event", details={"n": base + i}), datetime.now(UTC))
        uow.commit()
    if i % 7 == 0:  # this process sequences too, racing the others
        chain_pending(lambda *, read_only=False: SqlUnitOfWork(
            engine, read_only=read_only, audit_chain="batched"), batch=5, wait=i % 2 == 0)
engine.dispose()
"""


def test_concurrent_writers_and_sequencers_make_one_unbroken_chain(
    engine: Engine, db_url: str
) -> None:
    """Threads and processes append (some roll back) while threads and the processes
    sequence: every committed event is chained exactly once, in one unbroken chain."""
    uows = factory(engine, "batched")
    stop = threading.Event()
    sequencers = [AuditSequencer(uows, batch=8, interval=0.01).start(stop) for _ in range(2)]
    processes = [subprocess.Popen([sys.executable, "-c", _PROCESS_WRITER, db_url,
                                   str(100_000 * (p + 1)), str(PER_WRITER)])
                 for p in range(2)]
    kept: list[int] = []
    errors: list[Exception] = []
    start = threading.Barrier(WRITERS)

    def write(tid: int) -> None:
        try:
            start.wait()
            for i in range(PER_WRITER):
                n = tid * 1000 + i
                with uows() as uow:
                    uow.audit.append(event_no(n), datetime.now(UTC))
                    if (tid + i) % 5 == 0:
                        uow.rollback()
                        continue
                    uow.commit()
                kept.append(n)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(t,)) for t in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for process in processes:
        assert process.wait(timeout=120) == 0
    stop.set()
    for sequencer in sequencers:
        sequencer.join(timeout=10)
    assert errors == []
    chain_pending(uows)  # a reader: whatever the sequencers had not reached yet
    kept += [100_000 * (p + 1) + i for p in range(2) for i in range(PER_WRITER)]
    records = chained(engine)
    assert [r.seq for r in records] == list(range(1, len(kept) + 1))
    assert sorted(int(r.event.details["n"] or 0) for r in records) == sorted(kept)
    assert pending_rows(engine) == 0
    assert service.verify(uows) == (len(kept), records[-1].hash)


# -- crashes ------------------------------------------------------------------------------

_COMMIT_THEN_DIE = """
import os, signal, sys
from datetime import UTC, datetime
from kyso.adapters.db.engine import make_engine
from kyso.adapters.db.uow import SqlUnitOfWork
from kyso.audit.model import AuditEvent
engine = make_engine(sys.argv[1])
with SqlUnitOfWork(engine, audit_chain="batched") as uow:
    uow.audit.append(AuditEvent("test.signed", details={"n": 1}), datetime.now(UTC))
    uow.commit()
if sys.argv[2] == "mid-sequencing":  # die holding the head, half the batch sealed
    uow = SqlUnitOfWork(engine, audit_chain="batched").__enter__()
    uow.audit.chain_pending(10)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.parametrize("when", ["after-commit", "mid-sequencing"])
def test_an_event_committed_before_a_kill_is_chained_on_the_next_pass(
    engine: Engine, db_url: str, when: str
) -> None:
    died = subprocess.run([sys.executable, "-c", _COMMIT_THEN_DIE, db_url, when],
                          check=False, timeout=60)
    assert died.returncode == -signal.SIGKILL
    assert pending_rows(engine) == 1 and chained(engine) == []  # nothing lost, nothing half
    uows = factory(engine, "batched")
    assert AuditSequencer(uows).run_once(wait=True) == 1
    [record] = chained(engine)
    assert record.event.action == "test.signed"
    assert service.verify(uows) == (1, record.hash)


def test_an_inline_repository_never_chains_on_read(engine: Engine) -> None:
    """Only a batched unit of work chains on read (with the container's key); a bare
    repository (key checks, rotation) reads the chain as it is."""
    with factory(engine, "batched")() as uow:
        uow.audit.append(event_no(1), datetime.now(UTC))
        uow.commit()
    with engine.begin() as conn:
        assert list(SqlAuditRepository(conn).records()) == []
    assert pending_rows(engine) == 1
