"""CSC ``signatures/signHash`` answered in front of FastAPI: the hot path of a relying party
that signs hash after hash, where FastAPI's middleware stack, routing and dependency
solving cost more CPU than the signature (issue 14).

A well-formed request — a JSON object, a bearer token, a body :class:`SignHashIn`
accepts — runs the route's own handler (``signatures.sign_hash_now``) on a hot route's thread,
and its failures leave in the CSC error shape as they do from the route. Where that "thread"
is the event loop's own (SQLite, keys in process: ``api/hot.py``), the handler stops short of
signing (``sign_hash_signed``), and the requests of one turn of the loop (or of a few, while
they come several at once) have their signatures made one after the other and recorded
together, in one transaction (a :class:`CommitGroup`), before any of them answers. Anything
else (no
token, another content type, a body that does not parse or validate) goes on to FastAPI
with its body replayed, untouched: nothing has been done for it yet, so the route answers
it as it always has. The route stays registered, and documented, as the one definition.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from typing import Any
from weakref import WeakKeyDictionary

from fastapi import FastAPI
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from kyso import errors
from kyso.bootstrap import Container
from kyso.entrypoints.api.hot import CommitGroup, run_hot, threads_for
from kyso.entrypoints.api.limits import replay
from kyso.entrypoints.csc import errors as csc_errors
from kyso.entrypoints.csc import signatures
from kyso.entrypoints.csc.bearer import bearer_scheme
from kyso.entrypoints.csc.schemas import SignHashIn
from kyso.signing.service import PendingSignatures

__all__ = ["PATH", "SignHashFront"]

PATH = "/csc/v2/signatures/signHash"
_JSON = (b"application/json", b"application/json; charset=utf-8")


class SignHashFront:
    def __init__(self, app: ASGIApp, fastapi: FastAPI, container: Container) -> None:
        """``app``: what to call for any other request; ``fastapi``: the app whose route and
        error handlers these are."""
        self.app, self._fastapi, self._container = app, fastapi, container
        # the route FastAPI would match: Observe names it in the access line and metrics
        self._route = next(r for r in signatures.router.routes
                           if getattr(r, "path", None) == "/signatures/signHash")
        # the signatures' group commits, one per event loop (a worker process has one; tests
        # open several)
        self._groups: WeakKeyDictionary[asyncio.AbstractEventLoop,
                                        CommitGroup[PendingSignatures, list[bytes]]] = \
            WeakKeyDictionary()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST" \
                or not _json_body(scope):
            await self.app(scope, receive, send)
            return
        scope["app"] = self._fastapi  # as FastAPI sets it (the error texts' support desk)
        request = Request(scope, receive)
        raw = await request.body()
        body, bearer = await _accepted(request, raw)
        if body is None or bearer is None:
            await self.app(scope, replay(raw, receive), send)
            return
        scope["route"] = self._route
        csc_errors.lang_of_body(request, raw)
        response = await self._answer(request, body, bearer)
        await response(scope, receive, send)

    async def _answer(self, request: Request, body: SignHashIn, bearer: Any) -> Response:
        container = self._container
        try:
            if threads_for(container) != 0:
                return await run_hot(container, signatures.sign_hash_now, body, request,
                                     bearer, container)
            signed = await run_hot(container, signatures.sign_hash_signed, body, request,
                                   bearer, container)
            if not isinstance(signed, PendingSignatures):
                return signed
            recorded = await self._group().submit(signed)
            return signatures.hash_answer(signed.answer(recorded), signed.receipt)
        except errors.KysoError as exc:  # the handler's refusals: the route's CSC shapes
            return csc_errors.kyso_error(request, exc)
        except Exception as exc:  # as the app's own handlers answer it
            return await self._app_handler(request, exc)

    def _group(self) -> CommitGroup[PendingSignatures, list[bytes]]:
        loop = asyncio.get_running_loop()
        group = self._groups.get(loop)
        if group is None:
            group = self._groups[loop] = CommitGroup(self._container, self._record)
        return group

    def _record(self, batch: list[PendingSignatures]) -> list[list[bytes] | Exception]:
        return self._container.signing.record_signed(batch)

    async def _app_handler(self, request: Request, exc: Exception) -> Response:
        """What FastAPI's exception handlers answer (a database outage 503, else 500)."""
        handlers = self._fastapi.exception_handlers
        for kind in type(exc).__mro__:
            handler = handlers.get(kind)
            if handler is not None:
                answer = handler(request, exc)
                return await answer if inspect.isawaitable(answer) else answer
        raise exc


def _json_body(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bytes(value).lower() in _JSON
    return False


async def _accepted(request: Request, raw: bytes) -> tuple[SignHashIn | None, Any]:
    """The body as the route would take it, and the bearer credentials; None for what the
    route itself must answer."""
    bearer = await bearer_scheme(request)
    if bearer is None or bearer.scheme.lower() != "bearer":
        return None, None
    try:
        data = json.loads(raw)  # as FastAPI parses a JSON body (request.json())
        return SignHashIn.model_validate(data), bearer
    except (ValueError, ValidationError):  # JSONDecodeError and UnicodeDecodeError included
        return None, None

