"""Hostile and mistaken requests to ``/pki``: protocol errors or a 4xx, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.x509 import ocsp
from fastapi.testclient import TestClient

from kyso.bootstrap import Container, bootstrap, init_home
from kyso.config import Settings
from kyso.entrypoints.api.app import create_app
from tests.conftest import FAST_HASHER
from tests.databases import fresh_database
from tests.unit.pki.helpers import Response, query

EC = {"pki_ca_key": "ec-p256", "pki_responder_key": "ec-p256", "pki_tsa_key": "ec-p256",
      "pki_subscriber_key": "ec-p256"}
OCSP = {"content-type": "application/ocsp-request"}
TSQ = {"content-type": "application/timestamp-query"}


def _container(root: Path, db_url: str, **extra: object) -> Container:
    settings = Settings(home=root / "home", database_url=db_url, **EC, **extra)  # type: ignore[arg-type]
    init_home(settings)
    return bootstrap(settings, hasher=FAST_HASHER)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("pki-http")
    with fresh_database(root) as db_url:
        container = _container(root, db_url, max_body_bytes=4096)
        container.pki.initialize(actor="test")
        with TestClient(create_app(container), raise_server_exceptions=False) as test_client:
            yield test_client
        container.close()


def assert_json_error(response: object, status: int, code: str) -> None:
    assert response.status_code == status  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["error"] == code and body["error_description"]


@pytest.mark.parametrize(
    "path",
    ["/pki/ca/nope.cer", "/pki/crl/nope.crl", "/pki/ca/ocsp.cer", "/pki/ca/tsa.cer",
     "/pki/crl/tsa.crl", "/pki/ca/ROOT.cer", "/pki/ca/..%2F..%2Fetc%2Fpasswd.cer"],
)
def test_unknown_ca_names_are_404_json(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"accept-language": "en"})
    assert response.status_code == 404 and response.json()["error"] in ("unknown_authority",
                                                                         "not_found")


@pytest.mark.parametrize("path", ["/pki/ca/root.pem", "/pki/crl/root", "/pki/", "/pki/ca/.cer"])
def test_unknown_paths_are_404_json(client: TestClient, path: str) -> None:
    assert_json_error(client.get(path), 404, "not_found")


@pytest.mark.parametrize("body", [b"", b"garbage", b"\x30\x82\xff\xff", b"\x30\x00" * 100])
def test_garbage_ocsp_gets_malformed_request(client: TestClient, body: bytes) -> None:
    response = client.post("/pki/ocsp", content=body, headers=OCSP)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ocsp-response"
    status = ocsp.load_der_ocsp_response(response.content).response_status
    assert status is ocsp.OCSPResponseStatus.MALFORMED_REQUEST


@pytest.mark.parametrize("encoded", ["", "!!!", "not-base64%25", "AAAA", "MA%3D%3D", "%00"])
def test_garbage_ocsp_get_gets_malformed_request(client: TestClient, encoded: str) -> None:
    response = client.get(f"/pki/ocsp/{encoded}")
    assert response.status_code == 200
    status = ocsp.load_der_ocsp_response(response.content).response_status
    assert status is ocsp.OCSPResponseStatus.MALFORMED_REQUEST


@pytest.mark.parametrize("path", ["/pki/ocsp", "/pki/tsa"])
@pytest.mark.parametrize("content_type", [None, "application/json", "text/plain",
                                          "application/ocsp-response"])
def test_wrong_media_type_is_415(client: TestClient, path: str, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = client.post(path, content=b"\x30\x00", headers=headers)
    assert_json_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize(("path", "headers"), [("/pki/ocsp", OCSP), ("/pki/tsa", TSQ)])
def test_oversized_bodies_are_413(client: TestClient, path: str, headers: dict[str, str]) -> None:
    response = client.post(path, content=b"\x30" * 5000, headers=headers)
    assert_json_error(response, 413, "request_too_large")


@pytest.mark.parametrize("body", [b"", b"garbage", b"\x30\x03\x02\x01\x01"])
def test_garbage_time_stamp_requests_are_rejected(client: TestClient, body: bytes) -> None:
    response = client.post("/pki/tsa", content=body, headers=TSQ)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/timestamp-reply"
    status = Response.load(response.content)["status"]
    assert status["status"].native == "rejection"
    assert status["fail_info"].native == {"bad_data_format"}


def test_media_type_parameters_are_accepted(client: TestClient) -> None:
    response = client.post("/pki/tsa", content=query(),
                           headers={"content-type": "Application/Timestamp-Query; x=1"})
    assert Response.load(response.content)["status"]["status"].native == "granted"


@pytest.mark.parametrize(("method", "path"), [("GET", "/pki/tsa"), ("PUT", "/pki/ocsp"),
                                              ("POST", "/pki/ca/root.cer")])
def test_wrong_methods_are_405(client: TestClient, method: str, path: str) -> None:
    assert_json_error(client.request(method, path), 405, "method_not_allowed")


def test_before_initialization_everything_is_a_clear_4xx(tmp_path: Path, db_url: str) -> None:
    container = _container(tmp_path, db_url)
    with TestClient(create_app(container), raise_server_exceptions=False) as bare:
        assert_json_error(bare.get("/pki/ca/root.cer"), 409, "pki_not_initialized")
        assert_json_error(bare.get("/pki/crl/kyso-ca.crl"), 409, "pki_not_initialized")
        assert_json_error(bare.post("/pki/ocsp", content=b"x", headers=OCSP), 409,
                          "pki_not_initialized")
        assert_json_error(bare.post("/pki/tsa", content=query(), headers=TSQ), 409,
                          "pki_not_initialized")
    container.close()
