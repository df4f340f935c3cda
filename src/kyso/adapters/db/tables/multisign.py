"""Tables of several-signer envelopes and their signers (the PDFs live in the blob store)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table

from kyso.adapters.db.tables.base import UtcDateTime, metadata

__all__ = ["multisign_envelopes", "multisign_signers"]

multisign_envelopes = Table(
    "multisign_envelopes",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("initiator_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),  # the original
    Column("current_sha256", String(64), nullable=False),  # after the last signature
    Column("mode", String(12), nullable=False),
    Column("level", String(8), nullable=False),
    Column("status", String(12), nullable=False),
    Column("signed_count", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime),
    Column("finished_at", UtcDateTime),
    Column("note", String(200)),
    Column("busy_until", UtcDateTime),
    Index("ix_multisign_envelopes_initiator", "initiator_id", "created_at"),
)

multisign_signers = Table(
    "multisign_signers",
    metadata,
    Column("envelope_id", String(36), ForeignKey("multisign_envelopes.id"), primary_key=True),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("login", String(320), nullable=False),
    Column("field_name", String(80), nullable=False),
    Column("page", Integer, nullable=False),
    Column("box", String(80), nullable=False),  # "x1 y1 x2 y2" in PDF user space
    Column("status", String(12), nullable=False),
    Column("transaction_id", String(36), ForeignKey("otp_challenges.id")),
    Column("credential_id", String(80)),
    Column("signed_at", UtcDateTime),
    Column("declined_reason", String(200)),
    Column("reason", String(100)),  # the signer's own stamp: reason, location, image
    Column("location", String(100)),
    Column("image", String(64)),  # the SHA-256 of the signature image's PNG (blob store)
    Column("record_id", String(16)),  # the signature's record (/v/<id>) once signed
    Column("signed_order", Integer),  # 1 for the first signature made, 2 for the next…
    Index("ix_multisign_signers_account", "account_id"),
    Index("ix_multisign_signers_record", "record_id"),
)
