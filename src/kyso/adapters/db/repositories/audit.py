"""The audit trail in SQL.

An append locks the head row (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the
transaction's ``BEGIN IMMEDIATE`` already holds the write lock), chains the event after it,
inserts the record and moves the head — all in the caller's transaction, which it never
commits. It costs three statements however long the trail: the head is never looked for in
``audit_records``. The head row is created on first use with an insert-if-absent, so racing
first appends wait for each other instead of failing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Insert, Row, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from kyso.adapters.db.tables.audit import HEAD_ID, audit_head, audit_records
from kyso.audit.chain import GENESIS, UNKEYED, ChainKey, dump_details, seal
from kyso.audit.errors import Breach, ChainBroken
from kyso.audit.model import AuditEvent, AuditRecord, Outcome

__all__ = ["SqlAuditRepository"]

# Built once: the hot path (every audited action) only binds parameters.
_INSERT_RECORD = insert(audit_records)
_MOVE_HEAD = update(audit_head).where(audit_head.c.id == HEAD_ID)
_HEAD = select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == HEAD_ID)
_LOCK_HEAD = _HEAD.with_for_update()


class SqlAuditRepository:
    def __init__(self, conn: Connection, *, page_size: int = 500,
                 key: ChainKey = UNKEYED) -> None:
        if page_size < 1:
            raise ValueError("page_size must be positive")
        self._conn, self._page_size, self._key = conn, page_size, key

    def append(self, event: AuditEvent, at: datetime) -> AuditRecord:
        seq, prev_hash = self._lock_head()
        record = seal(seq + 1, at, event, prev_hash, self._key)
        self._conn.execute(_INSERT_RECORD, _values(record))
        self._conn.execute(_MOVE_HEAD, {"seq": record.seq, "hash": record.hash})
        return record

    def records(self, after_seq: int = 0) -> Iterator[AuditRecord]:
        c = audit_records.c
        while True:
            query = select(audit_records).where(c.seq > after_seq).order_by(c.seq)
            rows = self._conn.execute(query.limit(self._page_size)).all()
            for row in rows:
                yield _record(row)
            if len(rows) < self._page_size:
                return
            after_seq = rows[-1].seq

    def head(self) -> tuple[int, str]:
        return self._read_head(lock=False) or (0, GENESIS)

    def _lock_head(self) -> tuple[int, str]:
        head = self._read_head(lock=True)
        if head is None:
            self._conn.execute(_insert_head_if_absent(self._conn.dialect.name))
            head = self._read_head(lock=True)
        if head is None:
            raise RuntimeError("the audit head row could not be created")
        return head

    def _read_head(self, *, lock: bool) -> tuple[int, str] | None:
        row = self._conn.execute(_LOCK_HEAD if lock else _HEAD).first()
        return (int(row.seq), str(row.hash)) if row else None


def _insert_head_if_absent(dialect: str) -> Insert:
    values = {"id": HEAD_ID, "seq": 0, "hash": GENESIS}
    if dialect == "postgresql":
        return postgresql.insert(audit_head).values(values).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(audit_head).values(values).on_conflict_do_nothing()
    raise NotImplementedError(f"the audit trail does not support {dialect}")


def _values(record: AuditRecord) -> dict[str, Any]:
    event = record.event
    return {
        "seq": record.seq,
        "at": record.at,
        "action": event.action,
        "outcome": event.outcome.value,
        "actor": event.actor,
        "subject": event.subject,
        "details": dump_details(event.details),
        "prev_hash": record.prev_hash,
        "hash": record.hash,
    }


def _record(row: Row[Any]) -> AuditRecord:
    m = row._mapping
    try:
        event = AuditEvent(
            action=m["action"],
            outcome=Outcome(m["outcome"]),
            actor=m["actor"],
            subject=m["subject"],
            details=_load_details(m["details"]),
        )
    except ValueError as exc:  # json.JSONDecodeError is a ValueError too
        raise ChainBroken(int(m["seq"]), Breach.UNREADABLE, str(exc)) from exc
    return AuditRecord(m["seq"], m["at"], event, m["prev_hash"], m["hash"])


def _load_details(text: str) -> dict[str, Any]:
    details = json.loads(text)
    if not isinstance(details, dict):
        raise ValueError("audit details are not a JSON object")
    return details
