"""X-Kyso-Time: the web app's API answers say kyso's clock (milliseconds since the epoch), so
the app counts a transaction's time down in the server's time, not in a phone's clock that may
be minutes off (static/js/api.js ``serverMs``; tests/web/test_ux5_web.py)."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from kyso.clock import ManualClock


def _told(headers: httpx.Headers) -> int:
    return int(headers["x-kyso-time"])


def test_every_answer_of_the_app_api_says_the_servers_clock(
        client: TestClient, clock: ManualClock) -> None:
    ms = int(clock.now().timestamp() * 1000)
    assert _told(client.get("/api/v1/contact").headers) == ms
    refused = client.get("/api/v1/me")  # a refusal says it too
    assert refused.status_code == 401
    assert _told(refused.headers) == ms
    clock.advance(15 * 60)  # kyso's clock, not the machine's
    assert _told(client.get("/api/v1/contact").headers) == ms + 15 * 60 * 1000


def test_other_answers_do_not_carry_it(client: TestClient) -> None:
    for path in ("/healthz", "/", "/pki/ca/root.cer"):
        assert "x-kyso-time" not in client.get(path).headers, path
    signed = client.post("/csc/v2/info", json={})
    assert "x-kyso-time" not in signed.headers
