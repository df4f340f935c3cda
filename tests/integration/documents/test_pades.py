"""PAdES through the API: upload, confirm with the SmartOTP transaction code, download; the
output is checked by independent validators (poppler's pdfsig on NSS with kyso's root
imported, pyHanko offline on the document's own DSS) and by ``POST /validate``."""

from __future__ import annotations

import asyncio
import io
import random
from pathlib import Path

import pytest
from asn1crypto import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import DocumentSecurityStore, async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from kyso.pki.model import RevocationReason
from tests.integration.documents.conftest import Customer, World
from tests.integration.documents.oracles import needs_tools, pdfsig
from tests.integration.documents.pdfs import sample_pdf, tampered

LEVELS = ["B-B", "B-T", "B-LT", "B-LTA"]


@pytest.fixture(scope="module")
def signed(world: World, customer: Customer) -> dict[str, Path]:
    """One signed file per level (the expensive part, shared by the tests below)."""
    files = {}
    for level in LEVELS:
        path = world.files / f"signed-{level}.pdf"
        path.write_bytes(customer.sign(sample_pdf(), level=level))
        files[level] = path
    return files


@needs_tools
@pytest.mark.parametrize("level", LEVELS)
def test_pdfsig_says_valid_and_trusted(world: World, signed: dict[str, Path],
                                       level: str) -> None:
    [verdict, *stamps] = pdfsig(world.nss_db(), signed[level])
    assert verdict["Signature Validation"] == "Signature is Valid."
    assert verdict["Certificate Validation"] == "Certificate is Trusted."
    assert verdict["Signer Certificate Common Name"] == "Nguyễn Văn An"
    assert verdict["Signature Type"] == "ETSI.CAdES.detached"  # PAdES
    assert len(stamps) == (1 if level == "B-LTA" else 0)  # the document time stamp


@pytest.mark.parametrize("level", LEVELS)
def test_the_report_names_the_signer_level_and_status(customer: Customer,
                                                      signed: dict[str, Path],
                                                      level: str) -> None:
    report = customer.validate(signed[level].read_bytes())
    assert report["valid"] is True
    [sig] = report["signatures"]
    assert sig["signer"] == "Nguyễn Văn An" and "CCCD:001190000000" in sig["subject"]
    assert sig["serial"] == f"{customer.credential.certificate.serial:x}"
    assert (sig["integrity"], sig["trusted"], sig["revocation"]) == ("intact", True, "good")
    assert sig["level"] == level and sig["entire_document"] is True
    assert (sig["timestamp"] is None) == (level == "B-B")
    assert sig["timestamp_trusted"] in ((None,) if level == "B-B" else (True,))
    assert len(report["document_timestamps"]) == (1 if level == "B-LTA" else 0)


def _offline(world: World, data: bytes, dss: bool) -> bool:
    """pyHanko's verdict with fetching off: revocation data only from the file's DSS."""
    root = x509.Certificate.load(world.container.pki_publisher.ca_certificate("root"))
    reader = PdfFileReader(io.BytesIO(data))
    [embedded] = reader.embedded_regular_signatures
    settings = {"trust_roots": [root], "allow_fetching": False, "revocation_mode": "hard-fail",
                "moment": world.clock.now()}
    context = (DocumentSecurityStore.read_dss(reader).as_validation_context(settings) if dss
               else ValidationContext(crls=[], ocsps=[], **settings))
    status = asyncio.run(async_validate_pdf_signature(embedded, context, context))
    return bool(status.bottom_line)


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
def test_long_term_files_validate_offline_from_their_own_dss(world: World,
                                                             signed: dict[str, Path],
                                                             level: str) -> None:
    """pyHanko, with fetching off, finds every OCSP response and CRL it needs in the DSS."""
    assert _offline(world, signed[level].read_bytes(), dss=True)


def test_without_the_dss_the_offline_check_fails(world: World, signed: dict[str, Path]) -> None:
    """The oracle can say no: a B-T file carries no revocation data to validate offline."""
    assert not _offline(world, signed["B-T"].read_bytes(), dss=False)


@needs_tools
def test_a_tampered_pdf_is_reported_invalid(world: World, customer: Customer,
                                            signed: dict[str, Path]) -> None:
    bad = tampered(signed["B-LT"].read_bytes())
    report = customer.validate(bad)
    assert report["valid"] is False
    [sig] = report["signatures"]
    assert sig["integrity"] == "tampered" and sig["trusted"] is False
    path = world.files / "tampered.pdf"
    path.write_bytes(bad)
    [verdict] = pdfsig(world.nss_db(), path)
    assert verdict["Signature Validation"] != "Signature is Valid."


def test_a_second_signature_keeps_the_first_valid(customer: Customer) -> None:
    once = customer.sign(sample_pdf(), level="B-T")
    twice = customer.sign(once, level="B-LT", visible="true")
    report = customer.validate(twice)
    first, second = report["signatures"]
    assert report["valid"] is True and first["valid"] and second["valid"]
    assert first["entire_document"] is False  # a later revision added the second signature
    assert second["level"] == "B-LT" and second["entire_document"] is True


def test_an_unsigned_pdf_has_an_empty_report(customer: Customer) -> None:
    report = customer.validate(sample_pdf())
    assert report == {"valid": False, "sha256": report["sha256"], "signatures": [],
                      "document_timestamps": []}


def test_a_revoked_signer_is_reported_revoked(world: World) -> None:
    revoked = world.customer("Lê Thị Cúc")
    signed = revoked.sign(sample_pdf(), level="B-T")
    world.container.pki.revoke(revoked.credential.certificate.serial,
                               RevocationReason.KEY_COMPROMISE, actor="test")
    report = revoked.validate(signed)
    [sig] = report["signatures"]
    assert sig["revocation"] == "revoked" and sig["revoked_at"] is not None
    assert sig["trusted"] is False and report["valid"] is False
    assert sig["integrity"] == "intact"


def test_mangled_files_get_a_report_or_a_clear_400_never_a_500(world: World,
                                                               customer: Customer,
                                                               signed: dict[str, Path]) -> None:
    original = signed["B-LTA"].read_bytes()
    chance = random.Random(2026)
    answers = set()
    for _ in range(25):
        data = bytearray(original)
        for at in chance.sample(range(len(data)), 3):
            data[at] = chance.randrange(256)
        r = world.client.post("/api/v1/validate", content=bytes(data),
                              headers=customer.headers | {"Content-Type": "application/pdf"})
        assert r.status_code in (200, 400), r.text
        if r.status_code == 400:
            assert r.json()["error"] in ("damaged_pdf", "not_a_pdf")
        answers.add(r.status_code == 200 and r.json()["valid"])
    assert False in answers  # most mangled files are not valid any more


def test_the_server_never_parses_the_uploaded_pdf(world: World, customer: Customer,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading, stamping, B-LTA signing and validating an uploaded PDF work with pyHanko's
    reader broken in the server process: the sandbox's children do all the parsing (the
    server hashes, signs and splices bytes)."""
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the server parsed an untrusted PDF")

    monkeypatch.setattr(PdfFileReader, "__init__", refuse)
    signed = customer.sign(sample_pdf(pages=2), level="B-LTA", visible="true",
                           reason="Đồng ý")
    report = customer.validate(signed)
    with pytest.raises(AssertionError):  # the patch was in force
        PdfFileReader(io.BytesIO(signed))
    monkeypatch.undo()
    [signature] = report["signatures"]
    assert report["valid"] and signature["level"] == "B-LTA", report
    assert len(report["document_timestamps"]) == 1
