"""The throttle's buckets (kyso.throttle): one row per hashed scope, subject and address."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table

from kyso.adapters.db.tables.base import UtcDateTime, metadata

__all__ = ["throttles"]

throttles = Table(
    "throttles",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("failures", Integer, nullable=False, default=0),
    Column("last_failure_at", UtcDateTime),
    Column("blocked_until", UtcDateTime),
)
