"""Tables of the audit trail.

``audit_records`` holds the chain, one row per record, keyed by ``seq`` (so two appends can
never take the same place: no fork). ``audit_head`` holds one row (``id = 1``): the ``seq``
and ``hash`` of the last record. Appends lock that row, so they are serialized and find the
head without reading ``audit_records``.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Column, Integer, String, Table, Text

from kyso.adapters.db.tables.base import UtcDateTime, metadata

__all__ = ["HEAD_ID", "audit_head", "audit_records"]

HEAD_ID = 1

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
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    CheckConstraint(f"id = {HEAD_ID}", name="single_row"),
)
