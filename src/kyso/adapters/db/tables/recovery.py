"""Identity-recovery cases (kyso.accounts.recovery_cases): both secrets lost."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table

from kyso.adapters.db.tables.base import UtcDateTime, metadata

__all__ = ["recovery_cases"]

recovery_cases = Table(
    "recovery_cases",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), ForeignKey("accounts.id")),  # NULL: a phantom case
    Column("state", String(24), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("token_hash", String(64)),
    Column("image_attempts", Integer, nullable=False, default=0),
    Column("front", String(64)),
    Column("back", String(64)),
    Column("portrait", String(64)),
    Column("submitted_at", UtcDateTime),
    Column("officer", String(36)),
    Column("decided_at", UtcDateTime),
    Column("reason", String(500)),
    Column("code_hash", String(255)),
    Column("code_attempts", Integer, nullable=False, default=0),
    Column("completed_at", UtcDateTime),
    Index("ix_recovery_cases_account", "account_id", "created_at"),
    Index("ix_recovery_cases_state", "state", "expires_at"),
)
