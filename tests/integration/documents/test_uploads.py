"""Uploads: what is refused (clearly, with a 4xx and nothing stored), what is accepted, and
who may see a document."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from tests.integration.api.conftest import PASSWORD, PIN
from tests.integration.documents.conftest import MAX_BYTES, Customer, World
from tests.integration.documents.pdfs import sample_pdf


@pytest.fixture(scope="module")
def other(world: World) -> Customer:
    return world.customer("Phạm Minh Đức")


def _error(response: object, status: int, code: str) -> str:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["error"] == code and body["error_description"]
    return str(body["error_description"])


def test_not_a_pdf_is_refused_in_both_languages(world: World, customer: Customer) -> None:
    english = _error(customer.upload(b"hello, this is not a PDF"), 400, "not_a_pdf")
    assert "not a PDF" in english
    vietnamese = world.client.post(
        "/api/v1/documents", content=b"GIF89a....", headers={
            "Authorization": f"Bearer {customer.token}", "Content-Type": "application/pdf"})
    assert "không phải là tài liệu PDF" in _error(vietnamese, 400, "not_a_pdf")


def test_an_encrypted_pdf_is_refused(customer: Customer) -> None:
    text = _error(customer.upload(sample_pdf(password="matkhau")), 400, "encrypted_pdf")
    assert "password" in text


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_a_damaged_pdf_is_refused(customer: Customer, damage: str) -> None:
    pdf = sample_pdf()
    bad = pdf[: len(pdf) // 2] if damage == "truncated" else b"%PDF-1.7\n" + b"\x00\xff" * 500
    _error(customer.upload(bad), 400, "damaged_pdf")


def test_oversized_uploads_are_refused_with_413(customer: Customer) -> None:
    just_over = sample_pdf() + b"%" * (MAX_BYTES + 10)  # over the document limit
    _error(customer.upload(just_over), 413, "request_too_large")
    far_over = b"%PDF-1.7\n" + b"0" * (MAX_BYTES + 200_000)  # over the path's body limit
    _error(customer.upload(far_over), 413, "request_too_large")


def test_the_larger_limit_is_only_for_document_paths(customer: Customer, world: World) -> None:
    body = b"x" * (world.container.settings.max_body_bytes + 1)
    r = world.client.post("/api/v1/auth/login", content=body,
                          headers={"Content-Type": "application/json"})
    _error(r, 413, "request_too_large")
    assert len(sample_pdf()) < MAX_BYTES  # and a document this size is welcome:
    assert customer.upload(sample_pdf()).status_code == 201


def test_wrong_media_type_and_options(customer: Customer) -> None:
    _error(customer.upload(sample_pdf(), content_type="text/plain"), 415, "unsupported_media_type")
    _error(customer.upload(sample_pdf(), level="B-XL"), 400, "invalid_request")
    _error(customer.upload(b"any file", format="cades", level="B-LT"), 400,
           "level_not_supported")
    _error(customer.upload(b"any file", format="cades", visible="true"), 400, "invalid_request")
    _error(customer.upload(sample_pdf(), reason="x" * 101), 400, "invalid_request")


def test_nothing_is_stored_for_a_refused_upload(world: World) -> None:
    fresh = world.customer("Hoàng Thu Hà")
    for bad in (b"not a pdf", sample_pdf(password="x"), b"%PDF-1.4\n\x00"):
        assert fresh.upload(bad).status_code == 400
    assert fresh.get("/documents").json() == []
    assert fresh.get("/transactions").json() == []


def test_a_multipart_upload_keeps_the_file_name(world: World, customer: Customer) -> None:
    r = world.client.post("/api/v1/documents", params={"level": "B-T", "visible": "true"},
                          files={"file": ("Hợp đồng số 12.pdf", sample_pdf(), "application/pdf")},
                          headers=customer.headers)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["file_name"] == "Hợp đồng số 12.pdf" and body["status"] == "pending"
    details = body["transaction"]["details"]
    assert details["file_name"] == "Hợp đồng số 12.pdf" and details["level"] == "B-T"
    assert details["sha256"] == body["sha256"] and details["stamp_page"] == "1"
    assert details["credential"] == customer.credential.id
    assert body["transaction"]["kind"] == "sign_document"
    assert customer.confirm(body["transaction"]).status_code == 200
    got = customer.get(f"/documents/{body['id']}/download")
    assert got.headers["content-type"] == "application/pdf"
    disposition = got.headers["content-disposition"]
    assert unquote(disposition.split("UTF-8''", 1)[1]) == "Hợp đồng số 12-signed.pdf"


def test_a_path_in_the_name_is_dropped(customer: Customer) -> None:
    body = customer.upload(sample_pdf(), name="../../etc/passwd.pdf").json()
    assert body["file_name"] == "passwd.pdf"


def test_another_customers_document_is_not_found(customer: Customer, other: Customer) -> None:
    mine = customer.upload(sample_pdf()).json()
    for path in (f"/documents/{mine['id']}", f"/documents/{mine['id']}/download"):
        assert other.get(path).status_code == 404
    assert other.confirm(mine["transaction"]).status_code == 404
    assert all(d["id"] != mine["id"] for d in other.get("/documents").json())
    assert customer.get(f"/documents/{mine['id']}").json()["status"] == "pending"


def test_download_before_signing_is_a_conflict(customer: Customer) -> None:
    pending = customer.upload(sample_pdf()).json()
    _error(customer.get(f"/documents/{pending['id']}/download"), 409, "not_signed")


def test_a_customer_without_a_certificate_cannot_upload(world: World) -> None:
    body = {"username": "nocert", "password": PASSWORD, "pin": PIN, "full_name": "Võ Văn Em",
            "phone": "0977000111", "email": "nocert@example.vn", "id_number": "001190999999"}
    assert world.client.post("/api/v1/accounts", json=body).status_code == 201
    token = world.client.post("/api/v1/auth/login",
                              json={"login": "nocert", "password": PASSWORD}).json()
    r = world.client.post("/api/v1/documents", content=sample_pdf(), headers={
        "Authorization": f"Bearer {token['access_token']}", "Content-Type": "application/pdf"})
    _error(r, 409, "no_credential")


def test_validate_refuses_what_is_not_a_pdf_and_needs_a_session(world: World,
                                                                customer: Customer) -> None:
    r = world.client.post("/api/v1/validate", content=b"plain text",
                          headers=customer.headers | {"Content-Type": "application/pdf"})
    _error(r, 400, "not_a_pdf")
    anonymous = world.client.post("/api/v1/validate", content=sample_pdf(),
                                  headers={"Content-Type": "application/pdf"})
    assert anonymous.status_code == 401
