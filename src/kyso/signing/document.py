"""A document a customer uploaded to sign, and how to sign it.

A document moves one way only (a ``draft`` is uploaded to be previewed and placed first; it
has no transaction until the customer asks to sign it)::

    draft ──▶ pending ──(transaction confirmed, signing starts)──▶ signing ──▶ signed
       └──────────────────────────────────────────────────────┴──▶ failed

``signing`` is taken in the same unit of work that grants the signature activation data, so
one confirmation signs at most once. The original and the signed output are blobs named by
their SHA-256.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kyso.errors import Text

__all__ = [
    "STAMP_SIZE_RULE",
    "Document",
    "DocumentFormat",
    "DocumentStatus",
    "Level",
    "SignOptions",
    "clean_file_name",
    "stamp_size_ok",
]

_SHA256 = re.compile(r"[0-9a-f]{64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
MAX_TEXT = 100  # reason and location, as shown in the stamp


class DocumentFormat(StrEnum):
    PADES = "pades"  # a PDF signed inside itself
    CADES = "cades"  # any file, signed by a detached CMS (.p7s)
    XADES = "xades"  # an XML document, signed by an enveloped XAdES signature


class Level(StrEnum):
    """The baseline signature levels (ETSI EN 319 142-1 for PAdES, 319 122-1 for CAdES)."""

    B_B = "B-B"
    B_T = "B-T"  # a signature time stamp from kyso's TSA
    B_LT = "B-LT"  # + the chain's OCSP responses and CRLs in the document security store
    B_LTA = "B-LTA"  # + a document time stamp over all of it

    @property
    def timestamped(self) -> bool:
        return self is not Level.B_B

    @property
    def long_term(self) -> bool:
        return self in (Level.B_LT, Level.B_LTA)


class DocumentStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    SIGNING = "signing"
    SIGNED = "signed"
    FAILED = "failed"


Box = tuple[float, float, float, float]
MIN_STAMP, MAX_STAMP = (60.0, 24.0), (420.0, 200.0)  # points, width × height


@dataclass(frozen=True)
class SignOptions:
    """How to sign: the level, and a visible stamp with an optional reason and location,
    on ``page`` (1-based) in ``box`` (PDF user space: x1, y1, x2, y2), with an optional
    signature image (the SHA-256 of its PNG in the blob store)."""

    level: Level = Level.B_B
    visible: bool = False
    reason: str | None = None
    location: str | None = None
    page: int | None = None
    box: Box | None = None
    image: str | None = None

    def __post_init__(self) -> None:
        for text in (self.reason, self.location):
            if text is not None and (not text.strip() or len(text) > MAX_TEXT
                                     or _CONTROL.search(text)):
                raise ValueError(Text(
                    f"lý do và địa điểm ký dài từ 1 đến {MAX_TEXT} ký tự in được",
                    f"reason and location are 1..{MAX_TEXT} printable characters"))
        if (self.page is None) != (self.box is None):
            raise ValueError(Text("trang và vị trí của chữ ký phải đi cùng nhau",
                                  "a stamp's page and box are given together"))
        if self.box is not None:
            self._check_box(self.box)
        if self.image is not None and not _SHA256.fullmatch(self.image):
            raise ValueError(Text("ảnh chữ ký không hợp lệ",
                                  "the signature image is named by its SHA-256"))
        if not self.visible and (self.box is not None or self.image is not None):
            raise ValueError(Text("vị trí và ảnh chữ ký chỉ dùng cho chữ ký hiển thị",
                                  "a place and an image are for a visible stamp"))

    def _check_box(self, box: Box) -> None:
        if self.page is None or self.page < 1:
            raise ValueError(Text("số trang bắt đầu từ 1", "pages are numbered from 1"))
        x1, y1, x2, y2 = box
        # in user space, a stamp on a page turned by 90 or 270 degrees is turned too
        if not (stamp_size_ok(box) or stamp_size_ok((y1, x1, y2, x2))):
            raise ValueError(STAMP_SIZE_RULE)


STAMP_SIZE_RULE = Text(f"chữ ký rộng {MIN_STAMP[0]:g}–{MAX_STAMP[0]:g} điểm và cao "
                       f"{MIN_STAMP[1]:g}–{MAX_STAMP[1]:g} điểm",
                       f"a stamp is {MIN_STAMP[0]:g}..{MAX_STAMP[0]:g} points wide and "
                       f"{MIN_STAMP[1]:g}..{MAX_STAMP[1]:g} high")


def stamp_size_ok(box: Box) -> bool:
    """Whether a stamp of ``box``'s size (as the page is shown) is allowed."""
    width, height = box[2] - box[0], box[3] - box[1]
    return MIN_STAMP[0] <= width <= MAX_STAMP[0] and MIN_STAMP[1] <= height <= MAX_STAMP[1]


def clean_file_name(name: str | None, default: str) -> str:
    """A file name to show and to offer back: no path, no control characters, ≤ 120 chars."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _CONTROL.sub("", base).strip().strip(".")
    return base[-120:] if base else default


@dataclass(frozen=True)
class Document:
    id: str
    account_id: str
    credential_id: str
    format: DocumentFormat
    file_name: str
    size: int
    sha256: str  # of the original
    options: SignOptions
    created_at: datetime
    status: DocumentStatus = DocumentStatus.PENDING
    transaction_id: str | None = None
    signed_sha256: str | None = None
    signed_size: int | None = None
    signed_at: datetime | None = None
    error: str | None = None  # the error code when signing failed

    def __post_init__(self) -> None:
        if not _SHA256.fullmatch(self.sha256) or self.size < 0:
            raise ValueError("a document has a SHA-256 (lower-case hex) and a size")
        if (self.status is DocumentStatus.DRAFT) and self.transaction_id is not None:
            raise ValueError("a draft has no transaction yet")
        signed = self.status is DocumentStatus.SIGNED
        if signed != (self.signed_sha256 is not None and self.signed_at is not None):
            raise ValueError("a signed document, and only one, has its output")
        if self.format is not DocumentFormat.PADES and self.options.visible:
            raise ValueError("only a PDF carries a visible stamp")

    @property
    def output_name(self) -> str:
        if self.format is DocumentFormat.CADES:
            return f"{self.file_name}.p7s"
        suffix = ".xml" if self.format is DocumentFormat.XADES else ".pdf"
        name = self.file_name
        stem = name[:-4] if name.lower().endswith(suffix) else name
        return f"{stem}-signed{suffix}"

    @property
    def output_media_type(self) -> str:
        return {DocumentFormat.CADES: "application/pkcs7-signature",
                DocumentFormat.XADES: "application/xml"}.get(self.format, "application/pdf")
