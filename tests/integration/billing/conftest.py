"""A shop on the real app: the default catalogue, a customer with a certificate, and the
sandbox gateway driven like a browser would."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from kyso.accounts.service import NewAccount
from kyso.bootstrap import Container
from kyso.config import Settings
from kyso.keys.model import KeyAlgorithm
from kyso.pki.service import IssueRequest
from kyso.signing.model import Credential
from tests.integration.api.conftest import auth, client, login, sign_up

__all__ = ["Customer", "client", "credential", "open_sandbox", "order", "pay"]

EC = {"pki_ca_key": "ec-p256", "pki_responder_key": "ec-p256", "pki_tsa_key": "ec-p256",
      "pki_subscriber_key": "ec-p256"}
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(home=tmp_path / "home", database_url=db_url, **EC)


@dataclass(frozen=True)
class Customer:
    account_id: str
    token: str
    credential_id: str | None

    @property
    def headers(self) -> dict[str, str]:
        return auth(self.token)


@pytest.fixture
def credential(container: Container) -> Credential:
    """A customer's EC P-256 credential, with no signatures credited yet."""
    container.pki.initialize(actor="test")
    account = container.accounts.sign_up(NewAccount(
        username="ledger1", password="Matkhau2026!", pin="246813", full_name="Lê Thị Hoa",
        phone="0912345678", email="hoa@example.vn", id_number="001091000123"), actor="test")
    container.pki.issue(IssueRequest(account=account.id, province="Hà Nội", locality="Cầu Giấy",
                                     algorithm=KeyAlgorithm.EC_P256), actor="test")
    [found] = container.signing.credentials(account.id)
    return found


@pytest.fixture
def shop(container: Container) -> Container:
    container.catalog.load(actor="test")
    return container


def make_customer(client: TestClient, container: Container, n: int = 1, *,
                  certificate: bool = True, **extra: Any) -> Customer:
    account = sign_up(client, n, **extra)
    credential = None
    if certificate:
        container.pki.initialize()
        container.pki.issue(IssueRequest(account=account["id"], province="Hà Nội",
                                         locality="Cầu Giấy"), actor="test")
        [found] = container.signing.credentials(account["id"])
        credential = found.id
    return Customer(account["id"], login(client, f"khach{n}"), credential)


@pytest.fixture
def customer(client: TestClient, shop: Container) -> Customer:
    return make_customer(client, shop)


def order(client: TestClient, who: Customer, product: str, credential: str | None = None,
          status: int = 201) -> dict[str, Any]:
    body = {"product": product, "credential_id": credential}
    response = client.post("/api/v1/billing/orders", json=body, headers=who.headers)
    assert response.status_code == status, response.text
    return dict(response.json())


def open_sandbox(client: TestClient, payment_url: str) -> httpx.Response:
    parts = urlsplit(payment_url)
    return client.get(parts.path, params=parse_qsl(parts.query, keep_blank_values=True))


def pay(client: TestClient, payment_url: str, method: str, choice: str) -> httpx.Response:
    """Open the sandbox page, submit its form, follow the redirect to the return page."""
    page = open_sandbox(client, payment_url)
    assert page.status_code == 200, page.text
    fields = [(k, unescape(v)) for k, v in _HIDDEN.findall(page.text)]
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert action is not None
    submitted = client.post(action.group(1),
                            data=dict([*fields, ("method", method), ("choice", choice)]),
                            follow_redirects=False)
    assert submitted.status_code == 303, submitted.text
    back = urlsplit(submitted.headers["location"])
    assert back.path == "/billing/vnpay/return"
    return client.get(back.path, params=parse_qsl(back.query, keep_blank_values=True))
