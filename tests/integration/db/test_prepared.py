"""``Prepared`` statements (adapters/db/prepared.py) on both databases: the same rows, counts
and errors as ``Connection.execute`` gives for the same Core statement, on the driver's
cursor (issue 14)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError

from kyso.adapters.db.prepared import Prepared
from kyso.adapters.db.tables.audit import audit_pending, audit_records
from kyso.errors import InvalidInput

AT = datetime(2027, 1, 15, 8, 0, 0, 123456, tzinfo=UTC)
_r = audit_records.c
_INSERT = Prepared(insert(audit_records))
_BY_SEQ_QUERY = select(audit_records).where(_r.seq == 1)  # a literal: an anonymous bind
_BY_SEQ = Prepared(_BY_SEQ_QUERY)
_MOVE = Prepared(update(audit_records).where(_r.seq == 1, _r.hash == "a" * 64))


def _record(seq: int, **changes: object) -> dict[str, object]:
    return {"seq": seq, "at": AT + timedelta(seconds=seq), "action": "test.prepared",
            "outcome": "success", "actor": "tester", "subject": None, "details": "{}",
            "prev_hash": "0" * 64, "hash": "a" * 64, "pending_id": None} | changes


def test_rows_are_the_ones_sqlalchemy_reads(engine: Engine) -> None:
    with engine.connect() as conn:
        assert _INSERT.execute(conn, _record(1, subject="ký số")).rowcount == 1
        conn.commit()
        expected = conn.execute(_BY_SEQ_QUERY).one()
        row = _BY_SEQ.execute(conn).first()
    assert row._mapping == dict(expected._mapping)
    assert tuple(row) == tuple(expected)
    assert row.at == AT + timedelta(seconds=1) and row.at.tzinfo is not None  # UtcDateTime
    assert row.subject == "ký số"


def test_returning_a_scalar_and_an_executemany(engine: Engine) -> None:
    pending = Prepared(insert(audit_pending).returning(audit_pending.c.id))
    values = {"at": AT, "action": "test.pending", "outcome": "success", "actor": None,
              "subject": None, "details": "{}"}
    with engine.connect() as conn:
        first = pending.execute(conn, values).scalar_one()
        second = pending.execute(conn, values).scalar_one()
        assert second > first
        _INSERT.execute(conn, [_record(2), _record(3)])
        assert _INSERT.execute(conn, []).rowcount == 0  # an empty batch runs nothing
        conn.commit()
        seqs = [r.seq for r in conn.execute(select(_r.seq).order_by(_r.seq))]
    assert seqs == [2, 3]


def test_rowcount_tells_whether_a_conditional_update_took(engine: Engine) -> None:
    with engine.connect() as conn:
        _INSERT.execute(conn, _record(1))
        assert _MOVE.execute(conn, {"hash": "b" * 64}).rowcount == 1
        assert _MOVE.execute(conn, {"hash": "c" * 64}).rowcount == 0  # no longer "a…"
        conn.commit()


def test_a_driver_error_is_sqlalchemys_and_the_connection_goes_on(engine: Engine) -> None:
    with engine.connect() as conn:
        _INSERT.execute(conn, _record(1))
        conn.commit()
        with pytest.raises(IntegrityError):
            _INSERT.execute(conn, _record(1))  # the same seq
        conn.rollback()
        _INSERT.execute(conn, _record(2))  # a fresh cursor: the failed one was closed
        conn.commit()
        assert conn.execute(select(_r.seq).order_by(_r.seq)).scalars().all() == [1, 2]


def test_work_after_a_commit_begins_a_transaction_a_rollback_undoes(engine: Engine) -> None:
    with engine.connect() as conn:
        _INSERT.execute(conn, _record(1))
        conn.commit()
        assert not conn.in_transaction()
        _INSERT.execute(conn, _record(2))
        assert conn.in_transaction()
        conn.rollback()
        assert conn.execute(select(_r.seq)).scalars().all() == [1]


def test_listeners_see_each_statement(engine: Engine) -> None:
    seen: list[tuple[str, object, bool]] = []

    def listen(_conn: object, _cursor: object, statement: str, parameters: object,
               _context: object, many: bool) -> None:
        seen.append((statement.split()[0], parameters, many))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        with engine.connect() as conn:
            _INSERT.execute(conn, [_record(1), _record(2)])
            _BY_SEQ.execute(conn)
            conn.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert [(verb, many) for verb, _, many in seen] == [("INSERT", True), ("SELECT", False)]
    assert len(seen[0][1]) == 2  # type: ignore[arg-type]


def test_nul_in_text_is_bad_input_on_postgresql(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite text may hold NUL")
    with engine.connect() as conn, pytest.raises(InvalidInput):
        _INSERT.execute(conn, _record(1, actor="a\x00b"))


def test_a_dead_connection_is_invalidated(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("a SQLite connection is a file: it cannot be cut")
    with engine.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        _BY_SEQ.execute(conn)
        with engine.connect() as other:
            other.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
        with pytest.raises(DBAPIError) as failed:
            _BY_SEQ.execute(conn)
        assert failed.value.connection_invalidated
        assert conn.invalidated
    with engine.connect() as conn:  # the pool connects afresh
        assert _BY_SEQ.execute(conn).first() is None


def test_what_it_cannot_run_it_refuses_before_running(engine: Engine) -> None:
    table = Table("prepared_refusals", MetaData(), Column("id", Integer, primary_key=True),
                  Column("name", String, default="x"))
    with engine.connect() as conn:
        with pytest.raises(TypeError, match="defaults"):
            Prepared(insert(table)).execute(conn, {"id": 1})
        with pytest.raises(TypeError, match="run time"):
            Prepared(select(_r.seq).where(_r.seq.in_([1, 2]))).execute(conn)
