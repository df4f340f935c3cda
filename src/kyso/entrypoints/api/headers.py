"""Security headers every answer needs, added once (a pure ASGI middleware).

* ``Cache-Control: no-store`` on every answer of the APIs (``/api/``, ``/csc/``, ``/sca/``):
  they carry session tokens, SADs, activation codes and personal data, which no browser or
  proxy may keep. An answer that set its own ``Cache-Control`` keeps it.
* ``Strict-Transport-Security`` on every answer in production with an ``https`` base URL.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HSTS", "NO_STORE_PREFIXES", "SecurityHeaders"]

HSTS = b"max-age=31536000"  # one year; subdomains are the operator's to decide
NO_STORE_PREFIXES = ("/api/", "/csc/", "/sca/")


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app, self.hsts = app, hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        no_store = scope.get("path", "").startswith(NO_STORE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if no_store and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                if self.hsts:
                    headers.append((b"strict-transport-security", HSTS))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
