"""Transactions kyso describes itself read in the reader's language, in the transaction's
API and in the history; the details the code is bound to stay as they were made."""

from __future__ import annotations

from kyso.descriptions import describe
from tests.integration.documents.conftest import World
from tests.integration.documents.pdfs import sample_pdf


def test_a_document_transaction_is_described_in_the_readers_language(world: World) -> None:
    customer = world.customer("Vũ Hồng Nhung", signatures=2)
    tx = customer.upload(sample_pdf(), name="hopdong.pdf").json()["transaction"]
    vi_headers = customer.headers | {"Accept-Language": "vi"}
    kept = tx["details"]["description"]
    assert kept.startswith("Ký số tài liệu hopdong.pdf (PAdES")
    assert tx["description"].startswith("Sign the document hopdong.pdf")  # the upload's answer
    vi = world.client.get(f"/api/v1/transactions/{tx['id']}", headers=vi_headers).json()
    en = world.client.get(f"/api/v1/transactions/{tx['id']}", headers=customer.headers).json()
    assert vi["description"] == kept and vi["details"] == en["details"] == tx["details"]
    assert en["description"].startswith("Sign the document hopdong.pdf (PAdES")
    assert customer.confirm(tx).status_code == 200  # the bound details still verify

    def described(headers: dict[str, str]) -> str:
        entries = world.client.get("/api/v1/history", headers=headers).json()
        return str(next(e["description"] for e in entries if e["reference"] == tx["id"]))

    assert described(vi_headers) == kept
    assert described(customer.headers) == en["description"]


def test_kyso_writes_the_vietnamese_it_describes() -> None:
    """The Vietnamese rebuilt from the details is the one the services keep, so that both
    languages say the same thing."""
    details = {"file_name": "a.pdf", "format": "PAdES", "level": "B-LT", "stamp_page": "2",
               "description": "Ký số tài liệu a.pdf (PAdES B-LT, có hình chữ ký ở trang 2)"}
    assert describe("sign_document", details, "vi") == details["description"]
    assert describe("sign_document", details, "en") == ("Sign the document a.pdf (PAdES B-LT, "
                                                        "with a stamp on page 2)")
    batch = {"files_sha256": "a.pdf: 00\nb: c.pdf: 11", "level": "B-B", "description": "x"}
    assert describe("sign_documents", batch, "en") == ("Sign 2 documents (PAdES B-B): "
                                                       "a.pdf, b: c.pdf")
    change = {"phone": "+84912345678", "description": "Thay đổi thông tin liên hệ: …"}
    assert describe("contact_change", change, "en") == (
        "Change of contact details: new phone number +84912345678")
    party = {"transaction_desc": "Ký hồ sơ thuế"}  # a relying party's own words, as given
    assert describe("sp769_sign", party, "en") == "Ký hồ sơ thuế"
    assert describe("sign_document", {"description": "cũ"}, "en") == "cũ"  # unknown shape


def test_a_refusal_s_reason_is_said_in_the_readers_language(world: World) -> None:
    """The reason after a refusal's sentence follows the language too: never an English
    phrase glued to a Vietnamese sentence."""
    customer = world.customer("Lê Văn Tâm", signatures=1)
    period = {"since": "2026-12-05T10:00:00Z", "until": "2026-12-01T10:00:00Z"}
    vi = world.client.get("/api/v1/history", params=period,
                          headers=customer.headers | {"Accept-Language": "vi"})
    en = world.client.get("/api/v1/history", params=period,
                          headers=customer.headers | {"Accept-Language": "en"})
    assert vi.status_code == en.status_code == 400
    assert vi.json()["error_description"] == (
        "Yêu cầu không hợp lệ. (ngày bắt đầu phải trước ngày kết thúc)")
    assert en.json()["error_description"] == (
        "The request is invalid. (the period starts before it ends)")
