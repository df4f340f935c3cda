"""Request dependencies: the container, the caller's session, the language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from kyso.accounts.errors import InvalidSession
from kyso.accounts.model import Account, Session
from kyso.bootstrap import Container
from kyso.errors import KysoError

__all__ = ["BEARER_SECURITY", "GATED", "Caller", "CurrentCaller", "Unchecked", "UncheckedBearer",
           "bearer_gate", "client_ip", "get_container", "unchecked_bearer"]

_bearer = HTTPBearer(auto_error=False)
GATED = "kyso.gated_bearer"  # request.state: (token, what bearer_gate found for it)


# Dependencies that do no I/O are coroutines: FastAPI runs a plain ``def`` dependency in the
# thread pool, a hop that costs more than the work itself. Those that touch the database stay
# plain functions (they block).
async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


@dataclass(frozen=True)
class Caller:
    account: Account
    session: Session


def current_caller(
    container: Annotated[Container, Depends(get_container)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise InvalidSession()
    account, session = container.accounts.authenticate(credentials.credentials)
    return Caller(account, session)


CurrentCaller = Annotated[Caller, Depends(current_caller)]
ContainerDep = Annotated[Container, Depends(get_container)]


@dataclass(frozen=True, slots=True)
class Unchecked:
    """A request's bearer token, present but not yet checked, and the container to check
    it with (``container.accounts.authenticate_in``, in the same worker thread as the rest of
    the route's work: one hop instead of two)."""

    token: str
    container: Container


BEARER_SECURITY: dict[str, object] = {"security": [{_bearer.scheme_name: []}]}


async def unchecked_bearer(request: Request) -> Unchecked:
    """For the hottest route (``POST /smartotp/verify``): the header read as ``HTTPBearer``
    reads it, in one dependency where the bearer and the container were three (FastAPI
    solves every dependency of every request: they cost more than the reading). The route
    names the scheme for the OpenAPI document (``openapi_extra=BEARER_SECURITY``)."""
    scheme, token = get_authorization_scheme_param(request.headers.get("authorization"))
    if not token or scheme.lower() != "bearer":
        raise InvalidSession()
    return Unchecked(token, request.app.state.container)


UncheckedBearer = Annotated[Unchecked, Depends(unchecked_bearer)]


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def bearer_gate(container: Container) -> Callable[[Scope], Awaitable[bool]]:
    """For :class:`~kyso.entrypoints.api.limits.BodySizeLimit`: does this request carry a
    live session's bearer token (checked before a large body is read)? What it found is
    kept in the request's state under :data:`GATED` (the token and the answer), for a
    route that would check the same token again (CSC signDoc)."""

    async def gate(scope: Scope) -> bool:
        header = dict(scope.get("headers", [])).get(b"authorization", b"").decode("latin-1")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        if token.strip().startswith("kcsc_"):  # a CSC OAuth2 access token
            found = await run_in_threadpool(container.csc_oauth.bearer, token.strip())
            if found is not None:
                scope.setdefault("state", {})[GATED] = (token.strip(), found)
            return found is not None
        try:
            answer = await run_in_threadpool(container.accounts.authenticate, token.strip())
        except KysoError:
            return False
        scope.setdefault("state", {})[GATED] = (token.strip(), answer)
        return True

    return gate
