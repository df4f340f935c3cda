"""Headers every answer needs, added once (a pure ASGI middleware).

* ``Cache-Control: no-store`` on every answer of the APIs (``/api/``, ``/csc/``, ``/sca/``):
  they carry session tokens, SADs, activation codes and personal data, which no browser or
  proxy may keep. An answer that set its own ``Cache-Control`` keeps it.
* ``Strict-Transport-Security`` on every answer in production with an ``https`` base URL.
* ``X-Kyso-Time`` on every answer of the web app's API (``/api/v1/``): kyso's clock, in
  milliseconds since the epoch, so the app counts a deadline down in the server's time
  (``serverMs()`` in ``static/js/api.js``), not in a phone's clock minutes off.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HSTS", "NO_STORE_PREFIXES", "TIME_HEADER", "SecurityHeaders"]

HSTS = b"max-age=31536000"  # one year; subdomains are the operator's to decide
NO_STORE_PREFIXES = ("/api/", "/csc/", "/sca/")
TIME_HEADER = b"x-kyso-time"


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, hsts: bool,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.app, self.hsts, self.clock = app, hsts, clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        no_store = path.startswith(NO_STORE_PREFIXES)
        clock = self.clock if path.startswith("/api/v1/") else None

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if no_store and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                if self.hsts:
                    headers.append((b"strict-transport-security", HSTS))
                if clock is not None:
                    headers.append((TIME_HEADER, b"%d" % int(clock().timestamp() * 1000)))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
