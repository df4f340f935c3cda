"""The small parts, without a server: the PDF gate, the blob store, file names, options, and
the fetchers' rule that only kyso's own URLs are ever answered."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from kyso.adapters.blobs import FileBlobStore
from kyso.signing.document import Level, SignOptions, clean_file_name
from kyso.signing.document_errors import DamagedPdf, EncryptedPdf, NotAPdf
from kyso.signing.pdf import inspect_pdf
from kyso.signing.revinfo import _Router
from tests.integration.documents.pdfs import sample_pdf


def test_inspect_reads_pages_and_the_last_page_box() -> None:
    info = inspect_pdf(sample_pdf(pages=3, box=(0, 0, 300, 400)))
    assert (info.pages, info.last_page_box, info.signatures) == (3, (0.0, 0.0, 300.0, 400.0), 0)


@pytest.mark.parametrize(("data", "error"), [
    (b"", NotAPdf),
    (b"PK\x03\x04 a zip file", NotAPdf),
    (sample_pdf(password="mật khẩu"), EncryptedPdf),
    (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF", DamagedPdf),
    (b"%PDF-1.7\n" + b"(" * 100_000, DamagedPdf),
])
def test_the_gate_refuses_with_the_right_error(data: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        inspect_pdf(data)


def test_blobs_are_named_by_their_hash_and_checked_on_read(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path / "blobs")
    data = b"%PDF-1.7 sample"
    digest = store.put(data)
    assert digest == hashlib.sha256(data).hexdigest() and store.put(data) == digest
    assert store.get(digest) == data
    path = tmp_path / "blobs" / digest[:2] / digest
    path.write_bytes(b"%PDF-1.7 damaged")  # bit rot, or a hand edit
    with pytest.raises(KeyError):
        store.get(digest)
    for bad in ("0" * 64, "../../etc/passwd", "A" * 64):
        with pytest.raises(KeyError):
            store.get(bad)
    assert not list((tmp_path / "blobs").rglob(".incoming-*"))


@pytest.mark.parametrize(("given", "expected"), [
    ("Hợp đồng.pdf", "Hợp đồng.pdf"),
    ("C:\\Users\\an\\bao cao.pdf", "bao cao.pdf"),
    ("../../../etc/passwd", "passwd"),
    ("\x00\x1b[31mred.pdf", "[31mred.pdf"),
    ("...", "document.pdf"),
    (None, "document.pdf"),
])
def test_file_names_lose_paths_and_control_characters(given: str | None, expected: str) -> None:
    assert clean_file_name(given, "document.pdf") == expected


def test_options_are_checked_when_built() -> None:
    assert SignOptions(Level.B_LT, True, "Hợp đồng số 12/2026", "Hà Nội").level.long_term
    for reason in ("", " ", "x" * 101, "line\nbreak"):
        with pytest.raises(ValueError, match="reason and location"):
            SignOptions(reason=reason)


@pytest.mark.parametrize(("url", "route"), [
    ("https://ca.example.vn/pki/ocsp", ("ocsp", "")),
    ("https://CA.example.vn/pki/crl/kyso-ca.crl", ("crl", "kyso-ca")),
    ("https://ca.example.vn/pki/ca/root.cer", ("ca", "root")),
    ("https://ca.example.vn/pki/ca/../secret.cer", None),
    ("https://evil.example/pki/ocsp", None),
    ("http://ca.example.vn/pki/ocsp", None),  # another scheme is another origin
    ("https://ca.example.vn/pki/ocsp?x=1", None),
    ("https://ca.example.vn/other/pki/ocsp", None),
    ("file:///etc/passwd", None),
])
def test_fetchers_answer_only_kysos_own_urls(url: str, route: tuple[str, str] | None) -> None:
    assert _Router("https://ca.example.vn").route(url) == route
