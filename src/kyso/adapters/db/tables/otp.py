"""Tables of the OTP area."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table

from kyso.adapters.db.tables.base import UtcDateTime, metadata

__all__ = ["otp_codes"]

otp_codes = Table(
    "otp_codes",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("channel", String(8), nullable=False),
    Column("code_mac", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("consumed_at", UtcDateTime),
    Column("superseded", Boolean, nullable=False, default=False),
    Index("ix_otp_codes_lookup", "account_id", "purpose", "created_at"),
)
