"""Tables of the OTP area."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from kyso.adapters.db.tables.base import UtcDateTime, metadata

__all__ = ["otp_challenges", "otp_codes", "otp_method_state", "smartotp_tokens"]

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

smartotp_tokens = Table(
    "smartotp_tokens",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("sealed_seed", LargeBinary, nullable=False),
    Column("algorithm", String(8), nullable=False),
    Column("digits", Integer, nullable=False),
    Column("period", Integer, nullable=False),
    Column("ocra_suite", String(64), nullable=False),
    Column("terms_version", String(16)),
    Column("device_id", String(64)),
    Column("device_name", String(100)),
    Column("activation_mac", String(64)),
    Column("activation_expires_at", UtcDateTime),
    Column("activation_attempts", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("activated_at", UtcDateTime),
    Column("revoked_at", UtcDateTime),
    Column("last_counter", BigInteger),
    Column("drift", Integer, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("locked_at", UtcDateTime),
    Index("ix_smartotp_tokens_account", "account_id", "status", "created_at"),
)

otp_method_state = Table(
    "otp_method_state",
    metadata,
    Column("account_id", String(36), ForeignKey("accounts.id"), primary_key=True),
    Column("preferred", String(16), nullable=False),
    Column("locks", Text, nullable=False),  # JSON: {method: {at, by, reason}}
)

otp_challenges = Table(
    "otp_challenges",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("details", Text, nullable=False),  # JSON object of strings
    Column("method", String(16), nullable=False),
    Column("question", String(128)),
    Column("ocra_suite", String(64)),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("decided_at", UtcDateTime),
    Index("ix_otp_challenges_account", "account_id", "status", "created_at"),
)
