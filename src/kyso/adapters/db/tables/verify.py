"""Signature records: what the public verification page ``/v/<id>`` shows about one signature
kyso made, and the signing receipt's blob (no document bytes, no ID number, no contact)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text, text

from kyso.adapters.db.tables.base import UtcDateTime, metadata

__all__ = ["signature_records", "signing_receipts"]

PARTY_ID_SET = text("party_id IS NOT NULL")

signature_records = Table(
    "signature_records",
    metadata,
    Column("id", String(16), primary_key=True),  # the public id: 12 base32 chars, CSPRNG
    Column("account_id", String(36), nullable=False),
    Column("document_id", String(36)),  # a kyso document (NULL for CSC signDoc)
    Column("credential_id", String(80), nullable=False),
    Column("issuer", String(80), nullable=False),  # the issuing CA's name in kyso
    Column("serial", String(40), nullable=False),  # hex
    Column("signer_name", String(200), nullable=False),  # as in the certificate
    Column("issuer_name", String(200), nullable=False),  # the issuer's common name
    Column("format", String(8), nullable=False),
    Column("level", String(8), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),  # of the original
    Column("signed_sha256", String(64), nullable=False),  # of the signed output
    Column("signed_size", BigInteger, nullable=False),
    Column("signed_at", UtcDateTime, nullable=False),
    Column("timestamp_at", UtcDateTime),  # the signature time stamp's genTime (B-T on)
    Column("relying_party", String(200)),
    Column("challenge_id", String(36)),  # the transaction the customer approved
    Column("audit_event", String(36), nullable=False),  # the audit record's event id
    Column("receipt_sha256", String(64)),  # the receipt's blob
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_signature_records_account", "account_id", "created_at"),
    Index("ix_signature_records_document", "document_id"),
)

# -- receipts
# A signing receipt to make (receipt_sha256 NULL: the worker's job) or made. The signing
# transaction adds the row with the claims complete; the worker seals them (docs/DOCUMENTS.md,
# "Signing receipts").
signing_receipts = Table(
    "signing_receipts",
    metadata,
    Column("id", String(16), primary_key=True),  # 12 base32 chars; a record's id for documents
    Column("account_id", String(36), nullable=False),  # the signer
    Column("party_id", String(36)),  # the relying party that asked (reads it too)
    Column("kind", String(16), nullable=False),  # document | signDoc | signHash | sp769 | …
    Column("claims", Text, nullable=False),  # canonical JSON, sealed as is
    Column("attempts", Integer, nullable=False, default=0),
    Column("due_at", UtcDateTime, nullable=False),  # the next attempt
    Column("leased_until", UtcDateTime),  # a worker holds it until then
    Column("error", String(200)),  # the last failure
    Column("receipt_sha256", String(64)),  # the receipt's blob, once made
    Column("created_at", UtcDateTime, nullable=False),
    Column("made_at", UtcDateTime),
    Index("ix_signing_receipts_due", "receipt_sha256", "due_at"),
    Index("ix_signing_receipts_account", "account_id", "created_at"),
    # a relying party's jobs; a customer's own signing (no party) writes no index page
    Index("ix_signing_receipts_party", "party_id",
          sqlite_where=PARTY_ID_SET, postgresql_where=PARTY_ID_SET),
)
