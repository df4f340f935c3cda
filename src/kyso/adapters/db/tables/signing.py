"""Tables of the signing area."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, LargeBinary, String, Table, Text

from kyso.adapters.db.tables.base import UtcDateTime, metadata

__all__ = ["signature_activations", "signatures_kept"]

signature_activations = Table(
    "signature_activations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("credential_id", String(80), nullable=False),
    Column("hash_algo", String(16), nullable=False),
    Column("hashes", Text, nullable=False),  # JSON list of base64 digests
    Column("signed", Text, nullable=False),  # JSON list of the ones already signed
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    Index("ix_signature_activations_account", "account_id", "created_at"),
)

# the signatures a SAD produced, kept for its life: a signHash repeated after a lost
# response gets them back without signing or charging again
signatures_kept = Table(
    "signatures_kept",
    metadata,
    Column("activation_id", String(36), ForeignKey("signature_activations.id"),
           primary_key=True),
    Column("hash", String(100), primary_key=True),  # base64 of the digest
    Column("scheme", String(32), nullable=False),
    Column("signature", LargeBinary, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Index("ix_signatures_kept_expiry", "expires_at"),
)
