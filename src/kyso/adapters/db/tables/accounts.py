"""Tables of the accounts area."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table

from kyso.adapters.db.tables.base import UtcDateTime, metadata

__all__ = ["accounts", "sessions"]

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False),
    Column("phone", String(20), nullable=False, unique=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("id_number", String(32), unique=True),
    Column("role", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("locale", String(8), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("pin_hash", String(255), nullable=False),
    Column("password_failures", Integer, nullable=False, default=0),
    Column("password_locks", Integer, nullable=False, default=0),
    Column("password_locked_until", UtcDateTime),
    Column("pin_failures", Integer, nullable=False, default=0),
    Column("pin_locks", Integer, nullable=False, default=0),
    Column("pin_locked_until", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    Column("user_agent", String(200)),
    Column("ip", String(64)),
    Index("ix_sessions_account", "account_id", "created_at"),
)
