"""Production mode refuses what is unsafe, and its answers carry HSTS; answers of the APIs
(tokens, SADs, activation codes) are never stored by a browser or a proxy."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kyso.bootstrap import Container, bootstrap, init_home
from kyso.config import ConfigError, Settings, load_settings
from kyso.entrypoints.api.app import create_app
from tests.conftest import FAST_HASHER
from tests.integration.api.conftest import PASSWORD, sign_up

SAFE: dict[str, Any] = {
    "mode": "production", "public_base_url": "https://ky.example.vn",
    "email_backend": "smtp", "smtp_starttls": True,
    "sms_backend": "http", "sms_gateway_url": "https://sms.example.vn/send",
    "payment_gateway": "vnpay", "vnpay_tmn_code": "KYSO0001",
    "vnpay_hash_secret": "V" * 32,
    "master_key": base64.b64encode(bytes(range(32))).decode(),  # from a secret manager
}


@pytest.mark.parametrize(("unsafe", "reason"), [
    ({"sms_gateway_url": "http://sms.example.vn/send"}, "sms_gateway_url must use https"),
    ({"sms_gateway_url": "HTTP://sms.example.vn/send"}, "sms_gateway_url must use https"),
    ({"smtp_starttls": False}, "smtp_starttls must be true"),
    ({"vnpay_hash_secret": "V" * 31}, "at least 32 characters"),
    ({"vnpay_hash_secret": "x"}, "at least 32 characters"),
    ({"email_backend": "local"}, "dev inbox"),
    ({"public_base_url": "http://ky.example.vn"}, "https"),
])
def test_production_refuses(unsafe: dict[str, Any], reason: str) -> None:
    with pytest.raises(ConfigError, match=reason):
        load_settings({}, **(SAFE | unsafe))


def test_development_mode_keeps_its_conveniences() -> None:
    dev = load_settings({}, sms_backend="http", sms_gateway_url="http://127.0.0.1:9/sms",
                        email_backend="smtp", payment_gateway="vnpay",
                        vnpay_tmn_code="KYSO0001", vnpay_hash_secret="short")
    assert dev.mode == "development"


def _client(tmp_path: Path, db_url: str, **values: Any) -> Iterator[TestClient]:
    settings = Settings(home=tmp_path / "home", database_url=db_url, **values)
    init_home(settings)
    container: Container = bootstrap(settings, hasher=FAST_HASHER)
    try:
        with TestClient(create_app(container), raise_server_exceptions=False) as client:
            yield client
    finally:
        container.close()


@pytest.fixture
def production(tmp_path: Path, db_url: str) -> Iterator[TestClient]:
    yield from _client(tmp_path, db_url, **SAFE)


@pytest.fixture
def development(tmp_path: Path, db_url: str) -> Iterator[TestClient]:
    yield from _client(tmp_path, db_url)


def test_production_answers_carry_hsts_and_hide_the_dev_pages(production: TestClient) -> None:
    for path in ("/healthz", "/", "/docs", "/pki/ca/root.cer", "/api/v1/me"):
        assert production.get(path).headers["strict-transport-security"] == "max-age=31536000"
    assert production.get("/dev/inbox").status_code == 404
    assert production.get("/docs").status_code == 200


def test_development_sends_no_hsts(development: TestClient) -> None:
    assert "strict-transport-security" not in development.get("/healthz").headers


def test_answers_with_tokens_and_secrets_are_not_stored(development: TestClient) -> None:
    sign_up(development)
    login = development.post("/api/v1/auth/login",
                             json={"login": "khach1", "password": PASSWORD})
    assert "access_token" in login.json()
    assert login.headers["cache-control"] == "no-store"
    token = login.json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    for response in (
        development.post("/csc/v2/credentials/authorize", headers=bearer,
                         json={"credentialID": "x", "numSignatures": 1}),  # SAD (refused)
        development.post("/api/v1/smartotp/activate", headers=bearer, json={}),  # activation
        development.get("/api/v1/me", headers=bearer),
        development.post("/sca/sp769/v1/credentials/get_certificate", json={}),
    ):
        assert response.headers["cache-control"] == "no-store", response.request.url
    assert development.get("/pki/ca/root.cer").headers.get("cache-control") != "no-store"
