"""Tables of the PKI: key handles, authorities, issued certificates and the current CRLs.

``pki_keys`` keeps every key handle the PKI made: for software keys ``ref`` is the private
key sealed under the master key; for PKCS#11 keys it is the token object's CKA_ID. Serials
are stored as lower-case hexadecimal (they are up to 160 bits).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, LargeBinary, String, Table

from kyso.adapters.db.tables.base import UtcDateTime, metadata

__all__ = ["pki_authorities", "pki_certificates", "pki_crls", "pki_keys"]

pki_keys = Table(
    "pki_keys",
    metadata,
    Column("key_id", String(64), primary_key=True),
    Column("algorithm", String(16), nullable=False),
    Column("backend", String(16), nullable=False),
    Column("label", String(200), nullable=False),
    Column("public_key", LargeBinary, nullable=False),
    Column("ref", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

pki_authorities = Table(
    "pki_authorities",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("issuer", String(64), ForeignKey("pki_authorities.name"), nullable=True),
    Column("key_id", String(64), ForeignKey("pki_keys.key_id"), nullable=False),
    Column("serial", String(40), nullable=False),
    Column("certificate", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

pki_certificates = Table(
    "pki_certificates",
    metadata,
    Column("issuer", String(64), ForeignKey("pki_authorities.name"), primary_key=True),
    Column("serial", String(40), primary_key=True),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=True),
    Column("key_id", String(64), ForeignKey("pki_keys.key_id"), nullable=True),
    Column("subject", String(200), nullable=False),
    Column("uid", String(64), nullable=True),
    Column("certificate", LargeBinary, nullable=False),
    Column("not_before", UtcDateTime, nullable=False),
    Column("not_after", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("reason", String(32), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("suspended_by", String(36), nullable=True),
    Index("ix_pki_certificates_serial", "serial"),
    Index("ix_pki_certificates_account", "account_id", "created_at"),
    Index("ix_pki_certificates_status", "issuer", "status"),  # the CRL's query
)

pki_crls = Table(
    "pki_crls",
    metadata,
    Column("issuer", String(64), ForeignKey("pki_authorities.name"), primary_key=True),
    Column("number", BigInteger, nullable=False),
    Column("this_update", UtcDateTime, nullable=False),
    Column("next_update", UtcDateTime, nullable=False),
    Column("der", LargeBinary, nullable=False),
)
