"""Each request: a request id (``X-Request-ID``), one access log line and its metrics.

The id is the caller's ``X-Request-ID`` when it is a short token of safe characters (so a
reverse proxy's id carries through), else a new one; it is bound to the log context of the
request (``entrypoints/logs.py``) and returned on the answer. The access line and the
metrics name the route's template (``/api/v1/documents/{document_id}``), never the path:
paths and queries may hold personal data, and templates keep the metrics' labels few.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kyso.adapters.metrics import observe_request

__all__ = ["Observe"]

HEADER = "X-Request-ID"
_SAFE_ID = re.compile(rb"[A-Za-z0-9._-]{8,64}")
_UNMATCHED = "<unmatched>"

# the standard library's logger: silent until entrypoints/logs.py configures logging (tests,
# benchmarks), and then one JSON line whose fields are the record's extras
access = logging.getLogger("kyso.access")


class Observe:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        status = 500
        started = time.perf_counter()

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, answer)
            finally:
                elapsed = time.perf_counter() - started
                route = getattr(scope.get("route"), "path", None) or _UNMATCHED
                observe_request(scope["method"], route, status, elapsed)
                if access.isEnabledFor(logging.INFO):
                    access.info("request", extra={
                        "method": scope["method"], "route": route, "status": status,
                        "duration_ms": round(elapsed * 1000, 1)})


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id" and _SAFE_ID.fullmatch(value):
            return bytes(value).decode("ascii")
    return uuid.uuid4().hex
