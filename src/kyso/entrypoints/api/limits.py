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
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kyso.entrypoints.api.errors import language

__all__ = ["BodySizeLimit", "Gate", "replay", "too_large"]

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
            await _refuse(send, limit, scope)
            return
        if path in self.per_path:
            await self._large(scope, receive, send, limit)
        else:
            await self._buffered(scope, receive, send, limit)

    async def _large(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        if self.gate is not None and not await self.gate(scope):
            await self.app(scope, _empty, send)  # the app's own 401; the body stays unread
            return
        await self.app(scope, _counted(receive, limit, scope), send)

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
                await _refuse(send, limit, scope)
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, replay(b"".join(chunks), receive), send)


def size_text(n: int, lang: str) -> str:
    """A size as a person reads it: 262144 → "256 KB", 10485760 → "10 MB" ("1,5 MB" in
    Vietnamese, "1.5 MB" in English)."""
    for unit, size in (("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            value = f"{n / size:.1f}".removesuffix(".0")
            return f"{value.replace('.', ',') if lang == 'vi' else value} {unit}"
    return f"{n} byte" if lang == "vi" else f"{n} bytes"


def too_large(limit: int, lang: str) -> str:
    """What a person is told when what they send is too large: the limit in KB or MB and
    what to do, in their language (not a byte count glued to its translation)."""
    size = size_text(limit, lang)
    if lang == "vi":
        return f"Tệp gửi lên lớn hơn mức cho phép (tối đa {size}). " \
               "Vui lòng chọn tệp nhỏ hơn rồi thử lại."
    return f"The file is larger than allowed (at most {size}). " \
           "Please choose a smaller file and try again."


def _description(limit: int, scope: Scope) -> str:
    return too_large(limit, language(Request(scope)))  # the language every error is said in


async def _refuse(send: Send, limit: int, scope: Scope) -> None:
    raw = json.dumps({"error": "request_too_large",
                      "error_description": _description(limit, scope)},
                     ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(raw)).encode())]})
    await send({"type": "http.response.body", "body": raw})


async def _empty() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def _counted(receive: Receive, limit: int, scope: Scope) -> Receive:
    size = 0

    async def counted() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise HTTPException(413, _description(limit, scope))
        return message

    return counted


def replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` that gives ``body`` (read once already), then waits as ``receive`` does."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
