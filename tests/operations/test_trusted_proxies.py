"""Client addresses behind a reverse proxy (KYSO_TRUSTED_PROXIES): the throttle sees the
address the proxy forwards only when the peer is a trusted proxy; anyone else's
X-Forwarded-For is ignored, so a stranger cannot dodge the throttle by inventing addresses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kyso.bootstrap import Container, bootstrap, init_home
from kyso.clock import ManualClock
from kyso.config import Settings
from kyso.entrypoints.api.app import create_app
from tests.conftest import FAST_HASHER
from tests.integration.api.conftest import sign_up

FREE = 2  # wrong passwords from one address before the next failure makes it wait


@pytest.fixture
def node(tmp_path: Path, db_url: str) -> Iterator[Container]:
    settings = Settings(home=tmp_path / "home", database_url=db_url,
                        trusted_proxies="10.0.0.0/8", throttle_free_failures=FREE)
    init_home(settings)
    container = bootstrap(settings, clock=ManualClock(), hasher=FAST_HASHER)
    yield container
    container.close()


def peer(container: Container, address: str) -> TestClient:
    return TestClient(create_app(container), client=(address, 40000),
                      raise_server_exceptions=False)


def wrong_password(client: TestClient, forwarded_for: str) -> int:
    return client.post("/api/v1/auth/login", headers={"X-Forwarded-For": forwarded_for},
                       json={"login": "khach1", "password": "Sai-mat-khau-1"}).status_code


def test_a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(node: Container) -> None:
    with peer(node, "198.51.100.7") as stranger:
        sign_up(stranger)
        answers = [wrong_password(stranger, f"203.0.113.{n}") for n in range(FREE + 2)]
    assert answers == [401] * (FREE + 1) + [429]  # one address: the peer's, whatever it claims


def test_a_trusted_proxy_gives_each_client_its_own_address(node: Container) -> None:
    with peer(node, "10.1.2.3") as proxy:
        sign_up(proxy)
        # a client behind the proxy: the proxy appends the address it saw to what was sent
        answers = [wrong_password(proxy, f"192.0.2.{n}, 203.0.113.10") for n in range(FREE + 2)]
        assert answers == [401] * (FREE + 1) + [429]  # the invented 192.0.2.n change nothing
        assert wrong_password(proxy, "203.0.113.11") == 401  # another client is not slowed
        # the proxy itself is not a client: its address never ends up throttled
        assert proxy.post("/api/v1/auth/login", json={
            "login": "khach1", "password": "Sai-mat-khau-1"}).status_code == 401
