"""Images a customer uploads for eKYC: JPEG or PNG by their content (never by their name
or declared type), within a size limit, with their pixel size read from the header."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from kyso.onboarding.errors import ImageTooLarge, NotAnImage

__all__ = ["Image", "sniff"]

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


@dataclass(frozen=True)
class Image:
    media_type: str
    width: int
    height: int


def sniff(data: bytes, max_bytes: int) -> Image:
    if len(data) > max_bytes:
        raise ImageTooLarge(limit=max_bytes)
    if data.startswith(_PNG) and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return Image("image/png", width, height)
    if data.startswith(_JPEG):
        size = _jpeg_size(data)
        if size is not None:
            return Image("image/jpeg", *size)
    raise NotAnImage()


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Walk the markers to the first start-of-frame."""
    at = 2
    while at + 9 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:
            at += 1
            continue
        (length,) = struct.unpack(">H", data[at + 2:at + 4])
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return width, height
        at += 2 + length
    return None
