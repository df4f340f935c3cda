"""The CSC API's own records: OAuth2 authorizations (with their one-time code), access
tokens, and asynchronous ``signHash`` responses. Codes and tokens are kept only as SHA-256
hashes; a credential token's SAD is sealed with the envelope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from kyso.relying.model import RelyingParty

__all__ = ["AsyncResponse", "AuthStatus", "CscRepository", "Grant", "OAuthAuthorization",
           "OAuthToken", "RefreshToken", "ResponseStatus"]


class AuthStatus(StrEnum):
    PENDING = "pending"      # waiting for the customer on kyso's page
    APPROVED = "approved"    # approved (credential scope: the OTP confirmed, the SAD granted)
    CODE = "code"            # the authorization code was handed to the browser
    EXCHANGED = "exchanged"  # the code was exchanged for a token (once)
    DENIED = "denied"


class ResponseStatus(StrEnum):
    PENDING = "pending"
    SIGNED = "signed"
    REJECTED = "rejected"
    FAILED = "failed"
    EXPIRED = "expired"


@dataclass(frozen=True)
class OAuthAuthorization:
    id: str
    party_id: str
    scope: str  # service | credential
    redirect_uri: str
    state: str | None
    code_challenge: str
    credential_id: str | None
    num_signatures: int
    hashes: str  # Base64 digests, one a line (credential scope)
    hash_algo: str | None
    description: str | None
    lang: str
    created_at: datetime
    expires_at: datetime
    status: AuthStatus = AuthStatus.PENDING
    account_id: str | None = None
    challenge_id: str | None = None
    code_hash: str | None = None
    code_expires_at: datetime | None = None
    sealed_sad: bytes | None = None
    sad_expires_at: datetime | None = None

    @property
    def digests(self) -> list[str]:
        return [h for h in self.hashes.split("\n") if h]


@dataclass(frozen=True)
class OAuthToken:
    token_hash: str
    authorization_id: str
    party_id: str
    account_id: str
    scope: str
    credential_id: str | None
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class RefreshToken:
    """A refresh token (only its SHA-256 is kept). Every use rotates it: the used one keeps
    ``used_at`` so that presenting it again is seen as reuse, which revokes the whole
    ``family`` (every refresh token of the grant and the access tokens it gave). An OAuth2
    ``service`` grant's family is its authorization (``party_id`` is the client it is bound
    to); an ``auth/login`` (``rememberMe``) family has no party and names the kyso session
    each rotation opened."""

    token_hash: str
    family_id: str
    account_id: str
    party_id: str | None
    authorization_id: str | None
    session_id: str | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class Grant:
    """A relying party holding live OAuth2 tokens for a customer (the consents page)."""

    party_id: str
    first_at: datetime
    last_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class AsyncResponse:
    id: str
    account_id: str
    credential_id: str
    scheme: str
    hashes: str  # Base64 digests, one a line
    created_at: datetime
    expires_at: datetime
    status: ResponseStatus = ResponseStatus.PENDING
    challenge_id: str | None = None
    signatures: str | None = None  # Base64 signatures, one a line, in the order of hashes
    error: str | None = None


class CscRepository(Protocol):
    def redirect_uris(self, party_id: str) -> list[str]: ...
    def add_redirect_uri(self, party_id: str, uri: str, at: datetime) -> None: ...
    def add_authorization(self, item: OAuthAuthorization) -> None: ...
    def authorization(self, item_id: str, *,
                      for_update: bool = False) -> OAuthAuthorization | None: ...
    def authorization_by_code(self, code_hash: str) -> OAuthAuthorization | None: ...
    def authorization_by_challenge(self, challenge_id: str) -> OAuthAuthorization | None: ...
    def save_authorization(self, item: OAuthAuthorization) -> None: ...
    def add_token(self, token: OAuthToken) -> None: ...
    def token(self, token_hash: str) -> OAuthToken | None: ...
    def bearer(self, token_hash: str) -> tuple[OAuthToken, OAuthAuthorization | None,
                                               RelyingParty | None] | None:
        """The access token with its authorization and its relying party (None where
        gone): one read, for the bearer check of every call made with it."""
        ...
    def tokens_of(self, authorization_id: str) -> list[OAuthToken]: ...
    def save_token(self, token: OAuthToken) -> None: ...
    def add_response(self, item: AsyncResponse) -> None: ...
    def response(self, item_id: str, *, for_update: bool = False) -> AsyncResponse | None: ...
    def response_by_challenge(self, challenge_id: str) -> AsyncResponse | None: ...
    def save_response(self, item: AsyncResponse) -> None: ...
    # refresh tokens (0011_oauth_refresh)
    def add_refresh(self, token: RefreshToken) -> None: ...
    def refresh(self, token_hash: str, *, for_update: bool = False) -> RefreshToken | None: ...
    def family(self, family_id: str) -> list[RefreshToken]: ...
    def save_refresh(self, token: RefreshToken) -> None: ...
    def revoke_family(self, family_id: str, at: datetime) -> int: ...
    def revoke_party_tokens(self, account_id: str, party_id: str, at: datetime) -> int: ...
    def grants(self, account_id: str, now: datetime) -> list[Grant]: ...
    # clean-up (the worker): one bounded batch of rows past ``before``; how many went
    def purge(self, what: str, before: datetime, limit: int) -> int: ...
