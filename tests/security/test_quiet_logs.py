"""Bad input leaves one line in the log, never a traceback: forged and tampered PDFs posted
to /api/v1/validate."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from tests.integration.documents.conftest import Customer, World, open_world
from tests.integration.documents.pdfs import sample_pdf, tampered


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with ExitStack() as stack:
        yield open_world(tmp_path_factory.mktemp("quiet"), stack)


@pytest.fixture(scope="module")
def signed(world: World) -> bytes:
    return world.customer().sign(sample_pdf(), level="B-T")


def forged(signed: bytes) -> bytes:
    """The CMS inside /Contents replaced by hex noise of the same length."""
    match = re.search(rb"/Contents <([0-9a-fA-F]+)>", signed)
    assert match is not None
    start, end = match.span(1)
    return signed[:start] + b"3082" + b"ab" * ((end - start - 4) // 2) + signed[end:]


def truncated_cms(signed: bytes) -> bytes:
    """A CMS cut in the middle (its DER length runs past the end)."""
    match = re.search(rb"/Contents <([0-9a-fA-F]+)>", signed)
    assert match is not None
    start, end = match.span(1)
    body = signed[start:end].rstrip(b"0")
    half = body[: len(body) // 2]
    return signed[:start] + half + b"0" * (end - start - len(half)) + signed[end:]


def foreign_signer(_: bytes) -> bytes:
    """Signed by a self-made certificate that does not chain to kyso's root."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kẻ Mạo Danh")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .sign(key, hashes.SHA256()))
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())),
        cert_registry=SimpleCertificateStore())
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(sample_pdf())),
                           signers.PdfSignatureMetadata(field_name="Forged"), signer=signer)
    return out.getvalue()


def changed_after_signing(signed: bytes) -> bytes:
    """An incremental update that rewrites the page's text after the signature."""
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 18 Tf 72 720 Td (Hop dong gia) Tj ET")
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("damage", [tampered, forged, truncated_cms, foreign_signer,
                                    changed_after_signing])
def test_a_bad_signature_is_reported_and_logged_without_a_traceback(
        world: World, signed: bytes, damage: object, caplog: pytest.LogCaptureFixture) -> None:
    customer: Customer = world.customer(signatures=0)
    caplog.clear()
    data = damage(signed)  # type: ignore[operator]
    with caplog.at_level(logging.DEBUG):
        response = world.client.post("/api/v1/validate", content=data, headers=customer.headers
                                     | {"Content-Type": "application/pdf"})
    assert response.status_code in (200, 400), response.text
    assert response.status_code == 400 or response.json()["valid"] is False
    noisy = [r for r in caplog.records if r.levelno >= logging.INFO
             and (r.exc_info or "Traceback" in r.getMessage() or "\n" in r.getMessage())]
    assert noisy == [], [r.getMessage() for r in noisy]
    lines = [r.getMessage() for r in caplog.records  # besides the request's access line
             if r.name.startswith("kyso") and r.name != "kyso.access"]
    assert len(lines) == 1, lines  # the reason, once
    assert re.search(r"damaged_pdf|tampered|untrusted|unreadable|changed after", lines[0])
