"""The CSC API's OAuth2 clients' redirect URIs, authorizations, tokens (hashed) and
asynchronous signHash responses (``kyso.relying.csc_model``)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, LargeBinary, String, Table, Text

from kyso.adapters.db.tables.base import UtcDateTime, metadata

__all__ = ["csc_authorizations", "csc_redirect_uris", "csc_refresh_tokens", "csc_responses",
           "csc_tokens"]

csc_redirect_uris = Table(
    "csc_redirect_uris",
    metadata,
    Column("party_id", String(36), ForeignKey("relying_parties.id"), primary_key=True),
    Column("uri", String(500), primary_key=True),
    Column("created_at", UtcDateTime, nullable=False),
)

csc_authorizations = Table(
    "csc_authorizations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("party_id", String(36), ForeignKey("relying_parties.id"), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("redirect_uri", String(500), nullable=False),
    Column("state", String(500), nullable=True),
    Column("code_challenge", String(128), nullable=False),
    Column("credential_id", String(80), nullable=True),
    Column("num_signatures", Integer, nullable=False),
    Column("hashes", Text, nullable=False),
    Column("hash_algo", String(64), nullable=True),
    Column("description", String(500), nullable=True),
    Column("lang", String(2), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=True),
    Column("challenge_id", String(36), nullable=True, unique=True),
    Column("code_hash", String(64), nullable=True, unique=True),
    Column("code_expires_at", UtcDateTime, nullable=True),
    Column("sealed_sad", LargeBinary, nullable=True),
    Column("sad_expires_at", UtcDateTime, nullable=True),
    Index("ix_csc_authorizations_expiry", "expires_at"),  # 0011: the worker's clean-up
)

csc_tokens = Table(
    "csc_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("authorization_id", String(36), ForeignKey("csc_authorizations.id"),
           nullable=False),
    Column("party_id", String(36), ForeignKey("relying_parties.id"), nullable=False),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("credential_id", String(80), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Index("ix_csc_tokens_authorization", "authorization_id"),
    Index("ix_csc_tokens_expiry", "expires_at"),  # 0011: the worker's clean-up
    Index("ix_csc_tokens_account_party", "account_id", "party_id"),  # 0011: the grants page
)

csc_responses = Table(
    "csc_responses",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("credential_id", String(80), nullable=False),
    Column("scheme", String(32), nullable=False),
    Column("hashes", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("challenge_id", String(36), nullable=True, unique=True),
    Column("signatures", Text, nullable=True),
    Column("error", String(64), nullable=True),
    Index("ix_csc_responses_expiry", "expires_at"),  # 0011: the worker's clean-up
)

# refresh tokens (0011_oauth_refresh): SHA-256 only, rotated on every use; a family is one
# grant (an OAuth2 service authorization, or an auth/login with rememberMe)
csc_refresh_tokens = Table(
    "csc_refresh_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("family_id", String(36), nullable=False),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("party_id", String(36), ForeignKey("relying_parties.id"), nullable=True),
    Column("authorization_id", String(36), ForeignKey("csc_authorizations.id"),
           nullable=True),
    Column("session_id", String(36), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Column("revoked_at", UtcDateTime, nullable=True),
    Index("ix_csc_refresh_tokens_family", "family_id"),
    Index("ix_csc_refresh_tokens_account_party", "account_id", "party_id"),
    Index("ix_csc_refresh_tokens_expiry", "expires_at"),
)
