"""Tables of the audit trail.

``audit_records`` holds the chain, one row per record, keyed by ``seq`` (so two appends can
never take the same place: no fork). ``audit_head`` holds one row (``id = 1``): the ``seq``
and ``hash`` of the last record. Appends lock that row, so they are serialized and find the
head without reading ``audit_records``.

``audit_pending`` holds events written but not chained yet (``KYSO_AUDIT_CHAIN=batched``):
the business transaction inserts one row there — no shared row is locked — and the
sequencer moves them onto the chain in batches (``repositories/audit.py``). Its ids are
never reused (identity on PostgreSQL, AUTOINCREMENT on SQLite), so ``audit_records.pending_id``
names the pending row a record came from: a signing receipt queued with that id finds its
record's seq and hash once sequenced.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Identity,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)

from kyso.adapters.db.tables.base import UtcDateTime, metadata

__all__ = ["HEAD_ID", "audit_head", "audit_pending", "audit_records"]

HEAD_ID = 1
PENDING_ID_SET = text("pending_id IS NOT NULL")

audit_records = Table(
    "audit_records",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", UtcDateTime, nullable=False),
    Column("action", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("actor", Text),
    Column("subject", Text),
    Column("details", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    # the audit_pending row this record was chained from (batched mode); not hashed. Only
    # those rows are indexed: an inline append (SQLite's default) writes no index page
    Column("pending_id", BigInteger),
    Index("ix_audit_records_pending_id", "pending_id", unique=True,
          sqlite_where=PENDING_ID_SET, postgresql_where=PENDING_ID_SET),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    CheckConstraint(f"id = {HEAD_ID}", name="single_row"),
)

audit_pending = Table(
    "audit_pending",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), Identity(), primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("action", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("actor", Text),
    Column("subject", Text),
    Column("details", Text, nullable=False),
    sqlite_autoincrement=True,
)
