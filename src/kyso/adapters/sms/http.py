"""SMS through an HTTP gateway: ``POST {"to": "+84…", "text": "…"}`` as JSON.

The token, when set, goes as ``Authorization: Bearer``. A connection failure, a timeout or
any answer other than 2xx becomes a :class:`DeliveryError` with the status only: neither the
token nor the text nor the gateway's reply (which may echo the text) is repeated.
"""

from __future__ import annotations

import httpx
from pydantic import SecretStr

from kyso.notify.ports import DeliveryError

__all__ = ["HttpSmsSender"]


class HttpSmsSender:
    def __init__(
        self,
        url: str,
        token: SecretStr | None,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not url.startswith(("http://", "https://")) or timeout <= 0:
            raise ValueError("the SMS gateway needs an http(s) URL and a positive timeout")
        headers = {"Authorization": f"Bearer {token.get_secret_value()}"} if token else {}
        self._url = url
        self._client = httpx.Client(
            headers=headers, timeout=timeout, transport=transport, follow_redirects=False
        )

    def __repr__(self) -> str:
        return "HttpSmsSender(<gateway>)"

    def send_sms(self, to: str, text: str) -> None:
        try:
            response = self._client.post(self._url, json={"to": to, "text": text})
        except httpx.TimeoutException:
            raise DeliveryError("SMS gateway timed out") from None
        except httpx.HTTPError as exc:
            raise DeliveryError(f"SMS gateway unreachable: {type(exc).__name__}") from None
        if not response.is_success:
            raise DeliveryError(f"SMS gateway answered HTTP {response.status_code}")

    def close(self) -> None:
        self._client.close()
