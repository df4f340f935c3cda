"""The master key's check value: a constant sealed under the master key when the database
was first initialized, so a node started with another key refuses to start."""

from __future__ import annotations

from sqlalchemy import Column, LargeBinary, String, Table

from kyso.adapters.db.tables.base import UtcDateTime, metadata

__all__ = ["key_checks"]

key_checks = Table(
    "key_checks",
    metadata,
    Column("name", String(32), primary_key=True),  # "master"
    Column("sealed", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)
