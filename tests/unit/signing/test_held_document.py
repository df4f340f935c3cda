"""A signDoc document held in the server's memory: decoded and hashed once, and the byte
range continued from that hash (kyso.entrypoints.csc.documents._pdf, pades._byte_range)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from kyso.entrypoints.csc.documents import _pdf
from kyso.entrypoints.csc.errors import InvalidParameter
from kyso.signing import pades
from kyso.signing.document_errors import DocumentTooLarge
from kyso.signing.pades import Prepared, byte_range_digest

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40


def _prepared() -> tuple[Prepared, bytes]:
    tail = b"\n/Contents <" + b"0" * 40 + b"> /ByteRange [...]\n%%EOF\n"
    start = len(PDF) + tail.index(b"<")
    end = len(PDF) + tail.index(b">") + 1
    covered = PDF + tail[:start - len(PDF)] + tail[end - len(PDF):]
    return Prepared(tail, start, end), hashlib.sha256(covered).digest()


def test_a_small_document_is_decoded_into_memory_with_its_hash() -> None:
    data, hashed = _pdf(base64.b64encode(PDF).decode(), 1024 * 1024)
    assert data == PDF and isinstance(data, bytes)
    assert hashed.hexdigest() == hashlib.sha256(PDF).hexdigest()
    with pytest.raises(InvalidParameter):
        _pdf("not*base64", 1024 * 1024)
    with pytest.raises(DocumentTooLarge):
        _pdf(base64.b64encode(PDF).decode(), len(PDF) - 1)


def test_the_byte_range_continues_from_the_hash_of_bytes_and_reads_a_file_again(
        tmp_path: Path) -> None:
    prepared, expected = _prepared()
    assert byte_range_digest(PDF, prepared) == expected
    assert pades._byte_range(PDF, prepared, None, hashlib.sha256(PDF))[0] == expected
    other = hashlib.sha256(b"something else")  # bytes: the caller's state is taken as is
    assert pades._byte_range(PDF, prepared, None, other)[0] != expected
    path = tmp_path / "original.pdf"  # a file could change under the server: read again
    path.write_bytes(PDF)
    assert pades._byte_range(path, prepared, None, other)[0] == expected
