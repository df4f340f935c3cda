"""Tables of the notify area: the durable outbox and the in-app notifications."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    false,
)

from kyso.adapters.db.tables.base import UtcDateTime, metadata

__all__ = ["notifications", "outbox"]

outbox = Table(
    "outbox",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("recipient", String(500), nullable=False),  # an address, a number or a URL
    Column("account_id", String(36), nullable=True, index=True),
    Column("purpose", String(64), nullable=True),
    Column("sealed_body", LargeBinary, nullable=True),  # envelope-sealed; wiped once sent
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("leased_until", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("last_error", String(500), nullable=True),
    Column("delivered_locally", Boolean, nullable=False, server_default=false()),
    # the claim query: WHERE status = 'pending' AND next_attempt_at <= now ORDER BY next_attempt_at
    Index("ix_outbox_due", "status", "next_attempt_at"),
    Index("ix_outbox_created_at", "created_at"),  # the dev inbox: newest first
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), nullable=False),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("read_at", UtcDateTime, nullable=True),
    Column("title_en", String(200), nullable=True),  # NULL: written before both were kept
    Column("body_en", Text, nullable=True),
    Index("ix_notifications_account_created", "account_id", "created_at"),
)
