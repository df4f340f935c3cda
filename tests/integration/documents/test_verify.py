"""Issue 16 items 2 and 3: every signature kyso makes over a document gets a public record
(``/v/<id>``, the QR code and short link in the visible stamp) and a signing receipt (CMS
SignedData by kyso's seal, time-stamped) that OpenSSL verifies offline against kyso's root."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from asn1crypto import cms

from kyso.pki.model import RevocationReason
from kyso.signing.records import RECORD_ID
from tests.integration.documents.conftest import Customer, World
from tests.integration.documents.oracles import needs_tools, pdfsig, pdftotext
from tests.integration.documents.pdfs import sample_pdf
from tests.web.conftest import ARTIFACTS

needs_zbar = pytest.mark.skipif(shutil.which("zbarimg") is None,
                                reason="zbarimg (zbar-tools): run scripts/system-deps.sh")


def _signed(customer: Customer, world: World, name: str, *, worker: bool = True,
            **params: str) -> tuple[Path, dict]:
    """Sign a PDF in the app; with ``worker`` one worker pass then makes its receipt."""
    uploaded = customer.upload(sample_pdf(f"Hop dong {name}"), name=f"{name}.pdf", **params)
    assert uploaded.status_code == 201, uploaded.text
    assert customer.confirm(uploaded.json()["transaction"]).status_code == 200
    if worker:
        world.container.outbox_worker().run_once()
    document = uploaded.json()["id"]
    got = customer.get(f"/documents/{document}/download")
    assert got.status_code == 200
    path = world.files / f"{name}-signed.pdf"
    path.write_bytes(got.content)
    [record] = [r for r in customer.get("/receipts").json() if r["document_id"] == document]
    return path, record


def qr_of(pdf: Path, page: int = 1) -> list[str]:
    """The QR codes zbarimg reads on a page rendered by poppler at 300 dpi."""
    png = pdf.with_suffix(f".p{page}")
    subprocess.run(["pdftoppm", "-r", "300", "-f", str(page), "-l", str(page), "-singlefile",
                    "-png", str(pdf), str(png)], check=True, timeout=60)
    done = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sqrcode.enable",
                           str(png) + ".png"], capture_output=True, text=True, timeout=60,
                          check=False)
    return [line for line in done.stdout.splitlines() if line]


def _keep_stamp(page: Path, name: str) -> None:
    """The stamp's corner of the rendered page, kept to look at (test-artifacts/screens)."""
    from PIL import Image

    screens = ARTIFACTS / "screens"
    screens.mkdir(parents=True, exist_ok=True)
    with Image.open(page) as image:
        w, h = image.size
        image.crop((w // 2, h * 85 // 100, w, h)).save(screens / name)


@needs_tools
@needs_zbar
@pytest.mark.parametrize("level", ["B-T", "B-LTA"])
def test_the_stamp_carries_a_qr_code_to_the_public_page(world: World, customer: Customer,
                                                         level: str) -> None:
    path, record = _signed(customer, world, f"qr-{level}", level=level, visible="true",
                           reason="Đồng ý")
    assert RECORD_ID.fullmatch(record["id"])
    assert record["verify_url"] == f"{world.url}/v/{record['id']}"
    assert qr_of(path) == [record["verify_url"]]
    _keep_stamp(path.with_suffix(".p1.png"), f"verify-stamp-{level}.png")
    text = pdftotext(path)
    assert "Kiểm tra: " in text and f"/v/{record['id']}" in text.replace("\n", "")
    assert record["signed_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    [verdict, *_] = pdfsig(world.nss_db(), path)  # the QR code leaves the signature valid
    assert verdict["Signature Validation"] == "Signature is Valid."
    assert verdict["Certificate Validation"] == "Certificate is Trusted."
    report = customer.validate(path.read_bytes())  # pyHanko, in the sandbox
    assert report["valid"] is True and report["signatures"][0]["level"] == level


@needs_tools
@needs_zbar
def test_a_stamp_with_a_signature_image_keeps_a_readable_qr_code(world: World,
                                                                 customer: Customer) -> None:
    from tests.integration.documents.test_placement import signature_png

    draft = world.client.post("/api/v1/documents/drafts", content=sample_pdf(),
                              params={"name": "image.pdf"},
                              headers=customer.headers | {"Content-Type": "application/pdf"})
    sent = world.client.post(f"/api/v1/documents/{draft.json()['id']}/sign",
                             headers=customer.headers,
                             json={"level": "B-T", "page": 1, "box": [300, 40, 560, 120],
                                   "image": base64.b64encode(signature_png()).decode()})
    assert sent.status_code == 200, sent.text
    assert customer.confirm(sent.json()["transaction"]).status_code == 200
    path = world.files / "image-signed.pdf"
    path.write_bytes(customer.get(f"/documents/{draft.json()['id']}/download").content)
    [record] = [r for r in customer.get("/receipts").json()
                if r["document_id"] == draft.json()["id"]]
    assert qr_of(path) == [record["verify_url"]]
    _keep_stamp(path.with_suffix(".p1.png"), "verify-stamp-image.png")


def test_the_public_page_needs_no_login_and_shows_the_verdict(world: World,
                                                              customer: Customer) -> None:
    _, record = _signed(customer, world, "page", level="B-LT", visible="true")
    page = world.client.get(f"/v/{record['id']}")  # no Authorization header
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "Chữ ký hợp lệ" in html and "Nguyễn Văn An" in html
    assert "Issuing CA" in html  # the issuer's common name
    assert record["signed_sha256"] in html
    assert "B-LT" in html and "Còn hiệu lực" in html
    assert "(GMT+7)" in html and "Không có" not in html  # a time stamp is shown
    assert "001190" not in html and "@example.vn" not in html  # no ID number, no e-mail
    assert "page.pdf" not in html  # nor the file name
    assert "script-src 'self'" in page.headers["content-security-policy"]
    english = world.client.get(f"/v/{record['id'].upper()}?lang=en")
    assert english.status_code == 200 and "Valid signature" in english.text


def test_an_unknown_id_is_a_friendly_404(world: World) -> None:
    for bad in ("aaaaaaaaaaaa", "x", "a/b/c", "..%2F..%2Fetc", "a" * 300, "%00", "é"):
        page = world.client.get(f"/v/{bad}")
        assert page.status_code == 404, bad
        assert "Không tìm thấy chữ ký" in page.text and "Traceback" not in page.text


def test_revoked_later_stays_valid_with_a_time_stamp_not_without(world: World) -> None:
    signer = world.customer("Trần Thị Bình")
    _, stamped = _signed(signer, world, "later-bt", level="B-T")
    _, bare = _signed(signer, world, "later-bb", level="B-B")
    world.clock.advance(seconds=120)
    world.container.pki.revoke(signer.credential.certificate.serial,
                               RevocationReason.KEY_COMPROMISE, actor="test")
    html = world.client.get(f"/v/{stamped['id']}").text
    assert "Chữ ký hợp lệ" in html and "đã bị thu hồi ngày" in html
    assert "Đã bị thu hồi từ" in html
    html = world.client.get(f"/v/{bare['id']}").text
    assert "Chưa đủ căn cứ" in html and "Chữ ký hợp lệ" not in html


@needs_tools
def test_the_receipt_verifies_with_openssl_and_binds_the_signature(world: World,
                                                                   customer: Customer) -> None:
    path, pending = _signed(customer, world, "receipt", worker=False, level="B-T",
                            visible="true")
    # the signature is answered before its receipt exists: pending until the worker's pass
    assert pending["receipt"] is None and pending["receipt_pending"] is True
    early = customer.get(f"/receipts/{pending['id']}")
    assert early.status_code == 409 and early.json()["error"] == "receipt_pending"
    assert early.headers["Retry-After"] == "2" and "being made" in early.json()[
        "error_description"]
    [entry] = [e for e in customer.get("/history").json()
               if e.get("verify") == f"/v/{pending['id']}"]
    assert entry["receipt_pending"] is True and entry["receipt"] is None
    assert world.container.outbox_worker().run_once() >= 0  # its chores make the receipt
    [entry] = [e for e in customer.get("/history").json()
               if e.get("verify") == f"/v/{pending['id']}"]
    assert entry["receipt_pending"] is False
    assert entry["receipt"] == f"/api/v1/receipts/{pending['id']}"
    [record] = [r for r in customer.get("/receipts").json() if r["id"] == pending["id"]]
    assert record["receipt_pending"] is False
    got = customer.get(f"/receipts/{record['id']}")
    assert got.status_code == 200 and got.headers["content-type"] == "application/pkcs7-mime"
    der = world.files / "receipt.p7m"
    der.write_bytes(got.content)
    assert hashlib.sha256(got.content).hexdigest() == record["receipt_sha256"]
    out = world.files / "receipt.json"
    done = subprocess.run(["openssl", "cms", "-verify", "-inform", "DER", "-in", str(der),
                           "-CAfile", str(world.root_pem()), "-purpose", "any",
                           "-attime", str(int(world.clock.now().timestamp()) + 5),
                           "-out", str(out)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Verification successful" in done.stderr
    claims = json.loads(out.read_text())
    assert claims["type"] == "kyso-signing-receipt" and claims["record"] == record["id"]
    assert claims["document"] == {"name": "receipt.pdf", "sha256": record["sha256"],
                                  "signed_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                                  "format": "pades"}
    assert claims["level"] == "B-T" and claims["verify_url"] == record["verify_url"]
    challenge = claims["challenge"]
    assert re.fullmatch(r"[0-9a-f-]{36}", challenge["id"]) and challenge["kind"] == "sign_document"
    # the audit event that says the document was signed carries the same event id
    with world.container.uow(read_only=True) as uow:
        audited = [r for r in uow.audit.records()
                   if r.event.action == "document.signed"
                   and r.event.details.get("record") == record["id"]]
    assert [r.event.details["event"] for r in audited] == [claims["audit"]["event"]]
    # … and its position in the chain: the sequence number and the record's hash
    assert (claims["audit"]["seq"], claims["audit"]["hash"]) == (audited[0].seq,
                                                                 audited[0].hash)
    assert claims["kind"] == "document" and claims["id"] == record["id"]
    # signed by kyso's seal, with a signature time stamp as an unsigned attribute
    signer = cms.ContentInfo.load(got.content)["content"]["signer_infos"][0]
    kinds = [a["type"].native for a in signer["unsigned_attrs"]]
    assert kinds == ["signature_time_stamp_token"]
    # tampered: OpenSSL refuses
    bad = bytearray(got.content)
    bad[bad.find(b"receipt.pdf")] ^= 1
    der.write_bytes(bytes(bad))
    refused = subprocess.run(["openssl", "cms", "-verify", "-inform", "DER", "-in", str(der),
                              "-CAfile", str(world.root_pem()), "-purpose", "any",
                              "-out", "/dev/null"], capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0


def test_a_receipt_is_the_signers_only(world: World, customer: Customer) -> None:
    _, record = _signed(customer, world, "mine", level="B-B")
    other = world.customer("Phạm Văn Dũng")
    assert other.get(f"/receipts/{record['id']}").status_code == 404
    assert world.client.get(f"/api/v1/receipts/{record['id']}").status_code == 401
    for bad in ("%00", "x" * 100, "aaaaaaaaaaaa", "é"):
        assert customer.get(f"/receipts/{bad}").status_code == 404, bad
    assert record["id"] not in [r["id"] for r in other.get("/receipts").json()]


def test_a_cades_signature_gets_a_record_and_receipt(world: World, customer: Customer) -> None:
    uploaded = customer.upload(b"Bang ke hoa don 2026\n" * 10, "application/octet-stream",
                               format="cades", level="B-T", name="bangke.txt")
    assert uploaded.status_code == 201, uploaded.text
    assert customer.confirm(uploaded.json()["transaction"]).status_code == 200
    [record] = [r for r in customer.get("/receipts").json()
                if r["document_id"] == uploaded.json()["id"]]
    assert record["format"] == "cades" and record["timestamp_at"] is not None
    assert world.client.get(f"/v/{record['id']}").status_code == 200


def test_a_copy_uploaded_to_the_public_page_is_fully_checked(
        world: World, customer: Customer, monkeypatch: pytest.MonkeyPatch) -> None:
    from kyso.entrypoints.web import verify

    monkeypatch.setattr(verify, "UPLOADS", verify.Budget(limit=5))
    path, record = _signed(customer, world, "upload", level="B-T", visible="true")
    check = f"/v/{record['id']}/check"
    same = world.client.post(check, content=path.read_bytes(),
                             headers={"Content-Type": "application/pdf"})
    assert same.status_code == 200 and same.json() == {"matches": True, "valid": True,
                                                       "signatures": 1}
    other = world.client.post(check, content=path.read_bytes() + b"\n%",
                              headers={"Content-Type": "application/pdf"})
    assert other.json() == {"matches": False, "valid": None, "signatures": 0}
    missing = world.client.post("/v/aaaaaaaaaaaa/check", content=b"x")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    world.client.post(check, content=b"x")
    world.client.post(check, content=b"x")
    over = world.client.post(check, content=path.read_bytes())
    assert over.status_code == 429 and over.json()["error"] == "too_many_requests"


def test_the_page_budget_refuses_an_address_past_its_limit() -> None:
    from kyso.entrypoints.web.verify import Budget

    budget = Budget(limit=3, window=60)
    assert [budget.spend("10.0.0.1") for _ in range(4)] == [True, True, True, False]
    assert budget.spend("10.0.0.2")  # another address has its own


@needs_tools
@needs_zbar
def test_each_document_of_a_batch_gets_its_own_record_and_qr_code(world: World) -> None:
    signer = world.customer("Võ Thị Lan", signatures=2)
    ids = []
    for n in range(2):
        r = world.client.post("/api/v1/documents/drafts", content=sample_pdf(f"Lo {n}"),
                              params={"name": f"lo-{n}.pdf"},
                              headers=signer.headers | {"Content-Type": "application/pdf"})
        ids.append(r.json()["id"])
    batch = world.client.post("/api/v1/documents/batch", headers=signer.headers,
                              json={"documents": ids, "level": "B-T", "visible": True})
    assert batch.status_code == 201, batch.text
    assert signer.confirm(batch.json()["transaction"]).status_code == 200
    world.container.outbox_worker().run_once()
    records = {r["document_id"]: r for r in signer.get("/receipts").json()}
    assert set(records) == set(ids) and len({r["id"] for r in records.values()}) == 2
    for document in ids:
        path = world.files / f"batch-{document}.pdf"
        path.write_bytes(signer.get(f"/documents/{document}/download").content)
        assert qr_of(path) == [records[document]["verify_url"]]
        assert records[document]["receipt"] is not None
