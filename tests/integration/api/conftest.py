"""An HTTP client on the real app, and helpers to make customers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kyso.bootstrap import Container
from kyso.entrypoints.api.app import create_app

PASSWORD = "Matkhau2026!"
PIN = "246813"


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), raise_server_exceptions=False) as c:
        yield c


def sign_up(client: TestClient, n: int = 1, **extra: Any) -> dict[str, Any]:
    body = {
        "username": f"khach{n}", "password": PASSWORD, "pin": PIN,
        "full_name": "Nguyễn Văn An", "phone": f"091234567{n}",
        "email": f"khach{n}@example.vn", "id_number": f"00109100000{n}",
    } | extra
    response = client.post("/api/v1/accounts", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def login(client: TestClient, login_name: str = "khach1", password: str = PASSWORD) -> str:
    response = client.post("/api/v1/auth/login", json={"login": login_name, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def last_code(container: Container, account_id: str, purpose: str) -> str:
    """Deliver the outbox locally, then read the newest code for a purpose, as the phone would."""
    container.outbox_worker().run_once()
    with container.uow() as uow:
        for message in uow.outbox.recent(50):
            if message.account_id == account_id and message.purpose == purpose:
                text = container.notifier.open_body(message).text
                return next(w.strip(";.") for w in text.split() if w.strip(";.").isdigit()
                            and len(w.strip(";.")) == 6)
    raise AssertionError("no code sent")
