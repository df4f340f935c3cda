"""Tables of the signing area."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text

from kyso.adapters.db.tables.base import UtcDateTime, metadata

__all__ = ["signature_activations"]

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
    # the signatures the SAD produced, kept for its life (a signHash repeated after a lost
    # response gets them back without signing or charging again): one line a signature,
    # "<scheme> <base64 digest> <base64 signature>", appended by the very UPDATE that spends
    # the hashes (no row of their own to insert); emptied once the SAD expired
    Column("kept", Text, nullable=False, server_default=""),
    Index("ix_signature_activations_account", "account_id", "created_at"),
    Index("ix_signature_activations_expiry", "expires_at"),
)
