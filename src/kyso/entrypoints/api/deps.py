"""Request dependencies: the container, the caller's session, the language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from kyso.accounts.errors import InvalidSession
from kyso.accounts.model import Account, Session
from kyso.bootstrap import Container
from kyso.errors import KysoError

__all__ = ["GATED", "BearerToken", "Caller", "CurrentCaller", "bearer_gate", "bearer_token",
           "client_ip", "get_container"]

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


async def bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The bearer token, present (401 otherwise), not yet checked: no I/O, so no thread. For
    a hot route that checks it (``container.accounts.authenticate``) in the same worker
    thread as the rest of its work, one hop instead of two (``POST /smartotp/verify``)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise InvalidSession()
    return credentials.credentials


BearerToken = Annotated[str, Depends(bearer_token)]


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
