"""Webhook calls over HTTP with httpx: ``POST`` the exact body with its signature headers.

No redirects are followed. A connection failure, a timeout or an answer other than 2xx
becomes a :class:`DeliveryError` carrying the status only (never the body or the reply).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

import httpx

from kyso.notify.ports import DeliveryError

__all__ = ["HttpWebhookSender"]


class HttpWebhookSender:
    """Its HTTP client is made at the first webhook: making one loads the system's trust
    store (30 ms), and every container builds a sender, most never to send."""

    def __init__(self, timeout: float, transport: httpx.BaseTransport | None = None) -> None:
        if timeout <= 0:
            raise ValueError("the webhook timeout must be positive")
        self._timeout, self._transport = timeout, transport
        self._client: httpx.Client | None = None
        self._made = threading.Lock()

    def __repr__(self) -> str:
        return "HttpWebhookSender()"

    def _http(self) -> httpx.Client:
        with self._made:
            if self._client is None:
                self._client = httpx.Client(timeout=self._timeout, transport=self._transport,
                                            follow_redirects=False,
                                            headers={"User-Agent": "kyso-webhook/1"})
            return self._client

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> None:
        try:
            response = self._http().post(url, content=body, headers=dict(headers))
        except httpx.TimeoutException:
            raise DeliveryError("webhook timed out") from None
        except httpx.HTTPError as exc:
            raise DeliveryError(f"webhook unreachable: {type(exc).__name__}") from None
        if not response.is_success:
            raise DeliveryError(f"webhook answered HTTP {response.status_code}")

    def close(self) -> None:
        with self._made:
            client, self._client = self._client, None
        if client is not None:
            client.close()
