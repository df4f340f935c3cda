"""Tables of the relying-party area: parties, customers' consents, SP769 sign requests and
their files (webhook calls wait in the outbox)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
    false,
)

from kyso.adapters.db.tables.base import UtcDateTime, metadata

__all__ = ["relying_parties", "rp_consents", "sp769_files", "sp769_requests"]

relying_parties = Table(
    "relying_parties",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("sp_id", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("secret_hash", String(200), nullable=False),  # argon2id
    Column("public_service", Boolean, nullable=False, server_default=false()),
    Column("webhook_url", String(500), nullable=True),
    Column("sealed_webhook_secret", LargeBinary, nullable=True),  # envelope-sealed
    Column("status", String(16), nullable=False),
    Column("failures", Integer, nullable=False),
    Column("lock_count", Integer, nullable=False),
    Column("locked_until", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)

rp_consents = Table(
    "rp_consents",
    metadata,
    Column("account_id", String(36), ForeignKey("accounts.id"), primary_key=True),
    Column("party_id", String(36), ForeignKey("relying_parties.id"), primary_key=True),
    Column("granted_at", UtcDateTime, nullable=False),
)

sp769_requests = Table(
    "sp769_requests",
    metadata,
    Column("id", String(36), primary_key=True),  # the tran_code
    Column("party_id", String(36), ForeignKey("relying_parties.id"), nullable=False),
    Column("transaction_id", String(64), nullable=False),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("credential_id", String(80), nullable=False),
    Column("challenge_id", String(36), ForeignKey("otp_challenges.id"), nullable=False,
           unique=True),
    Column("description", String(500), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime, nullable=True),
    Column("error", String(64), nullable=True),
    UniqueConstraint("party_id", "transaction_id"),
    Index("ix_sp769_requests_due", "status", "expires_at"),
)

sp769_files = Table(
    "sp769_files",
    metadata,
    Column("request_id", String(36), ForeignKey("sp769_requests.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("doc_id", String(128), nullable=False),
    Column("file_type", String(16), nullable=False),
    Column("digest", String(64), nullable=False),  # hex SHA-256
    Column("signature", LargeBinary, nullable=True),  # DER CMS, once signed
)
