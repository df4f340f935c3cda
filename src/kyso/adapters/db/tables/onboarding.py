"""Registrations for a certificate. The columns a query needs are columns; the rest of the
case (owner, contact, activation code HMAC, images, checks, review) is one JSON document."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text

from kyso.adapters.db.tables.base import UtcDateTime, metadata

__all__ = ["registrations"]

registrations = Table(
    "onboarding_registrations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("state", String(24), nullable=False),
    Column("uid", String(64), nullable=False),  # CCCD:…, CMND:…, HC:…
    Column("device_id", String(128), nullable=False),
    Column("credential_id", String(80), unique=True),
    Column("seq", Integer, nullable=False),  # the account's registrations, 1, 2, …
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("seal_due", UtcDateTime),  # the accepted contract awaits kyso's seal
    Column("name_key", String(200)),  # the holder's name for the console's search (search.py)
    Index("ix_onboarding_account", "account_id", "seq", unique=True),
    Index("ix_onboarding_state", "state", "updated_at"),
    Index("ix_onboarding_uid", "uid"),
    Index("ix_onboarding_device", "device_id"),
    Index("ix_onboarding_seal_due", "seal_due"),
)
