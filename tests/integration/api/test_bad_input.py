"""Every endpoint answers hostile input with a clear 4xx in the error shape, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kyso.adapters.db.tables.accounts import accounts
from kyso.bootstrap import Container
from tests.integration.api.conftest import auth, login, sign_up

JSON_ENDPOINTS = [
    ("POST", "/api/v1/accounts", False),
    ("POST", "/api/v1/auth/login", False),
    ("POST", "/api/v1/me/password", True),
    ("POST", "/api/v1/me/pin", True),
    ("POST", "/api/v1/otp/send", True),
]
HOSTILE_BODIES = [
    b"{not json",
    b"[]",
    b"null",
    b'{"login": 5, "password": ["x"]}',
    b'"\xff\xfe"',
    b'{"purpose": "PIN_CHANGE", "surprise": true}',
]


def _assert_error(response, status: int | None = None) -> None:  # type: ignore[no-untyped-def]
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    if status is not None:
        assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "error_description"}
    assert body["error"] and body["error_description"]


@pytest.fixture
def token(client: TestClient) -> str:
    sign_up(client)
    return login(client)


@pytest.mark.parametrize(("method", "path", "needs_auth"), JSON_ENDPOINTS)
@pytest.mark.parametrize("raw", HOSTILE_BODIES)
def test_hostile_json(client: TestClient, token: str, method: str, path: str, needs_auth: bool,
                      raw: bytes) -> None:
    headers = {"Content-Type": "application/json"} | (auth(token) if needs_auth else {})
    _assert_error(client.request(method, path, content=raw, headers=headers), 400)


@pytest.mark.parametrize(("method", "path", "needs_auth"), JSON_ENDPOINTS)
def test_oversized_body(client: TestClient, token: str, method: str, path: str,
                        needs_auth: bool) -> None:
    big = b'{"x": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    headers = {"Content-Type": "application/json"} | (auth(token) if needs_auth else {})
    _assert_error(client.request(method, path, content=big, headers=headers), 413)


def test_oversized_chunked_body_without_length(client: TestClient) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(40):
            yield b"a" * 65536

    r = client.post("/api/v1/auth/login", content=chunks(),
                    headers={"Content-Type": "application/json"})
    _assert_error(r, 413)


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/me/sessions",
                                  "/api/v1/notifications", "/api/v1/notifications/unread-count"])
@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nope", "Basic dXNlcjpwYXNz", "xyz"])
def test_bad_credentials(client: TestClient, path: str, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    _assert_error(client.get(path, headers=headers), 401)


def test_unknown_route_and_method(client: TestClient) -> None:
    _assert_error(client.get("/api/v1/nothing-here"), 404)
    _assert_error(client.delete("/api/v1/accounts"), 405)


def test_bad_query_parameters(client: TestClient, token: str) -> None:
    _assert_error(client.get("/api/v1/notifications?limit=0", headers=auth(token)), 400)
    _assert_error(client.get("/api/v1/notifications?limit=abc", headers=auth(token)), 400)
    _assert_error(client.get("/api/v1/notifications?offset=-1", headers=auth(token)), 400)


def test_invalid_sign_up_fields_leave_nothing_behind(client: TestClient,
                                                      container: Container) -> None:
    base = {"username": "moi", "password": "Matkhau2026!", "pin": "246813",
            "full_name": "Trần Thị Bình", "phone": "0987654321", "email": "binh@example.vn"}
    for bad in ({"phone": "12"}, {"phone": "+84abc"}, {"email": "no-at-sign"},
                {"username": "a"}, {"username": "có dấu"}, {"locale": "fr"},
                {"full_name": ""}, {"pin": "24681"}):
        _assert_error(client.post("/api/v1/accounts", json=base | bad), 400)
    with container.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(accounts)).scalar_one() == 0
    assert client.post("/api/v1/accounts", json=base).status_code == 201
