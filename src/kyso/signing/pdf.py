"""Reading an uploaded PDF safely: refuse what is not a PDF, what is encrypted, what is broken.

Parsing is pyHanko's (with its decode limits against compression bombs); every failure of a
hostile or damaged file becomes one of three clear errors, never a crash. A file can also make
pyHanko loop for ever (a page tree that is its own parent) or eat all memory, which no error
handling stops: untrusted files are therefore read through a :class:`~kyso.signing.sandbox.
PdfSandbox`, which runs :func:`inspect_pdf` and :func:`survey_pdf` (before validating) in a
process it can kill.
"""

from __future__ import annotations

import contextlib
import io
import struct
import zlib
from dataclasses import dataclass
from typing import BinaryIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.rw_common import find_inherited_value_in_tree

from kyso.signing.document_errors import DamagedPdf, EncryptedPdf, NotAPdf

__all__ = ["PARSE_ERRORS", "PdfInfo", "describe_pdf", "inspect_pdf", "read_pdf",
           "read_pdf_stream", "survey_pdf"]

# what pyHanko and asn1crypto raise on hostile input, besides PdfError
PARSE_ERRORS = (PdfError, ValueError, TypeError, KeyError, IndexError, AttributeError,
                OverflowError, RecursionError, AssertionError, EOFError, UnicodeError,
                zlib.error, struct.error, NotImplementedError)  # unsupported filters
_HEADER_WINDOW = 1024  # the header may follow some junk (ISO 32000-2 §7.5.2 tolerance)


@dataclass(frozen=True)
class PdfInfo:
    pages: int
    last_page_box: tuple[float, float, float, float]  # MediaBox: x1, y1, x2, y2
    signatures: int  # signatures (and document time stamps) already in the file


def read_pdf(data: bytes) -> PdfFileReader:
    """A reader on ``data``; NotAPdf, EncryptedPdf or DamagedPdf otherwise."""
    return read_pdf_stream(io.BytesIO(data))


def read_pdf_stream(stream: BinaryIO) -> PdfFileReader:
    """:func:`read_pdf` on an open file (read where pyHanko seeks, not loaded whole)."""
    stream.seek(0)
    if b"%PDF-" not in stream.read(_HEADER_WINDOW):
        raise NotAPdf()
    stream.seek(0)
    try:
        reader = PdfFileReader(stream, strict=False)
        encrypted = reader.encrypted
    except PARSE_ERRORS as exc:
        raise DamagedPdf(type(exc).__name__) from None
    if encrypted:
        raise EncryptedPdf()
    return reader


def inspect_pdf(data: bytes) -> PdfInfo:
    """Check that the PDF can be signed: it opens, has pages, and its last page has a size."""
    return describe_pdf(read_pdf(data))


def describe_pdf(reader: PdfFileReader) -> PdfInfo:
    """:func:`inspect_pdf` on a file already opened with :func:`read_pdf`."""
    try:
        pages = int(reader.root["/Pages"]["/Count"])
        page_ref, _ = reader.find_page_for_modification(-1)  # type: ignore[no-untyped-call]
        box = find_inherited_value_in_tree(  # type: ignore[no-untyped-call]  # pyHanko: untyped
            page_ref.get_object(), "/MediaBox", "/Parent")
        corners = tuple(float(v) for v in box)
        signatures = len(reader.embedded_signatures)
    except PARSE_ERRORS as exc:
        raise DamagedPdf(type(exc).__name__) from None
    if pages < 1 or len(corners) != 4 or not isinstance(box, generic.ArrayObject):
        raise DamagedPdf("no page with a size")
    x1, y1, x2, y2 = corners
    return PdfInfo(pages, (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)), signatures)


def survey_pdf(data: bytes) -> int:
    """Walk what validating ``data`` will walk (signature fields, the DSS, each signature's
    byte ranges and the changes made after it); the number of signatures. A signature that
    cannot be analysed is left for the validator to report as unreadable."""
    reader = read_pdf(data)
    try:
        signatures = list(reader.embedded_signatures)
        _ = "/DSS" in reader.root and reader.root["/DSS"]
    except PARSE_ERRORS as exc:
        raise DamagedPdf(type(exc).__name__) from None
    try:  # the page tree, where pyHanko can loop for ever; its damage is not our concern here
        page_ref, _ = reader.find_page_for_modification(-1)  # type: ignore[no-untyped-call]
        find_inherited_value_in_tree(  # type: ignore[no-untyped-call]
            page_ref.get_object(), "/MediaBox", "/Parent")
    except PARSE_ERRORS:
        pass
    for signature in signatures:
        with contextlib.suppress(Exception):  # the validator reports it, for this signature
            signature.compute_integrity_info()
    return len(signatures)
