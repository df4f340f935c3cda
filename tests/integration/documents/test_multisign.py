"""Several signers on one PDF: each signs with their own SmartOTP and certificate, in their
field made up front; after every signature pdfsig and pyHanko (every signature, its
modification level, the DocMDP check) say every signature so far is valid. Out-of-turn,
decline, cancel, parallel and expiry answers."""

from __future__ import annotations

import asyncio
import base64
import io
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from tests.integration.documents.conftest import Customer, World
from tests.integration.documents.oracles import dark_pixels, needs_tools, pdfsig, pdftotext
from tests.integration.documents.pdfs import A4, sample_pdf
from tests.integration.documents.test_placement import signature_png
from tests.integration.documents.test_verify import needs_zbar, qr_of


@pytest.fixture(autouse=True)
def _later(world: World) -> None:
    """Every test a second later: the SmartOTP enrolment of a new customer looks for its
    activation SMS among the outbox's 50 newest messages, which this module's notices fill
    (at one instant of the manual clock, their order is the database's)."""
    world.clock.advance(1)


def _customer(world: World, name: str) -> Customer:
    world.clock.advance(1)
    return world.customer(name)


BOXES = ([40, 60, 200, 120], [220, 60, 380, 120], [400, 60, 560, 120])


def _draft(world: World, initiator: Customer, name: str = "hop-dong-3-ben.pdf") -> str:
    r = world.client.post("/api/v1/multisign", content=sample_pdf("Hop dong ba ben"),
                          params={"name": name},
                          headers=initiator.headers | {"Content-Type": "application/pdf"})
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "draft"
    return str(r.json()["id"])


def _send(world: World, initiator: Customer, envelope: str, signers: list[Customer],
          **extra: Any) -> Any:
    logins = [_login(world, s, n) for n, s in enumerate(signers)]
    body = {"signers": [{"login": login, "page": 1, "box": BOXES[n]}
                        for n, login in enumerate(logins)], "level": "B-T", **extra}
    return world.client.post(f"/api/v1/multisign/{envelope}/send", json=body,
                             headers=initiator.headers)


def _login(world: World, customer: Customer, n: int) -> str:
    """The email (even) or the phone (odd) the signer registered."""
    with world.container.uow(read_only=True) as uow:
        account = uow.accounts.get(customer.account_id)
    assert account is not None
    return account.email if n % 2 == 0 else account.phone


def _sign(world: World, signer: Customer, envelope: str) -> Any:
    r = world.client.post(f"/api/v1/multisign/{envelope}/sign", headers=signer.headers)
    if r.status_code != 200:
        return r
    transaction = r.json()["transaction"]
    assert transaction["kind"] == "sign_multisign"
    assert transaction["details"]["signer"] == signer.credential.certificate.subject
    return signer.confirm(transaction)


def _download(world: World, who: Customer, envelope: str) -> bytes:
    r = world.client.get(f"/api/v1/multisign/{envelope}/download", headers=who.headers)
    assert r.status_code == 200, r.text
    return r.content


def _check(world: World, data: bytes, tmp_path: Path, count: int) -> None:
    """pdfsig and pyHanko: ``count`` signatures, every one valid, nothing disallowed."""
    path = tmp_path / f"signed-{count}.pdf"
    path.write_bytes(data)
    every = pdfsig(world.nss_db(), path)  # the fields still empty are listed too
    # pdfsig lists the empty fields and the document time stamps (which it does not verify)
    verdicts = [v for v in every if v.get("Signature Type") == "ETSI.CAdES.detached"]
    assert len(verdicts) == count, every
    for v in verdicts:
        assert v["Signature Validation"] == "Signature is Valid.", verdicts
        assert v["Certificate Validation"] == "Certificate is Trusted.", verdicts
    root = x509.Certificate.load(world.container.pki_publisher.ca_certificate("root"))
    reader = PdfFileReader(io.BytesIO(data))
    embedded = reader.embedded_regular_signatures
    assert len(embedded) == count
    for n, sig in enumerate(embedded):
        context = ValidationContext(trust_roots=[root], allow_fetching=True,
                                    moment=world.clock.now())
        status = asyncio.run(async_validate_pdf_signature(sig, context))
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
        assert status.docmdp_ok is not False, status.pretty_print_details()
        assert status.modification_level is not None
        assert status.modification_level <= ModificationLevel.FORM_FILLING, \
            status.pretty_print_details()
        assert status.bottom_line, status.pretty_print_details()
        if n == 0:  # the first signature certifies, allowing form filling and signing (P=2)
            assert sig.sig_object.get("/Reference") is not None
    report = world.client.post("/api/v1/validate", content=data,
                               headers={"Authorization": f"Bearer {_any_token(world)}",
                                        "Content-Type": "application/pdf"}).json()
    assert report["valid"] is True and len(report["signatures"]) == count, report


_tokens: list[str] = []


def _any_token(world: World) -> str:
    if not _tokens:
        _tokens.append(_customer(world, "Người Kiểm Tra").token)
    return _tokens[0]


@needs_tools
def test_three_signers_in_order(world: World, tmp_path: Path) -> None:
    initiator = _customer(world, "Trần Thị Gửi")
    an, binh, chi = (_customer(world, n) for n in ("Lê Văn An", "Phạm Thị Bình", "Võ Văn Chi"))
    envelope = _draft(world, initiator)
    blank = world.client.get(f"/api/v1/multisign/{envelope}/pages/1.png", headers=initiator.headers)
    assert blank.status_code == 200 and blank.headers["content-type"] == "image/png"
    r = _send(world, initiator, envelope, [an, binh, chi])
    assert r.status_code == 200, r.text
    sent = r.json()
    assert sent["status"] == "open" and [s["turn"] for s in sent["signers"]] == [
        True, False, False]
    # the first signer is told, in the inbox (Vietnamese first)
    inbox = world.client.get("/api/v1/notifications", headers=an.headers
                             | {"Accept-Language": "vi"}).json()
    assert any("chờ Quý khách ký" in str(n) for n in inbox), inbox
    # it waits in the signer's list
    mine = world.client.get("/api/v1/multisign", headers=an.headers).json()
    assert [e["id"] for e in mine if e["my_turn"]] == [envelope]
    # out of turn: a clear refusal
    early = _sign(world, chi, envelope)
    assert early.status_code == 409 and early.json()["error"] == "multisign_not_your_turn"
    assert "Lê Văn An" in early.json()["error_description"]
    for count, signer in enumerate((an, binh, chi), 1):
        done = _sign(world, signer, envelope)
        assert done.status_code == 200, done.text
        _check(world, _download(world, initiator, envelope), tmp_path, count)
    final = world.client.get(f"/api/v1/multisign/{envelope}", headers=initiator.headers).json()
    assert final["status"] == "completed" and final["signed"] == 3
    assert [s["status"] for s in final["signers"]] == ["signed"] * 3
    final_pdf = _download(world, chi, envelope)
    assert final_pdf == _download(world, initiator, envelope)
    (tmp_path / "final.pdf").write_bytes(final_pdf)
    shown = world.client.get(f"/api/v1/multisign/{envelope}/pages/1.png", headers=an.headers)
    assert shown.status_code == 200 and shown.content != blank.content  # the stamps are drawn
    for box in BOXES:  # every signer's stamp is drawn in their own box
        assert dark_pixels(tmp_path / "final.pdf", 1, tuple(box), A4[3]) > 50, box
    again = _sign(world, an, envelope)
    assert again.status_code == 409, again.text
    # each signature was made with the signer's own certificate
    reader = PdfFileReader(io.BytesIO(_download(world, an, envelope)))
    serials = [s.signer_cert.serial_number for s in reader.embedded_regular_signatures]
    assert serials == [c.credential.certificate.serial for c in (an, binh, chi)]
    # the audit trail has each step (a writable unit of work: pending events chained first)
    with world.container.uow() as uow:
        actions = [r.event.action for r in uow.audit.records()
                   if r.event.subject == envelope]
    for action in ("multisign.created", "multisign.sent", "multisign.signed",
                   "multisign.completed"):
        assert action in actions, actions
    assert actions.count("multisign.signed") == 3


def test_decline_with_a_reason(world: World) -> None:
    initiator, an, binh = (_customer(world, n) for n in ("Đỗ Gửi", "Hà An", "Hồ Bình"))
    envelope = _draft(world, initiator)
    assert _send(world, initiator, envelope, [an, binh]).status_code == 200
    outsider = _customer(world, "Người Ngoài")
    assert world.client.get(f"/api/v1/multisign/{envelope}",
                            headers=outsider.headers).status_code == 404
    r = world.client.post(f"/api/v1/multisign/{envelope}/decline",
                          json={"reason": "Sai số tiền ở điều 3"}, headers=an.headers)
    assert r.status_code == 200, r.text
    body = world.client.get(f"/api/v1/multisign/{envelope}", headers=initiator.headers).json()
    assert body["status"] == "declined" and body["note"] == "Sai số tiền ở điều 3"
    assert body["signers"][0]["status"] == "declined"
    inbox = world.client.get("/api/v1/notifications", headers=initiator.headers
                             | {"Accept-Language": "vi"}).json()
    assert any("Sai số tiền" in str(n) for n in inbox)
    late = _sign(world, binh, envelope)
    assert late.status_code == 409 and late.json()["error"] == "multisign_closed", late.text


def test_the_initiator_cancels(world: World) -> None:
    initiator, an = _customer(world, "Gửi Hủy"), _customer(world, "Ký Bị Hủy")
    envelope = _draft(world, initiator)
    assert _send(world, initiator, envelope, [an]).status_code == 200
    not_mine = world.client.post(f"/api/v1/multisign/{envelope}/cancel", json={},
                                 headers=an.headers)
    assert not_mine.status_code == 404
    r = world.client.post(f"/api/v1/multisign/{envelope}/cancel", json={"reason": "Soạn lại"},
                          headers=initiator.headers)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    late = _sign(world, an, envelope)
    assert late.status_code == 409 and late.json()["error"] == "multisign_closed"
    vi = world.client.post(f"/api/v1/multisign/{envelope}/sign",
                           headers=an.headers | {"Accept-Language": "vi"})
    assert "đã bị hủy" in vi.json()["error_description"]


def test_bad_requests_are_sentences(world: World) -> None:
    initiator = _customer(world, "Gửi Sai")
    envelope = _draft(world, initiator)
    r = world.client.post(f"/api/v1/multisign/{envelope}/send", headers=initiator.headers
                          | {"Accept-Language": "vi"},
                          json={"signers": [{"login": "khong-co@example.vn", "page": 1,
                                             "box": BOXES[0]}]})
    assert r.status_code == 400 and r.json()["error"] == "multisign_unknown_signer"
    assert "khong-co@example.vn" in r.json()["error_description"]
    an = _customer(world, "Ký Ngoài Trang")
    r = world.client.post(f"/api/v1/multisign/{envelope}/send", headers=initiator.headers,
                          json={"signers": [{"login": _login(world, an, 0), "page": 9,
                                             "box": BOXES[0]}]})
    assert r.status_code == 400 and r.json()["error"] == "stamp_outside_page", r.text
    r = world.client.post("/api/v1/multisign", content=b"not a pdf at all",
                          headers=initiator.headers | {"Content-Type": "application/pdf"})
    assert r.status_code == 400 and r.json()["error"] == "not_a_pdf", r.text


@needs_tools
def test_parallel_signers_any_order(world: World, tmp_path: Path) -> None:
    initiator, an, binh = (_customer(world, n) for n in ("Song Song", "Ký Một", "Ký Hai"))
    envelope = _draft(world, initiator)
    r = _send(world, initiator, envelope, [an, binh], mode="parallel")
    assert r.status_code == 200 and [s["turn"] for s in r.json()["signers"]] == [True, True]
    # both were told at once
    for who in (an, binh):
        inbox = world.client.get("/api/v1/notifications", headers=who.headers).json()
        assert any("Song Song" in str(n) for n in inbox), inbox
    assert _sign(world, binh, envelope).status_code == 200
    _check(world, _download(world, initiator, envelope), tmp_path, 1)
    assert _sign(world, an, envelope).status_code == 200
    _check(world, _download(world, initiator, envelope), tmp_path, 2)
    body = world.client.get(f"/api/v1/multisign/{envelope}", headers=an.headers).json()
    assert body["status"] == "completed" and body["signers"][0]["login"] is None


def test_expiry(world: World) -> None:
    initiator, an = _customer(world, "Hết Hạn"), _customer(world, "Ký Muộn")
    envelope = _draft(world, initiator)
    r = _send(world, initiator, envelope, [an], expires_in_days=1)
    assert r.status_code == 200
    assert r.json()["expires_at"].startswith(
        (world.clock.now() + timedelta(days=1)).date().isoformat())
    with world.container.uow() as uow:  # a day later (sessions would expire with the clock)
        found = uow.multisign.get(envelope)
        assert found is not None
        uow.multisign.save(replace(found, expires_at=world.clock.now() - timedelta(seconds=1)))
        uow.commit()
    late = _sign(world, an, envelope)
    assert late.status_code == 410 and late.json()["error"] == "multisign_expired", late.text
    body = world.client.get(f"/api/v1/multisign/{envelope}", headers=initiator.headers).json()
    assert body["status"] == "expired"


@needs_tools
@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
def test_long_term_levels_keep_every_signature_valid(world: World, tmp_path: Path,
                                                      level: str) -> None:
    """The DSS (and at B-LTA the document time stamp) added after each signature are
    allowed changes: the earlier signatures stay valid."""
    initiator, an, binh = (_customer(world, n) for n in ("Gửi Dài Hạn", "Ký LT Một",
                                                         "Ký LT Hai"))
    envelope = _draft(world, initiator)
    r = _send(world, initiator, envelope, [an, binh], level=level)
    assert r.status_code == 200, r.text
    for count, signer in enumerate((an, binh), 1):
        done = _sign(world, signer, envelope)
        assert done.status_code == 200, done.text
        _check(world, _download(world, initiator, envelope), tmp_path, count)
    report = world.client.post("/api/v1/validate", content=_download(world, an, envelope),
                               headers=an.headers | {"Content-Type": "application/pdf"}).json()
    assert [s["level"] for s in report["signatures"]] == [level, level], report
    assert report["valid"] and all(t["integrity"] == "intact" and t["trusted"]
                                   for t in report["document_timestamps"]), report
    assert len(report["document_timestamps"]) == (2 if level == "B-LTA" else 0)


@needs_tools
@needs_zbar
def test_every_signature_has_its_record_qr_code_and_own_stamp(
        world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each signer chooses their stamp's reason, location and signature image; every stamp
    carries a QR code to its own ``/v/<id>``, which anyone opens without a login and which
    lists the document's other signatures and says whether the document is complete; the
    earlier signatures stay valid in pdfsig and pyHanko after each one."""
    from kyso.entrypoints.web import verify as page  # this test's own budgets per address

    monkeypatch.setattr(page, "UPLOADS", page.Budget(limit=10))
    monkeypatch.setattr(page, "BUDGET", page.Budget())
    initiator = _customer(world, "Trần Thị Gửi QR")
    signers = [_customer(world, n) for n in ("Lê Văn Một", "Phạm Thị Hai", "Võ Văn Ba")]
    envelope = _draft(world, initiator)
    assert _send(world, initiator, envelope, signers).status_code == 200
    stamps = [{"reason": "Đồng ý các điều khoản", "location": "Hà Nội"},
              {"reason": "Bên B xác nhận", "image": base64.b64encode(signature_png()).decode()},
              {}]
    # a bad image or a reason too long: a sentence, nothing is opened
    bad = world.client.post(f"/api/v1/multisign/{envelope}/sign", headers=signers[0].headers,
                            json={"image": base64.b64encode(b"GIF89a" + bytes(50)).decode()})
    assert bad.status_code == 400 and bad.json()["error"] == "bad_signature_image", bad.text
    bad = world.client.post(f"/api/v1/multisign/{envelope}/sign", headers=signers[0].headers,
                            json={"reason": "x" * 101})
    assert bad.status_code in (400, 422) and "error_description" in bad.json(), bad.text
    verify: list[str] = []
    for count, (signer, stamp) in enumerate(zip(signers, stamps, strict=True), 1):
        r = world.client.post(f"/api/v1/multisign/{envelope}/sign", headers=signer.headers,
                              json=stamp)
        assert r.status_code == 200, r.text
        details = r.json()["transaction"]["details"]
        assert details.get("reason") == stamp.get("reason")
        assert details.get("location") == stamp.get("location")
        assert ("signature_image" in details) == ("image" in stamp)
        assert signer.confirm(r.json()["transaction"]).status_code == 200
        data = _download(world, initiator, envelope)
        _check(world, data, tmp_path, count)
        path = tmp_path / f"qr-{count}.pdf"
        path.write_bytes(data)
        body = world.client.get(f"/api/v1/multisign/{envelope}",
                                headers=initiator.headers).json()
        verify = [s["verify"] for s in body["signers"][:count]]
        assert all(v and v.startswith("/v/") for v in verify), body
        assert all(s["verify"] is None for s in body["signers"][count:]), body
        found = qr_of(path)
        assert sorted(u.rsplit("/v/", 1)[1] for u in found) == \
            sorted(v.removeprefix("/v/") for v in verify), found
        text = pdftotext(path)
        for v in verify:
            assert f"/v/{v.removeprefix('/v/')}" in text.replace("\n", "")
        if stamp.get("reason"):
            assert f"Lý do: {stamp['reason']}" in text, text
        # the newest signature's page, without a login
        page = world.client.get(verify[-1])
        assert page.status_code == 200, page.text
        html = page.text
        assert signer.credential.certificate.subject in html
        assert "Các chữ ký của tài liệu" in html and "Chữ ký hợp lệ" in html
        if count < 3:
            assert f"Tài liệu mới có {count}/3 chữ ký; còn chờ {3 - count} người ký." in html
            assert "Chưa ký" in html
        else:
            assert "Tài liệu đã được ký đủ 3/3 chữ ký, tất cả đều hợp lệ." in html
        for earlier in signers[:count - 1]:  # listed, each with a link to its own page
            assert earlier.credential.certificate.subject in html
        assert "hop-dong-3-ben" not in html  # no file name on the public page
    # the first signature's page, once the document is complete: the final file matches it
    first = world.client.get(verify[0]).text
    assert "Tài liệu đã được ký đủ 3/3 chữ ký" in first and "(chữ ký đang xem)" in first
    english = world.client.get(f"{verify[0]}?lang=en").text
    assert "The document has all 3/3 signatures, every one valid." in english
    assert "Tài liệu" not in english
    final = _download(world, initiator, envelope)
    check = world.client.post(f"{verify[0]}/check", content=final,
                              headers={"Content-Type": "application/pdf"})
    assert check.json() == {"matches": True, "valid": True, "signatures": 3}, check.text
    other = world.client.post(f"{verify[0]}/check", content=final + b"\n%",
                              headers={"Content-Type": "application/pdf"})
    assert other.json()["matches"] is False
    # the file before the third signature does not hold it: no match on its page
    earlier = world.client.post(f"{verify[2]}/check",
                                content=(tmp_path / "qr-2.pdf").read_bytes(),
                                headers={"Content-Type": "application/pdf"})
    assert earlier.json()["matches"] is False, earlier.text
    second = world.client.post(f"{verify[1]}/check", content=(tmp_path / "qr-2.pdf").read_bytes(),
                               headers={"Content-Type": "application/pdf"})
    assert second.json() == {"matches": True, "valid": True, "signatures": 2}, second.text
    # each signer's record lists in their own receipts, with the original's SHA-256
    for signer in signers:
        records = signer.get("/receipts").json()
        [mine] = [r for r in records if r["file_name"] == "hop-dong-3-ben.pdf"]
        assert mine["verify_url"].endswith(tuple(verify))
