"""The SQL audit trail on SQLite and PostgreSQL: appends, tampering, concurrent writers."""

from __future__ import annotations

import dataclasses
import itertools
import random
import threading
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, delete, event, insert, update

from kyso.adapters.db.repositories.audit import SqlAuditRepository
from kyso.adapters.db.tables.audit import audit_head, audit_records
from kyso.audit import service
from kyso.audit.chain import GENESIS, dump_details, record_hash, seal
from kyso.audit.errors import Breach, ChainBroken
from kyso.audit.model import AuditEvent, AuditRecord, Outcome
from kyso.clock import ManualClock

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def event_no(n: int, **kwargs: Any) -> AuditEvent:
    return AuditEvent(action="test.event", actor=f"u{n % 3}", details={"n": n}, **kwargs)


def append(engine: Engine, count: int, clock: ManualClock | None = None) -> list[AuditRecord]:
    clock = clock or ManualClock(T0)
    with engine.begin() as conn:
        repo = SqlAuditRepository(conn)
        out = []
        for n in range(count):
            clock.advance(1.000001)
            out.append(repo.append(event_no(n), clock.now()))
        return out


def stored(engine: Engine, **kwargs: Any) -> list[AuditRecord]:
    with engine.begin() as conn:
        return list(SqlAuditRepository(conn, **kwargs).records())


def head(engine: Engine) -> tuple[int, str]:
    with engine.begin() as conn:
        return SqlAuditRepository(conn).head()


def breach(uow_factory: Any) -> tuple[int, Breach]:
    with pytest.raises(ChainBroken) as info:
        service.verify(uow_factory, batch_size=4)
    return info.value.seq, info.value.reason


def tamper(engine: Engine, *statements: Any) -> None:
    with engine.begin() as conn:
        for statement in statements:
            if isinstance(statement, str):
                conn.exec_driver_sql(statement)  # raw SQL, as an intruder would type it
            else:
                conn.execute(statement)


# -- appending and reading -----------------------------------------------------------------


def test_appends_chain_from_genesis_and_read_back_identically(
    engine: Engine, uow_factory: Any
) -> None:
    assert head(engine) == (0, GENESIS)
    records = append(engine, 10)
    assert [r.seq for r in records] == list(range(1, 11))
    assert records[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(records))
    assert stored(engine) == records
    assert head(engine) == (10, records[-1].hash)
    assert service.verify(uow_factory) == (10, records[-1].hash)


def test_every_field_survives_the_round_trip(engine: Engine, uow_factory: Any) -> None:
    at = datetime(2026, 5, 6, 7, 8, 9, 123456, tzinfo=timezone(timedelta(hours=7)))
    rich = AuditEvent(
        action="key.sign",
        outcome=Outcome.FAILURE,
        actor=None,
        subject="Tài liệu “hợp đồng” № 5",
        details={"big": 2**62, "neg": -1, "flag": True, "none": None, "text": "ký số ✓"},
    )
    with engine.begin() as conn:
        record = SqlAuditRepository(conn).append(rich, at)
    (back,) = stored(engine)
    assert back == record and back.at == at and back.event.details == rich.details
    assert record_hash(1, back.at, back.event, GENESIS) == record.hash
    assert service.verify(uow_factory) == (1, record.hash)


def test_records_are_paged_in_seq_order(engine: Engine) -> None:
    records = append(engine, 10)
    assert stored(engine, page_size=3) == records
    with engine.begin() as conn:
        assert [r.seq for r in SqlAuditRepository(conn, page_size=3).records(7)] == [8, 9, 10]


def test_append_joins_the_callers_transaction(engine: Engine, clock: ManualClock) -> None:
    with engine.connect() as conn:
        conn.begin()
        SqlAuditRepository(conn).append(event_no(1), clock.now())
        conn.rollback()
    assert head(engine) == (0, GENESIS) and stored(engine) == []
    assert append(engine, 1)[0].seq == 1


def test_an_append_is_three_statements_and_never_reads_the_records(engine: Engine) -> None:
    append(engine, 300)
    seen: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()).lower())

    with engine.connect() as conn:
        conn.begin()
        event.listen(engine, "before_cursor_execute", capture)
        try:
            SqlAuditRepository(conn).append(event_no(1), T0 + timedelta(days=1))
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        conn.commit()
    assert len(seen) == 3
    assert [s.split()[0] for s in seen] == ["select", "insert", "update"]
    assert "audit_records" not in seen[0] and "audit_records" not in seen[2]


# -- tampering -----------------------------------------------------------------------------


def _forged(record: AuditRecord, prev_hash: str, *, hash_prev: str | None = None) -> Any:
    """Rewrite ``record`` with another actor, re-hashed over ``hash_prev`` (default prev)."""
    forged = dataclasses.replace(record.event, actor="intruder")
    digest = record_hash(record.seq, record.at, forged, hash_prev or prev_hash)
    return (
        update(audit_records)
        .where(audit_records.c.seq == record.seq)
        .values(actor="intruder", prev_hash=prev_hash, hash=digest)
    )


def test_an_edited_detail_is_altered(engine: Engine, uow_factory: Any) -> None:
    append(engine, 10)
    tamper(engine, """UPDATE audit_records SET details = '{"n":999}' WHERE seq = 4""")
    assert breach(uow_factory) == (4, Breach.ALTERED)


def test_a_shifted_time_is_altered(engine: Engine, uow_factory: Any) -> None:
    records = append(engine, 10)
    later = records[6].at + timedelta(microseconds=1)
    tamper(engine, update(audit_records).where(audit_records.c.seq == 7).values(at=later))
    assert breach(uow_factory) == (7, Breach.ALTERED)


def test_a_deleted_middle_row_is_removed(engine: Engine, uow_factory: Any) -> None:
    append(engine, 10)
    tamper(engine, "DELETE FROM audit_records WHERE seq = 5")
    assert breach(uow_factory) == (5, Breach.REMOVED)


def test_two_rows_with_swapped_seq_are_reordered(engine: Engine, uow_factory: Any) -> None:
    append(engine, 10)
    tamper(
        engine,
        "UPDATE audit_records SET seq = -1 WHERE seq = 3",
        "UPDATE audit_records SET seq = 3 WHERE seq = 4",
        "UPDATE audit_records SET seq = 4 WHERE seq = -1",
    )
    assert breach(uow_factory) == (3, Breach.REORDERED)


def test_a_deleted_tail_row_is_truncated(engine: Engine, uow_factory: Any) -> None:
    append(engine, 10)
    tamper(engine, "DELETE FROM audit_records WHERE seq = 10")
    assert breach(uow_factory) == (10, Breach.TRUNCATED)


def test_a_forged_hash_without_the_right_prev_is_altered(engine: Engine, uow_factory: Any) -> None:
    records = append(engine, 10)
    tamper(engine, _forged(records[5], records[5].prev_hash, hash_prev=GENESIS))
    assert breach(uow_factory) == (6, Breach.ALTERED)


def test_a_forged_record_chained_elsewhere_is_unlinked(engine: Engine, uow_factory: Any) -> None:
    records = append(engine, 10)
    tamper(engine, _forged(records[5], GENESIS))
    assert breach(uow_factory) == (6, Breach.UNLINKED)


def test_a_consistently_rehashed_record_breaks_the_next(engine: Engine, uow_factory: Any) -> None:
    records = append(engine, 10)
    tamper(engine, _forged(records[5], records[5].prev_hash))
    assert breach(uow_factory) == (7, Breach.UNLINKED)


def test_a_rehashed_last_record_fails_against_the_head(engine: Engine, uow_factory: Any) -> None:
    records = append(engine, 10)
    tamper(engine, _forged(records[9], records[9].prev_hash))
    assert breach(uow_factory) == (10, Breach.HEAD_MISMATCH)


def test_a_row_slipped_in_after_the_head_is_named(engine: Engine, uow_factory: Any) -> None:
    records = append(engine, 10)
    extra = seal(11, records[-1].at, event_no(11), records[-1].hash)
    row = dict(
        seq=11,
        at=extra.at,
        action="test.event",
        outcome="success",
        actor="u2",
        details=dump_details({"n": 11}),
        prev_hash=extra.prev_hash,
        hash=extra.hash,
    )
    tamper(engine, insert(audit_records).values(**row))
    assert breach(uow_factory) == (11, Breach.BEYOND_HEAD)


def test_a_deleted_head_row_is_caught(engine: Engine, uow_factory: Any) -> None:
    append(engine, 3)
    tamper(engine, delete(audit_head))
    assert breach(uow_factory) == (1, Breach.BEYOND_HEAD)
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        append(engine, 1)  # and no fork: seq 1 is taken


def test_a_malformed_row_is_unreadable(engine: Engine, uow_factory: Any) -> None:
    append(engine, 10)
    tamper(engine, "UPDATE audit_records SET details = '[1, 2]' WHERE seq = 8")
    assert breach(uow_factory) == (8, Breach.UNREADABLE)


def test_the_first_breach_is_named_when_there_are_several(engine: Engine, uow_factory: Any) -> None:
    append(engine, 10)
    tamper(
        engine,
        "UPDATE audit_records SET details = 'garbage' WHERE seq = 9",
        "DELETE FROM audit_records WHERE seq = 6",
        "UPDATE audit_records SET action = 'x.y' WHERE seq = 3",
    )
    assert breach(uow_factory) == (3, Breach.ALTERED)


# -- concurrent writers --------------------------------------------------------------------

THREADS, PER_THREAD = 8, 25


def _writer(engine: Engine, tid: int, start: threading.Barrier, kept: list[int]) -> None:
    rng = random.Random(tid)
    start.wait()
    for i in range(PER_THREAD):
        with engine.connect() as conn:
            conn.begin()
            SqlAuditRepository(conn).append(event_no(tid * 1000 + i), datetime.now(UTC))
            if rng.random() < 0.3:  # a little work after the append widens the race window
                threading.Event().wait(0.002)
            if (tid + i) % 5 == 0:
                conn.rollback()
            else:
                conn.commit()
                kept.append(tid * 1000 + i)


def test_concurrent_appends_never_fork(engine: Engine, uow_factory: Any) -> None:
    start = threading.Barrier(THREADS)
    kept: list[int] = []
    errors: list[Exception] = []

    def run(tid: int) -> None:
        try:
            _writer(engine, tid, start, kept)
        except Exception as exc:  # reported below; a thread must not die silently
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    records = stored(engine)
    assert len(kept) == THREADS * PER_THREAD * 4 // 5
    assert [r.seq for r in records] == list(range(1, len(kept) + 1))
    assert sorted(int(r.event.details["n"] or 0) for r in records) == sorted(kept)
    assert service.verify(uow_factory) == (len(kept), records[-1].hash)
