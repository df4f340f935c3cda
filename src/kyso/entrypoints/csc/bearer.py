"""Who calls the CSC API: a kyso session (``auth/login``) or an OAuth2 access token
(``oauth2/token``: ``service`` scope, or ``credential`` scope carrying a SAD); and in which
language (``lang`` in the body, else ``Accept-Language``/``?lang=``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from kyso.accounts.errors import InvalidSession
from kyso.accounts.model import Account, Session
from kyso.bootstrap import Container
from kyso.entrypoints.api.deps import GATED, get_container
from kyso.entrypoints.api.errors import language
from kyso.errors import PermissionDenied
from kyso.relying.csc_oauth import TOKEN_PREFIX, Bearer

__all__ = ["BearerDep", "CscCaller", "CscCallerDep", "GatedSigningCallerDep", "SigningCallerDep",
           "bearer_scheme", "csc_lang", "gated_signing_caller", "signing_caller"]

_bearer = HTTPBearer(auto_error=False)
bearer_scheme = _bearer  # the Authorization header, read as the routes read it


@dataclass(frozen=True)
class CscCaller:
    account_id: str
    scope: str  # session | service | credential
    credential_id: str | None = None
    sad: str | None = None  # credential scope: the SAD the customer's approval granted
    session_id: str | None = None
    party_name: str | None = None  # an OAuth2 token's relying party
    party_id: str | None = None  # … and its id (it may read the receipts it asked for)


class CredentialTokenOnly(PermissionDenied):
    vi = "Token phạm vi credential chỉ dùng để ký (signatures/signHash)."
    en = "A credential-scope token only signs (signatures/signHash)."


def signing_caller(container: Annotated[Container, Depends(get_container)],
                   credentials: Annotated[HTTPAuthorizationCredentials | None,
                                          Depends(_bearer)]) -> CscCaller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise InvalidSession()
    token = credentials.credentials
    if token.startswith(TOKEN_PREFIX):
        return _caller(container.csc_oauth.bearer(token))
    return _caller(container.accounts.authenticate(token))


def _caller(found: Bearer | tuple[Account, Session] | None) -> CscCaller:
    """The caller from what a bearer check found: an OAuth2 token's grant (None: refused),
    or a session's (account, session)."""
    if found is None:
        raise InvalidSession()
    if isinstance(found, tuple):
        account, session = found
        return CscCaller(account.id, "session", session_id=session.id)
    return CscCaller(found.account_id, found.scope, found.credential_id, found.sad,
                     party_name=found.party_name or None, party_id=found.party_id)


async def gated_signing_caller(request: Request,
                               container: Annotated[Container, Depends(get_container)],
                               credentials: Annotated[HTTPAuthorizationCredentials | None,
                                                      Depends(_bearer)]) -> CscCaller:
    """:func:`signing_caller` for a large-body route (signDoc): the body-size gate
    (``BodySizeLimit``) checked this very token before the body was read, and its answer is
    used again — no second database read, no hop to a worker thread. Without that answer
    (another token, no gate) the token is checked as :func:`signing_caller` does."""
    gated = request.scope.get("state", {}).get(GATED)
    if credentials is not None and credentials.scheme.lower() == "bearer" \
            and isinstance(gated, tuple) and gated[0] == credentials.credentials:
        return _caller(gated[1])
    return await run_in_threadpool(signing_caller, container, credentials)


def csc_caller(caller: Annotated[CscCaller, Depends(signing_caller)]) -> CscCaller:
    if caller.scope == "credential":
        raise CredentialTokenOnly()
    return caller


CscCallerDep = Annotated[CscCaller, Depends(csc_caller)]
SigningCallerDep = Annotated[CscCaller, Depends(signing_caller)]
GatedSigningCallerDep = Annotated[CscCaller, Depends(gated_signing_caller)]
async def bearer_given(credentials: Annotated[HTTPAuthorizationCredentials | None,
                                              Depends(_bearer)]) -> HTTPAuthorizationCredentials:
    """The bearer header, present (401 before the body is looked at otherwise); no I/O, so
    no thread: for a route that checks the token with :func:`signing_caller` in the same
    worker thread as the rest of its work (``signatures/signHash``)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise InvalidSession()
    return credentials


BearerDep = Annotated[HTTPAuthorizationCredentials, Depends(bearer_given)]


def csc_lang(request: Request) -> str:
    """``lang`` of the CSC body (CSC v2: RFC 5646, e.g. ``en-US``), else the request's."""
    given = getattr(request.state, "csc_lang", None)
    return given if given in ("vi", "en") else language(request)
