"""The streaming document path: a large PDF is received into a file, stored chunk by chunk,
read by the sandbox from its path, signed as the original plus a tail, and downloaded in
chunks — and the result is a valid signature for pdfsig and pyHanko.

The memory bound itself (peak RSS ≤ 3 × the file) is measured by bench/memory.py, not here.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import func, select

from kyso.adapters.blobs import DatabaseBlobStore
from kyso.adapters.db.tables.blobs import blob_chunks
from kyso.keys.model import HashAlgorithm
from kyso.signing.document import Level, SignOptions
from tests.integration.documents.conftest import Customer, World, open_world
from tests.integration.documents.oracles import needs_tools, pdfsig

MIB = 1024 * 1024
LIMIT = 48 * MIB


def big_pdf(size: int) -> bytes:
    """A one-page PDF of about ``size`` bytes: an incompressible stream beside the page."""
    writer = PdfFileWriter()
    name = generic.pdf_name
    content = writer.add_object(generic.StreamObject(stream_data=b"BT ET"))
    filler = writer.add_object(generic.StreamObject(stream_data=os.urandom(size)))
    writer.insert_page(generic.DictionaryObject({
        name("/Type"): name("/Page"), name("/Contents"): content,
        name("/KysoFiller"): filler,
        name("/MediaBox"): generic.ArrayObject([generic.NumberObject(n)
                                                for n in (0, 0, 595, 842)])}))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with ExitStack() as stack:
        yield open_world(tmp_path_factory.mktemp("streaming"), stack,
                         document_max_bytes=LIMIT, sandbox_cpu_seconds=30,
                         sandbox_wall_seconds=60)


@pytest.fixture(scope="module")
def customer(world: World) -> Customer:
    return world.customer()


@pytest.fixture(scope="module")
def large() -> bytes:
    return big_pdf(40 * MIB + 12345)


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary directory every spooled file goes to, to see that none is left."""
    place = tmp_path / "spool"
    place.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(place))
    return place


def intact(signed: bytes) -> bool:
    [signature] = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    # the digest's check alone: no trust list is needed (pyHanko's default, the system's, is
    # deprecated)
    return bool(validate_pdf_signature(signature, ValidationContext(trust_roots=[])).intact)


@needs_tools
def test_a_40_mb_pdf_signs_by_upload_and_validates(world: World, customer: Customer,
                                                   large: bytes, scratch: Path) -> None:
    uploaded = customer.upload(large, level="B-T", visible="true")
    assert uploaded.status_code == 201, uploaded.text
    body = uploaded.json()
    assert body["size"] == len(large)
    assert body["sha256"] == hashlib.sha256(large).hexdigest()
    assert customer.confirm(body["transaction"]).status_code == 200
    got = customer.get(f"/documents/{body['id']}/download")
    assert got.status_code == 200
    signed = got.content
    assert int(got.headers["content-length"]) == len(signed)
    assert signed[:len(large)] == large  # the original, then only what the signature added
    assert len(signed) - len(large) < 256 * 1024
    document = customer.get(f"/documents/{body['id']}").json()
    assert document["signed_sha256"] == hashlib.sha256(signed).hexdigest()
    assert document["signed_size"] == len(signed)
    assert intact(signed)
    path = world.files / "large-signed.pdf"
    path.write_bytes(signed)
    [verdict] = pdfsig(world.nss_db(), path)
    assert verdict["Signature Validation"] == "Signature is Valid."
    assert customer.validate(signed)["valid"] is True
    left = list(scratch.iterdir())  # every spooled file removed; a live sandbox child's own
    assert all(p.name.startswith("kyso-sandbox-") and not any(p.iterdir()) for p in left)
    # folder stays (empty) until the child ends
    if isinstance(world.container.blobs, DatabaseBlobStore):  # stored in 1 MiB chunks
        with world.container.engine.connect() as conn:
            count = conn.execute(select(func.count()).select_from(blob_chunks).where(
                blob_chunks.c.sha256 == body["sha256"])).scalar()
        assert count == -(-len(large) // MIB)


def test_a_multipart_upload_is_stored_as_sent(customer: Customer, scratch: Path) -> None:
    pdf = big_pdf(3 * MIB + 7)
    r = customer.world.client.post("/api/v1/documents/drafts", headers=customer.headers,
                                   files={"file": ("hợp đồng.pdf", pdf, "application/pdf")})
    assert r.status_code == 201, r.text
    assert r.json()["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert r.json()["file_name"] == "hợp đồng.pdf"
    layout = customer.get(f"/documents/{r.json()['id']}/layout")
    assert layout.status_code == 200 and layout.json()["pages"][0]["width"] == 595
    assert list(scratch.iterdir()) == []


def test_an_upload_over_the_limit_is_refused_while_it_arrives(customer: Customer,
                                                              scratch: Path) -> None:
    r = customer.upload(b"%PDF-1.7\n" + b"0" * LIMIT)
    assert r.status_code == 413
    assert list(scratch.iterdir()) == []


def test_csc_sign_doc_streams_its_answer(world: World, customer: Customer,
                                         scratch: Path) -> None:
    pdf = big_pdf(5 * MIB + 1)  # not a multiple of 3: Base64 carried across chunks
    assert customer.device is not None
    world.clock.advance(30)
    sad = world.container.signing.authorize(
        customer.account_id, customer.credential.id, [hashlib.sha256(pdf).digest()],
        HashAlgorithm.SHA256, customer.device.code()).sad
    r = world.client.post("/csc/v2/signatures/signDoc", headers=customer.headers, json={
        "credentialID": customer.credential.id, "SAD": sad, "documents": [{
            "document": base64.b64encode(pdf).decode(), "signature_format": "P",
            "signAlgo": "1.2.840.113549.1.1.11", "conformance_level": "Ades-B-B"}]})
    assert r.status_code == 200, r.text
    [encoded] = r.json()["DocumentWithSignature"]
    signed = base64.b64decode(encoded, validate=True)
    assert signed[:len(pdf)] == pdf and intact(signed)
    assert list(scratch.iterdir()) == []


def test_csc_sign_doc_refuses_bad_base64_and_leaves_no_file(world: World, customer: Customer,
                                                            scratch: Path) -> None:
    good = base64.b64encode(big_pdf(2 * MIB)).decode()
    broken = good[:MIB + 8] + "!" + good[MIB + 9:]  # in the second decoded piece
    r = world.client.post("/csc/v2/signatures/signDoc", headers=customer.headers, json={
        "credentialID": customer.credential.id, "SAD": "x" * 40, "documents": [{
            "document": broken, "signature_format": "P",
            "signAlgo": "1.2.840.113549.1.1.11"}]})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    assert list(scratch.iterdir()) == []


def test_the_document_signer_signs_a_file_in_place(world: World, customer: Customer,
                                                   tmp_path: Path) -> None:
    pdf = big_pdf(2 * MIB)
    path = tmp_path / "in.pdf"
    path.write_bytes(pdf)
    assert customer.device is not None
    world.clock.advance(30)
    sad = world.container.signing.authorize(
        customer.account_id, customer.credential.id, [hashlib.sha256(pdf).digest()],
        HashAlgorithm.SHA256, customer.device.code()).sad
    signed = world.container.document_signer.sign_pdf_file(
        customer.account_id, customer.credential.id, sad, path, SignOptions(Level.B_LT))
    assert signed.original == path and signed.size == len(pdf) + len(signed.tail)
    whole = signed.whole()
    assert whole[:len(pdf)] == pdf and intact(whole)
    assert customer.validate(whole)["signatures"][0]["level"] == "B-LT"
