"""A pure ASGI middleware that enforces body-size limits before the application does any work.

Ordinary paths: the body is read (up to ``max_bytes``) before the application runs, so an
oversized body never reaches a handler, whether or not it declared a ``Content-Length``.

Paths with a larger limit of their own (document uploads, CSC signDoc, eKYC images) are
guarded differently, so that a large body costs nothing until its sender is known:

* the caller's bearer token is checked first (``gate``); without a valid one the application
  runs on an *empty* body and answers its own 401, and the body is never read;
* the body is then streamed to the application, counted on the way: past the limit the read
  fails with a 413 (the handlers spool uploads to a temporary file rather than to memory).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodySizeLimit", "Gate"]

Gate = Callable[[Scope], Awaitable[bool]]  # may this request send a large body?


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int,
                 per_path: Mapping[str, int] | None = None, *, gate: Gate | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.per_path = dict(per_path or {})  # exact request paths -> their own limit
        self.gate = gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = self.per_path.get(path, self.max_bytes)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refuse(send, limit)
            return
        if path in self.per_path:
            await self._large(scope, receive, send, limit)
        else:
            await self._buffered(scope, receive, send, limit)

    async def _large(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        if self.gate is not None and not await self.gate(scope):
            await self.app(scope, _empty, send)  # the app's own 401; the body stays unread
            return
        await self.app(scope, _counted(receive, limit), send)

    async def _buffered(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                await _refuse(send, limit)
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)


def _description(limit: int) -> str:
    return f"Dữ liệu gửi lên vượt quá {limit} byte (request body over {limit} bytes)."


async def _refuse(send: Send, limit: int) -> None:
    raw = json.dumps({"error": "request_too_large", "error_description": _description(limit)},
                     ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(raw)).encode())]})
    await send({"type": "http.response.body", "body": raw})


async def _empty() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def _counted(receive: Receive, limit: int) -> Receive:
    size = 0

    async def counted() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise HTTPException(413, _description(limit))
        return message

    return counted


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
