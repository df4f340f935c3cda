"""The audit trail in SQL.

An append locks the head row (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the
transaction's ``BEGIN IMMEDIATE`` already holds the write lock), chains the event after it,
inserts the record and moves the head — all in the caller's transaction, which it never
commits. It costs three statements however long the trail: the head is never looked for in
``audit_records``. The head row is created on first use with an insert-if-absent, so racing
first appends wait for each other instead of failing.

That is ``inline`` mode (``KYSO_AUDIT_CHAIN``; the default on SQLite, whose transactions
have the whole database's write lock anyway). On PostgreSQL it made the head row the one
lock every audited transaction of every node queued for until its commit, so ``batched``
mode (the default there) splits the append in two — a group commit:

* ``append`` inserts the event into ``audit_pending`` — one INSERT, no shared row locked —
  in the caller's transaction: no action commits without its event, none is lost in a crash.
* ``chain_pending`` (the sequencer: a thread of every ``kyso serve`` process and of
  ``kyso worker``, and every reader of the trail before it reads) locks the head, takes up
  to N pending rows in id order, seals them one after another onto the chain, inserts the
  records, deletes the pending rows and moves the head once, in one short transaction: one
  lock hold and one commit per batch instead of per event. The head lock serialises
  sequencers: one that waited for it reads the pending rows in a statement that starts
  after the other committed (READ COMMITTED), so it never sees rows already chained and
  ``SKIP LOCKED`` is not needed; rows committed later wait for the next pass. Pending rows
  are therefore chained in the order they became visible to a sequencer, roughly their
  commit order; ``seq`` is the chain's order, ``at`` is when each event happened.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Insert, Row, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from kyso.adapters.db.prepared import Prepared
from kyso.adapters.db.tables.audit import HEAD_ID, audit_head, audit_pending, audit_records
from kyso.audit.chain import GENESIS, UNKEYED, ChainKey, dump_details, seal
from kyso.audit.errors import Breach, ChainBroken
from kyso.audit.model import AuditEvent, AuditRecord, Outcome, PendingAudit

__all__ = ["CHAIN_MODES", "SqlAuditRepository", "default_chain_mode", "pending_values"]

CHAIN_MODES = ("inline", "batched")


def default_chain_mode(dialect: str) -> str:
    """``batched`` on PostgreSQL (many writers: no shared lock per event), ``inline``
    elsewhere (SQLite: one writer at a time anyway, chaining at once is cheapest)."""
    return "batched" if dialect == "postgresql" else "inline"

# Built once: the hot path (every audited action) only binds parameters.
_INSERT_RECORD = Prepared(insert(audit_records))
_MOVE_HEAD = Prepared(update(audit_head).where(audit_head.c.id == HEAD_ID))
_HEAD_QUERY = select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == HEAD_ID)
_HEAD = Prepared(_HEAD_QUERY)
_LOCK_HEAD = Prepared(_HEAD_QUERY.with_for_update())
_TRY_LOCK_HEAD = Prepared(_HEAD_QUERY.with_for_update(skip_locked=True))
_p = audit_pending.c
_INSERT_PENDING = Prepared(insert(audit_pending).returning(_p.id))
_ANY_PENDING = select(_p.id).limit(1)
_CATCH_UP_BATCH = 500


class SqlAuditRepository:
    def __init__(self, conn: Connection, *, page_size: int = 500,
                 key: ChainKey = UNKEYED, mode: str = "inline",
                 read_only: bool = False) -> None:
        if page_size < 1:
            raise ValueError("page_size must be positive")
        if mode not in CHAIN_MODES:
            raise ValueError(f"audit chain mode must be one of {CHAIN_MODES}")
        self._conn, self._page_size, self._key = conn, page_size, key
        self._batched, self._read_only = mode == "batched", read_only
        self._last: AuditRecord | PendingAudit | None = None

    def append(self, event: AuditEvent, at: datetime) -> AuditRecord | PendingAudit:
        if self._batched:
            values = pending_values(event, at)
            pending_id = _INSERT_PENDING.execute(self._conn, values).scalar_one()
            self._last = PendingAudit(int(pending_id), at, event)
            return self._last
        seq, prev_hash = self._lock_head()
        record = seal(seq + 1, at, event, prev_hash, self._key)
        _INSERT_RECORD.execute(self._conn, _values(record))
        _MOVE_HEAD.execute(self._conn, {"seq": record.seq, "hash": record.hash})
        self._last = record
        return record

    @property
    def locks_shared_row(self) -> bool:
        return not self._batched

    def last_appended(self) -> AuditRecord | PendingAudit | None:
        return self._last

    def positions(self, pending_ids: Collection[int]) -> dict[int, tuple[int, str]]:
        if not pending_ids:
            return {}
        rows = self._conn.execute(
            select(audit_records.c.pending_id, audit_records.c.seq, audit_records.c.hash)
            .where(audit_records.c.pending_id.in_(list(pending_ids))))
        return {int(r.pending_id): (int(r.seq), str(r.hash)) for r in rows}

    def has_pending(self) -> bool:
        return self._conn.execute(_ANY_PENDING).first() is not None

    def chain_pending(self, limit: int, *, wait: bool = True) -> int:
        if limit < 1:
            raise ValueError("limit must be positive")
        if not self.has_pending():  # nothing to do: no lock taken
            return 0
        head = self._lock_head() if wait else self._try_lock_head()
        if head is None:
            return 0  # another sequencer is at it; what it misses, the next pass takes
        seq, prev_hash = head
        rows = self._conn.execute(
            select(audit_pending).order_by(_p.id).limit(limit)).all()
        if not rows:
            return 0
        records = []
        for row in rows:
            record = seal(seq + 1, row.at, _event(row._mapping, seq + 1), prev_hash, self._key)
            records.append(_values(record) | {"pending_id": row.id})
            seq, prev_hash = record.seq, record.hash
        _INSERT_RECORD.execute(self._conn, records)
        self._conn.execute(delete(audit_pending).where(_p.id.in_([r.id for r in rows])))
        _MOVE_HEAD.execute(self._conn, {"seq": seq, "hash": prev_hash})
        return len(rows)

    def _catch_up(self) -> None:
        """Readers see every committed event: chain the pending ones first (in this
        transaction, which the caller commits or rolls back; a read-only unit of work
        cannot, and reads the chain as it is; inline mode leaves its leftovers to the
        sequencer, which holds the right key)."""
        if self._batched and not self._read_only:
            while self.chain_pending(_CATCH_UP_BATCH) == _CATCH_UP_BATCH:
                pass

    def records(self, after_seq: int = 0) -> Iterator[AuditRecord]:
        self._catch_up()
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
        self._catch_up()
        return self._read_head(lock=False) or (0, GENESIS)

    def _try_lock_head(self) -> tuple[int, str] | None:
        """The head, locked, or None at once if another transaction holds it."""
        row = _TRY_LOCK_HEAD.execute(self._conn).first()
        if row is not None:
            return int(row.seq), str(row.hash)
        if self._read_head(lock=False) is not None:
            return None  # it exists: locked by another sequencer or an inline append
        return self._lock_head()

    def _lock_head(self) -> tuple[int, str]:
        head = self._read_head(lock=True)
        if head is None:
            self._conn.execute(_insert_head_if_absent(self._conn.dialect.name))
            head = self._read_head(lock=True)
        if head is None:
            raise RuntimeError("the audit head row could not be created")
        return head

    def _read_head(self, *, lock: bool) -> tuple[int, str] | None:
        row = (_LOCK_HEAD if lock else _HEAD).execute(self._conn).first()
        return (int(row.seq), str(row.hash)) if row else None


def _insert_head_if_absent(dialect: str) -> Insert:
    values = {"id": HEAD_ID, "seq": 0, "hash": GENESIS}
    if dialect == "postgresql":
        return postgresql.insert(audit_head).values(values).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(audit_head).values(values).on_conflict_do_nothing()
    raise NotImplementedError(f"the audit trail does not support {dialect}")


def pending_values(event: AuditEvent, at: datetime) -> dict[str, Any]:
    """An ``audit_pending`` row's values (its id is the database's)."""
    return _event_values(event) | {"at": at}


def _event_values(event: AuditEvent) -> dict[str, Any]:
    return {
        "action": event.action,
        "outcome": event.outcome.value,
        "actor": event.actor,
        "subject": event.subject,
        "details": dump_details(event.details),
    }


def _values(record: AuditRecord) -> dict[str, Any]:
    return _event_values(record.event) | {
        "seq": record.seq,
        "at": record.at,
        "prev_hash": record.prev_hash,
        "hash": record.hash,
        "pending_id": None,
    }


def _event(m: Any, seq: int) -> AuditEvent:
    try:
        return AuditEvent(
            action=m["action"],
            outcome=Outcome(m["outcome"]),
            actor=m["actor"],
            subject=m["subject"],
            details=_load_details(m["details"]),
        )
    except ValueError as exc:  # json.JSONDecodeError is a ValueError too
        raise ChainBroken(seq, Breach.UNREADABLE, str(exc)) from exc


def _record(row: Row[Any]) -> AuditRecord:
    m = row._mapping
    return AuditRecord(m["seq"], m["at"], _event(m, int(m["seq"])), m["prev_hash"], m["hash"])


def _load_details(text: str) -> dict[str, Any]:
    details = json.loads(text)
    if not isinstance(details, dict):
        raise ValueError("audit details are not a JSON object")
    return details
