"""The webhook sender's HTTP client is made at its first webhook, not with the sender: making
one loads the system's trust store (30 ms), and every container (each outbox worker) builds a
sender, most never to send one. (Delivery itself: tests/integration/sp769/test_webhooks.py.)"""

from __future__ import annotations

import ssl

import pytest

from kyso.adapters.webhook import HttpWebhookSender
from kyso.notify.ports import DeliveryError


def test_a_sender_that_never_sends_loads_no_trust_store(monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[object] = []
    made = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context",
                        lambda *a, **k: loads.append(a) or made(*a, **k))
    sender = HttpWebhookSender(5)
    sender.close()
    assert loads == []
    HttpWebhookSender(5).close()
    assert loads == []
    sending = HttpWebhookSender(5)
    with pytest.raises(DeliveryError, match="unreachable"):  # nothing listens on port 9
        sending.post("http://127.0.0.1:9/hook", b"{}", {"X-Kyso-Signature": "s"})
    assert len(loads) == 1  # made once, for the first webhook
    sending.close()

