"""OAuth2 for the CSC API (CSC v2 §8; RFC 6749 authorization code, RFC 7636 PKCE S256).

A relying party (the OAuth *client*: ``client_id`` = its ``sp_id``) sends the customer's
browser to ``oauth2/authorize`` with a redirect URI registered for it, a PKCE challenge and
a scope. The customer logs in to kyso's own web page and approves:

* ``service``: a click; the token then stands for the customer's session at the CSC API.
* ``credential``: this is the signature's authorization (SCAL2). The page shows the relying
  party, the number of signatures and the documents (names or hashes); the customer confirms
  it as any signing transaction, with the SmartOTP code over exactly those details (or the
  SMS code on that method). kyso then grants a SAD over exactly those hashes, sealed with the
  envelope, and the token carries it: ``signatures/signHash`` accepts the token in place of
  the SAD.

The code is single use, lives :data:`CODE_SECONDS`, and is bound to the client, the redirect
URI and the PKCE verifier; a code presented twice also revokes the tokens it gave (RFC 6749
§4.1.2). Codes and tokens are kept as SHA-256 hashes only. Every decision is audited.

Refresh tokens (OAuth 2.1 §4.3, RFC 6819 §5.2.2.3): a ``service`` grant comes with one, bound
to its client; ``auth/login`` with ``rememberMe`` gives one too (CSC v2 §11.2), bound to the
login. Never for ``credential``: that token is the signature's one-time authorization. Every
use rotates the refresh token; presenting a rotated one again is taken as theft and revokes
the whole family (every refresh token of the grant, its access tokens, and a login family's
sessions). A refresh token dies with ``oauth2/revoke``/``auth/revoke``, when the customer
revokes the relying party in the app, and (a login family) when its session is ended —
logout, "log out everywhere", a password change or identity recovery.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import NoReturn
from urllib.parse import urlencode, urlsplit

from kyso.accounts.model import AccountStatus, Session
from kyso.accounts.service import AccountService
from kyso.audit.model import AuditEvent, Outcome
from kyso.clock import Clock
from kyso.errors import InvalidInput, NotFound
from kyso.keys.model import HashAlgorithm
from kyso.otp.factors import FactorProof
from kyso.otp.model import Purpose
from kyso.otp.token import Challenge
from kyso.otp.transactions import Kind, TransactionService
from kyso.relying.csc_model import (
    AuthStatus,
    Grant,
    OAuthAuthorization,
    OAuthToken,
    RefreshToken,
)
from kyso.relying.errors import InvalidSpCredentials
from kyso.relying.model import PartyStatus, RelyingParty
from kyso.relying.parties import RelyingPartyService
from kyso.secrets import Envelope
from kyso.signing.credentials import find_credential, usable
from kyso.signing.service import SigningService
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "KIND",
    "REFRESH_PREFIX",
    "TOKEN_PREFIX",
    "AuthorizeRequest",
    "Bearer",
    "CscOAuthService",
    "OAuthError",
    "PageView",
    "Refreshed",
    "kind",
]

KIND = "csc_oauth_credential"
TOKEN_PREFIX = "kcsc_"  # noqa: S105 (a prefix, not a secret)
REFRESH_PREFIX = "kcsr_"
REFRESH_SECONDS = 30 * 86400  # a refresh token unused this long expires (rotation renews it)
CODE_SECONDS = 60
PAGE_SECONDS = 600  # the customer has ten minutes to log in and decide
SERVICE_TOKEN_SECONDS = 3600
_PKCE = re.compile(r"[A-Za-z0-9._~-]{43,128}")  # RFC 7636 §4.1 (and a S256 challenge: 43)


class OAuthError(InvalidInput):
    """An RFC 6749 error: ``code`` is the ``error`` field; ``redirect`` says whether it may go
    back to the client's redirect URI (only once that URI is known to be the client's)."""

    code = "invalid_request"
    vi = "{vi}"
    en = "{en}"
    status = 400

    def __init__(self, en: str, vi: str, *, redirect: bool = False) -> None:
        super().__init__(vi=vi, en=en)
        self.redirect = redirect


class InvalidClient(OAuthError):
    code = "invalid_client"
    status = 401


class InvalidGrant(OAuthError):
    code = "invalid_grant"


class InvalidScope(OAuthError):
    code = "invalid_scope"


class UnsupportedResponseType(OAuthError):
    code = "unsupported_response_type"


class UnsupportedGrantType(OAuthError):
    code = "unsupported_grant_type"


class AccessDenied(OAuthError):
    code = "access_denied"


@dataclass(frozen=True)
class AuthorizeRequest:
    """The query of ``oauth2/authorize``, as received."""

    response_type: str | None
    client_id: str | None
    redirect_uri: str | None
    scope: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    state: str | None = None
    credential_id: str | None = None
    num_signatures: int | None = None
    hashes: str | None = None  # comma-separated Base64url or Base64 digests
    hash_algo: str | None = None
    description: str | None = None
    lang: str = "vi"


@dataclass(frozen=True)
class PageView:
    """What kyso's approval page shows."""

    authorization: OAuthAuthorization
    party_name: str


@dataclass(frozen=True)
class Refreshed:
    """What ``auth/login`` with a refresh token gives: a new session and the next refresh
    token of the family."""

    session: Session
    access_token: str
    refresh_token: str


@dataclass(frozen=True)
class Bearer:
    """What a CSC access token stands for."""

    account_id: str
    scope: str
    credential_id: str | None
    sad: str | None  # credential scope: the SAD the customer's approval granted
    expires_at: datetime
    party_name: str = ""
    party_id: str | None = None  # the relying party (it may read the receipts it asked for)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _digest(text: str) -> bytes:
    padded = text.strip() + "=" * (-len(text.strip()) % 4)
    return base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)


class CscOAuthService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock,
                 parties: RelyingPartyService, transactions: TransactionService,
                 signing: SigningService, envelope: Envelope, *,
                 accounts: AccountService | None = None,
                 refresh_seconds: int = REFRESH_SECONDS) -> None:
        self._uow, self._clock, self._parties = uow_factory, clock, parties
        self._transactions, self._signing, self._envelope = transactions, signing, envelope
        self._accounts, self._refresh_life = accounts, timedelta(seconds=refresh_seconds)

    # -- clients -------------------------------------------------------------------------
    def register_redirect_uri(self, sp_id: str, uri: str, *, actor: str) -> None:
        parts = urlsplit(uri)
        if (parts.scheme not in ("https", "http") or not parts.hostname or parts.fragment
                or len(uri) > 500):
            raise OAuthError("a redirect URI is an absolute http(s) URL without a fragment",
                             "URI chuyển hướng phải là URL http(s) tuyệt đối, không có "
                             "phần #fragment")
        with self._uow() as uow:
            party = uow.relying.party_by_sp_id(sp_id)
            if party is None:
                raise NotFound()
            uow.csc.add_redirect_uri(party.id, uri, self._clock.now())
            self._audit(uow, "csc.redirect_uri_added", actor, party.id, uri=uri)
            uow.commit()

    # -- oauth2/authorize ----------------------------------------------------------------
    def begin(self, request: AuthorizeRequest) -> OAuthAuthorization:
        """Check the request; the customer's browser then goes to kyso's approval page."""
        now = self._clock.now()
        with self._uow() as uow:
            party = self._client(uow, request.client_id)
            uri = request.redirect_uri or ""
            if uri not in uow.csc.redirect_uris(party.id):  # exact match (RFC 6749 §3.1.2)
                raise OAuthError("redirect_uri is not registered for this client",
                                 "redirect_uri chưa được đăng ký cho bên tin cậy này")
            item = self._checked(request, party, uri, now)
            uow.csc.add_authorization(item)
            self._audit(uow, "csc.oauth_requested", party.sp_id, party.id, scope=item.scope,
                        authorization=item.id)
            uow.commit()
            return item

    def _checked(self, r: AuthorizeRequest, party: RelyingParty, uri: str,
                 now: datetime) -> OAuthAuthorization:
        if r.response_type != "code":
            raise UnsupportedResponseType("response_type must be code",
                                          "response_type phải là code", redirect=True)
        if r.code_challenge_method != "S256" or not r.code_challenge \
                or not re.fullmatch(r"[A-Za-z0-9_-]{43}", r.code_challenge):
            raise OAuthError("PKCE is required: code_challenge (43 characters) with "
                             "code_challenge_method=S256",
                             "cần PKCE: code_challenge (43 ký tự) với "
                             "code_challenge_method=S256", redirect=True)
        if r.state is not None and len(r.state) > 500:
            raise OAuthError("state is too long", "state quá dài", redirect=True)
        hashes: list[str] = []
        count = 0
        if r.scope == "credential":
            if not r.credential_id:
                raise OAuthError("the credential scope needs credentialID",
                                 "phạm vi credential cần credentialID", redirect=True)
            hashes = self._hashes(r)
            count = len(hashes)
        elif r.scope != "service":
            raise InvalidScope("scope must be service or credential",
                               "scope phải là service hoặc credential", redirect=True)
        return OAuthAuthorization(
            id=str(uuid.uuid4()), party_id=party.id, scope=r.scope, redirect_uri=uri,
            state=r.state, code_challenge=r.code_challenge,
            credential_id=r.credential_id if r.scope == "credential" else None,
            num_signatures=count, hashes="\n".join(hashes),
            hash_algo=(r.hash_algo or HashAlgorithm.SHA256.oid) if hashes else None,
            description=(r.description or "")[:500] or None,
            lang="en" if r.lang == "en" else "vi", created_at=now,
            expires_at=now + timedelta(seconds=PAGE_SECONDS))

    def _hashes(self, r: AuthorizeRequest) -> list[str]:
        """SCAL2: the credential scope names the hashes (as many as ``numSignatures``)."""
        by_oid = {h.oid: h for h in HashAlgorithm}
        algo = by_oid.get(r.hash_algo or HashAlgorithm.SHA256.oid)
        if algo is None:
            raise OAuthError("hashAlgorithmOID must be SHA-256, SHA-384 or SHA-512",
                             "hashAlgorithmOID phải là SHA-256, SHA-384 hoặc SHA-512",
                             redirect=True)
        items = [h for h in (r.hashes or "").split(",") if h.strip()]
        try:
            digests = [_digest(h) for h in items]
        except ValueError:
            digests = []
        if not items or len(digests) != len(items) or \
                any(len(d) != algo.digest_size for d in digests) or len(items) > 100:
            raise OAuthError("hashes: 1 to 100 Base64 digests of hashAlgorithmOID, "
                             "comma-separated (SCAL2)",
                             "hashes: 1 đến 100 giá trị băm Base64 theo hashAlgorithmOID, "
                             "phân cách bằng dấu phẩy (SCAL2)", redirect=True)
        if r.num_signatures != len(digests) or len(set(digests)) != len(digests):
            raise OAuthError("numSignatures must equal the number of distinct hashes",
                             "numSignatures phải bằng số giá trị băm khác nhau", redirect=True)
        return [base64.b64encode(d).decode() for d in digests]

    # -- kyso's approval page (the logged-in customer) -----------------------------------
    def view(self, account_id: str, item_id: str) -> PageView:
        with self._uow(read_only=True) as uow:
            item = self._open(uow, item_id, account_id)
            party = uow.relying.party(item.party_id)
            assert party is not None
            return PageView(item, party.name)

    def approve(self, account_id: str, item_id: str) -> Challenge | None:
        """``service``: approved at once (None). ``credential``: the signing transaction the
        customer now confirms with the code (its ``after`` grants the SAD)."""
        with self._uow() as uow:
            item = self._open(uow, item_id, account_id, lock=True)
            if item.status is not AuthStatus.PENDING or item.challenge_id is not None:
                raise AccessDenied("this authorization was already decided",
                                   "yêu cầu ủy quyền này đã được xử lý")
            if item.scope == "service":
                uow.csc.save_authorization(replace(item, status=AuthStatus.APPROVED,
                                                   account_id=account_id))
                self._audit(uow, "csc.oauth_approved", account_id, item.party_id,
                            authorization=item.id, scope="service")
                uow.commit()
                return None
            assert item.credential_id is not None
            usable(find_credential(uow, account_id, item.credential_id), self._clock.now())
            party = uow.relying.party(item.party_id)
            assert party is not None
            details = {"relying_party": party.name, "num_signatures": str(item.num_signatures),
                       "credential": item.credential_id,
                       "hashes": "\n".join(item.digests)}
            if item.description:
                details["description"] = item.description
            challenge = self._transactions.create(uow, account_id, KIND, details)
            uow.csc.save_authorization(replace(item, account_id=account_id,
                                               challenge_id=challenge.id))
            uow.commit()
            return challenge

    def on_confirmed(self, uow: UnitOfWork, challenge: Challenge) -> None:
        item = uow.csc.authorization_by_challenge(challenge.id)
        if item is None or item.status is not AuthStatus.PENDING:
            raise AccessDenied("this authorization was already decided",
                               "yêu cầu ủy quyền này đã được xử lý")

    def on_committed(self, challenge: Challenge, proof: FactorProof) -> None:
        """The code confirmed exactly these details: grant a SAD over the hashes, sealed."""
        if not proof.confirms(challenge):
            raise AccessDenied("the code does not confirm this authorization",
                               "mã không xác nhận yêu cầu ủy quyền này")
        with self._uow() as uow:
            item = uow.csc.authorization_by_challenge(challenge.id)
            if item is None or item.status is not AuthStatus.PENDING or \
                    item.account_id is None or item.credential_id is None:
                raise AccessDenied("this authorization was already decided",
                                   "yêu cầu ủy quyền này đã được xử lý")
            credential = usable(find_credential(uow, item.account_id, item.credential_id),
                                self._clock.now())
            algo = next(h for h in HashAlgorithm if h.oid == item.hash_algo)
            digests = [base64.b64decode(h) for h in item.digests]
            grant = self._signing.grant(uow, credential, digests, algo, proof)
            sealed = self._envelope.seal(grant.sad.encode(), f"csc-sad:{item.id}")
            uow.csc.save_authorization(replace(item, status=AuthStatus.APPROVED,
                                               sealed_sad=sealed,
                                               sad_expires_at=grant.expires_at))
            self._audit(uow, "csc.oauth_approved", item.account_id, item.party_id,
                        authorization=item.id, scope="credential", count=len(digests))
            uow.commit()

    def redirect(self, account_id: str, item_id: str) -> str:
        """Where the browser goes now: the client's redirect URI with a fresh code (once)."""
        now = self._clock.now()
        with self._uow() as uow:
            item = self._open(uow, item_id, account_id, lock=True)
            if item.status is not AuthStatus.APPROVED or item.account_id != account_id:
                raise AccessDenied("this authorization is not approved (or its code was "
                                   "already issued)",
                                   "yêu cầu ủy quyền chưa được chấp thuận (hoặc mã đã được "
                                   "cấp)")
            code = secrets.token_urlsafe(32)
            uow.csc.save_authorization(replace(
                item, status=AuthStatus.CODE, code_hash=_sha(code),
                code_expires_at=now + timedelta(seconds=CODE_SECONDS)))
            uow.commit()
        return with_query(item.redirect_uri, code=code, state=item.state)

    def deny(self, account_id: str, item_id: str) -> str:
        with self._uow() as uow:
            item = self._open(uow, item_id, account_id, lock=True)
            if item.status is AuthStatus.PENDING:
                uow.csc.save_authorization(replace(item, status=AuthStatus.DENIED,
                                                   account_id=account_id))
                self._audit(uow, "csc.oauth_denied", account_id, item.party_id,
                            Outcome.FAILURE, authorization=item.id)
                uow.commit()
        return with_query(item.redirect_uri, error="access_denied",
                           error_description="The customer denied the authorization",
                           state=item.state)

    # -- oauth2/token and oauth2/revoke --------------------------------------------------
    def exchange(self, client_id: str | None, client_secret: str | None, code: str | None,
                 redirect_uri: str | None, verifier: str | None,
                 address: str | None = None) -> tuple[str, OAuthToken, str | None]:
        """``grant_type=authorization_code``: the token (shown once), its record, and (the
        ``service`` scope) a refresh token bound to the client."""
        now = self._clock.now()
        self._authenticate(client_id, client_secret, address)
        if not code or not verifier or not _PKCE.fullmatch(verifier):
            raise OAuthError("code and code_verifier (43 to 128 characters) are required",
                             "cần code và code_verifier (43 đến 128 ký tự)")
        with self._uow() as uow:
            party = self._client(uow, client_id)
            item = uow.csc.authorization_by_code(_sha(code))
            if item is None or item.party_id != party.id:
                self._refused(uow, party, "unknown_code")
                raise InvalidGrant("the authorization code is unknown",
                                   "mã ủy quyền không tồn tại")
            if item.status is not AuthStatus.CODE:  # presented again: revoke what it gave
                for token in uow.csc.tokens_of(item.id):
                    if token.revoked_at is None:
                        uow.csc.save_token(replace(token, revoked_at=now))
                uow.csc.revoke_family(item.id, now)  # and its refresh tokens
                self._refused(uow, party, "code_reused", authorization=item.id)
                raise InvalidGrant("the authorization code was already used",
                                   "mã ủy quyền đã được sử dụng")
            problem = self._mismatch(item, redirect_uri, verifier, now)
            if problem is not None:
                self._refused(uow, party, problem[0], authorization=item.id)
                raise InvalidGrant(*problem[1:])
            raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
            expires = (item.sad_expires_at if item.scope == "credential" and
                       item.sad_expires_at else now + timedelta(seconds=SERVICE_TOKEN_SECONDS))
            assert item.account_id is not None
            token = OAuthToken(token_hash=_sha(raw), authorization_id=item.id,
                               party_id=party.id, account_id=item.account_id,
                               scope=item.scope, credential_id=item.credential_id,
                               created_at=now, expires_at=expires)
            uow.csc.add_token(token)
            uow.csc.save_authorization(replace(item, status=AuthStatus.EXCHANGED))
            refresh = None
            if item.scope == "service":  # never for credential: single use by design
                refresh = self._new_refresh(uow, item.id, item.account_id, now,
                                            party_id=party.id, authorization_id=item.id)
            self._audit(uow, "csc.oauth_token_issued", party.sp_id, item.account_id,
                        authorization=item.id, scope=item.scope,
                        refresh_token="issued" if refresh else "none")
            uow.commit()
        return raw, token, refresh

    # -- refresh tokens ------------------------------------------------------------------
    def refresh(self, client_id: str | None, client_secret: str | None, given: str | None,
                address: str | None = None) -> tuple[str, OAuthToken, str]:
        """``grant_type=refresh_token``: a new access token and the next refresh token; the
        one given is spent (presented again, it revokes the family)."""
        now = self._clock.now()
        self._authenticate(client_id, client_secret, address)
        with self._uow() as uow:
            party = self._client(uow, client_id)
            found = self._live_refresh(uow, given, now, party=party)
            assert found.authorization_id is not None
            uow.csc.save_refresh(replace(found, used_at=now))
            raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
            token = OAuthToken(token_hash=_sha(raw), authorization_id=found.authorization_id,
                               party_id=party.id, account_id=found.account_id,
                               scope="service", credential_id=None, created_at=now,
                               expires_at=now + timedelta(seconds=SERVICE_TOKEN_SECONDS))
            uow.csc.add_token(token)
            refresh = self._new_refresh(uow, found.family_id, found.account_id, now,
                                        party_id=party.id,
                                        authorization_id=found.authorization_id)
            self._audit(uow, "csc.oauth_token_refreshed", party.sp_id, found.account_id,
                        family=found.family_id)
            uow.commit()
        return raw, token, refresh

    def remember(self, session: Session) -> str:
        """``auth/login`` with ``rememberMe``: a refresh token for this login's family."""
        now = self._clock.now()
        with self._uow() as uow:
            family = str(uuid.uuid4())
            raw = self._new_refresh(uow, family, session.account_id, now,
                                    session_id=session.id)
            self._audit(uow, "csc.login_refresh_issued", session.account_id,
                        session.account_id, family=family, session=session.id)
            uow.commit()
        return raw

    def relogin(self, given: str, *, user_agent: str | None = None,
                ip: str | None = None) -> Refreshed:
        """``auth/login`` with ``refresh_token``: a new session, the refresh token rotated.
        The login's family dies with the session it last opened (logout, log out everywhere,
        a password change, identity recovery)."""
        assert self._accounts is not None
        now = self._clock.now()
        with self._uow() as uow:
            found = self._live_refresh(uow, given, now, party=None)
            last = uow.sessions.get(found.session_id) if found.session_id else None
            if last is None or last.revoked_at is not None:
                self._end_family(uow, found.family_id, now)
                self._refuse(uow, found.account_id, "session_ended", found)
            uow.csc.save_refresh(replace(found, used_at=now))
            session, token = self._accounts.resume(uow, found.account_id,
                                                   user_agent=user_agent, ip=ip)
            refresh = self._new_refresh(uow, found.family_id, found.account_id, now,
                                        session_id=session.id)
            self._audit(uow, "csc.login_refreshed", found.account_id, found.account_id,
                        family=found.family_id, session=session.id)
            uow.commit()
        return Refreshed(session, token, refresh)

    def _live_refresh(self, uow: UnitOfWork, given: str | None, now: datetime, *,
                      party: RelyingParty | None) -> RefreshToken:
        """The refresh token ``given``, locked, if it is live and of this client (``party``
        None: of a login); InvalidGrant otherwise, audited. A rotated one presented again
        revokes its family first."""
        actor = party.sp_id if party is not None else "csc.auth_login"
        found = (uow.csc.refresh(_sha(given), for_update=True)
                 if given and given.startswith(REFRESH_PREFIX) else None)
        if found is None or found.party_id != (party.id if party is not None else None):
            # unknown, or another client's (or a login's at oauth2/token): refused alike
            self._refuse(uow, actor, "unknown_refresh_token", found)
        if found.revoked_at is not None:
            self._refuse(uow, actor, "refresh_token_revoked", found)
        if found.used_at is not None:  # reuse: a copy is in other hands (RFC 6819 §5.2.2.3)
            count = self._end_family(uow, found.family_id, now)
            self._audit(uow, "csc.refresh_token_reused", actor, found.account_id,
                        Outcome.FAILURE, family=found.family_id, revoked=count)
            self._refuse(uow, actor, "refresh_token_reused", found)
        if now >= found.expires_at:
            self._refuse(uow, actor, "refresh_token_expired", found)
        account = uow.accounts.get(found.account_id)
        if account is None or account.status is not AccountStatus.ACTIVE:
            self._refuse(uow, actor, "account_unavailable", found)
        return found

    def _refuse(self, uow: UnitOfWork, actor: str, why: str,
                found: RefreshToken | None) -> NoReturn:
        self._audit(uow, "csc.refresh_refused", actor,
                    found.account_id if found is not None else actor, Outcome.FAILURE,
                    reason=why, **({"family": found.family_id} if found is not None else {}))
        uow.commit()
        raise InvalidGrant("the refresh token is invalid, expired, revoked or already used",
                           "refresh token không hợp lệ, đã hết hạn, đã bị thu hồi hoặc đã "
                           "được dùng")

    def _new_refresh(self, uow: UnitOfWork, family: str, account_id: str, now: datetime, *,
                     party_id: str | None = None, authorization_id: str | None = None,
                     session_id: str | None = None) -> str:
        raw = REFRESH_PREFIX + secrets.token_urlsafe(32)
        uow.csc.add_refresh(RefreshToken(
            token_hash=_sha(raw), family_id=family, account_id=account_id, party_id=party_id,
            authorization_id=authorization_id, session_id=session_id, created_at=now,
            expires_at=now + self._refresh_life))
        return raw

    def _end_family(self, uow: UnitOfWork, family: str, now: datetime) -> int:
        """Revoke every refresh token of the family, its access tokens and (a login
        family) the sessions it opened; how many were live."""
        members = uow.csc.family(family)
        count = uow.csc.revoke_family(family, now)
        for member in members:
            session = uow.sessions.get(member.session_id) if member.session_id else None
            if session is not None and session.revoked_at is None:
                uow.sessions.save(replace(session, revoked_at=now))
                count += 1
        return count

    # -- the customer's grants (the consents page) ---------------------------------------
    def grants(self, account_id: str) -> list[tuple[Grant, RelyingParty]]:
        """The relying parties holding live OAuth2 tokens for the customer."""
        with self._uow(read_only=True) as uow:
            found = []
            for grant in uow.csc.grants(account_id, self._clock.now()):
                party = uow.relying.party(grant.party_id)
                if party is not None:
                    found.append((grant, party))
            return found

    def revoke_party(self, account_id: str, sp_id: str) -> int:
        """The customer takes back every OAuth2 token (access and refresh) the party holds
        for them; audited with the count."""
        with self._uow() as uow:
            party = uow.relying.party_by_sp_id(sp_id[:64])
            if party is None:
                raise NotFound()
            count = uow.csc.revoke_party_tokens(account_id, party.id, self._clock.now())
            self._audit(uow, "csc.oauth_grant_revoked", account_id, party.id, revoked=count)
            uow.commit()
            return count

    @staticmethod
    def _mismatch(item: OAuthAuthorization, redirect_uri: str | None, verifier: str,
                  now: datetime) -> tuple[str, str, str] | None:
        if item.code_expires_at is None or now >= item.code_expires_at:
            return ("code_expired", "the authorization code has expired",
                    "mã ủy quyền đã hết hạn")
        if redirect_uri != item.redirect_uri:
            return ("redirect_uri_mismatch", "redirect_uri differs from the authorization "
                    "request's", "redirect_uri khác với yêu cầu ủy quyền")
        if not hmac.compare_digest(_s256(verifier), item.code_challenge):
            return ("pkce_mismatch", "code_verifier does not match the code_challenge",
                    "code_verifier không khớp với code_challenge")
        return None

    def revoke(self, token: str, *, account_id: str | None = None) -> None:
        """RFC 7009: an unknown token is no error. A refresh token takes its whole family
        with it (§2.1); ``account_id``: only the caller's own (``auth/revoke``)."""
        if token.startswith(REFRESH_PREFIX):
            self._revoke_refresh(token, account_id)
            return
        with self._uow() as uow:
            found = uow.csc.token(_sha(token)) if token.startswith(TOKEN_PREFIX) else None
            if found is not None and account_id not in (None, found.account_id):
                return
            if found is not None and found.revoked_at is None:
                uow.csc.save_token(replace(found, revoked_at=self._clock.now()))
                self._audit(uow, "csc.oauth_token_revoked", found.account_id, found.party_id,
                            authorization=found.authorization_id)
                uow.commit()

    def _revoke_refresh(self, token: str, account_id: str | None) -> None:
        now = self._clock.now()
        with self._uow() as uow:
            found = uow.csc.refresh(_sha(token), for_update=True)
            if found is None or account_id not in (None, found.account_id):
                return
            count = self._end_family(uow, found.family_id, now)
            if count:
                self._audit(uow, "csc.refresh_token_revoked", found.account_id,
                            found.account_id, family=found.family_id, revoked=count)
                uow.commit()

    def bearer(self, token: str) -> Bearer | None:
        """The live token's meaning; None if unknown, revoked or expired."""
        now = self._clock.now()
        with self._uow(read_only=True) as uow:  # the token, its authorization, its party
            read = uow.csc.bearer(_sha(token))
        if read is None:
            return None
        found, item, party = read
        if found.revoked_at is not None or now >= found.expires_at:
            return None
        sad = None
        if found.scope == "credential":
            if item is None or item.sealed_sad is None:
                return None
            sad = self._envelope.open(item.sealed_sad, f"csc-sad:{item.id}").decode()
        if party is None or party.status is not PartyStatus.ACTIVE:
            return None  # a disabled client's tokens stop at once
        return Bearer(found.account_id, found.scope, found.credential_id, sad,
                      found.expires_at, party.name, party.id)

    # -- helpers -------------------------------------------------------------------------
    def _authenticate(self, client_id: str | None, client_secret: str | None,
                      address: str | None) -> None:
        if client_secret is not None and client_id is not None:
            try:  # a confidential client: its sp_password (throttled, audited)
                self._parties.authenticate(client_id, client_secret, address)
            except InvalidSpCredentials as exc:
                raise InvalidClient("client authentication failed",
                                    "xác thực bên tin cậy không thành công") from exc

    @staticmethod
    def _client(uow: UnitOfWork, client_id: str | None) -> RelyingParty:
        party = uow.relying.party_by_sp_id(client_id or "") if client_id else None
        if party is None or party.status is not PartyStatus.ACTIVE:
            raise InvalidClient("unknown or disabled client_id",
                                "client_id không tồn tại hoặc đã bị vô hiệu hóa")
        return party

    def _open(self, uow: UnitOfWork, item_id: str, account_id: str, *,
              lock: bool = False) -> OAuthAuthorization:
        item = uow.csc.authorization(item_id, for_update=lock)
        if item is None or (item.account_id is not None and item.account_id != account_id):
            raise NotFound()
        if self._clock.now() >= item.expires_at and item.status is AuthStatus.PENDING:
            raise AccessDenied("this authorization request has expired; start again from "
                               "the service",
                               "yêu cầu ủy quyền đã hết hạn; vui lòng bắt đầu lại từ dịch vụ")
        return item

    def _refused(self, uow: UnitOfWork, party: RelyingParty, why: str,
                 **details: str) -> None:
        self._audit(uow, "csc.oauth_token_refused", party.sp_id, party.id, Outcome.FAILURE,
                    reason=why, **details)
        uow.commit()

    def _audit(self, uow: UnitOfWork, action: str, actor: str, subject: str,
               outcome: Outcome = Outcome.SUCCESS, **details: str | int) -> None:
        event = AuditEvent(action, outcome, actor=actor, subject=subject, details=details)
        uow.audit.append(event, self._clock.now())


def with_query(uri: str, **params: str | None) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{uri}{'&' if urlsplit(uri).query else '?'}{query}"


def kind(service: Callable[[], CscOAuthService]) -> Kind:
    """The transaction kind; ``service`` is looked up when a transaction is decided (the
    service itself needs the transaction service that holds the kind)."""
    return Kind(KIND, Purpose.SIGN, lambda uow, c: service().on_confirmed(uow, c),
                lambda c, proof: service().on_committed(c, proof))
