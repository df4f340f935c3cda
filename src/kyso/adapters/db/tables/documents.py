"""Tables of documents to sign (the bytes live in the blob store, named by SHA-256)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    false,
)

from kyso.adapters.db.tables.base import UtcDateTime, metadata

__all__ = ["documents"]

documents = Table(
    "documents",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("credential_id", String(80), nullable=False),
    Column("format", String(8), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("level", String(8), nullable=False),
    Column("visible", Boolean, nullable=False, server_default=false()),
    Column("reason", String(200)),
    Column("location", String(200)),
    Column("status", String(16), nullable=False),
    Column("transaction_id", String(36), ForeignKey("otp_challenges.id")),  # shared by a batch
    Column("signed_sha256", String(64)),
    Column("signed_size", BigInteger),
    Column("created_at", UtcDateTime, nullable=False),
    Column("signed_at", UtcDateTime),
    Column("error", String(40)),
    Column("stamp_page", Integer),  # the visible stamp's page (1-based) and box:
    Column("stamp_box", String(80)),  # "x1 y1 x2 y2" in PDF user space
    Column("stamp_image", String(64)),  # the SHA-256 of the signature image's PNG blob
    Index("ix_documents_account", "account_id", "created_at"),
    Index("ix_documents_transaction", "transaction_id"),
)
