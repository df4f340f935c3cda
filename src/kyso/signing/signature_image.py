"""The signature image a customer draws or uploads for the visible stamp: checked and
re-encoded before it is kept.

Only PNG and JPEG, at most :data:`MAX_BYTES` and :data:`MAX_PIXELS` per side, read header
first (Pillow opens lazily, so a decompression bomb is refused by its size before decoding).
What is kept is a fresh PNG, flattened on white (the stamp has no transparency) and at most
:data:`KEPT_WIDTH` wide: nothing of the uploaded file but its pixels reaches the PDF.
"""

from __future__ import annotations

import io

from kyso.signing.document_errors import BadSignatureImage

__all__ = ["KEPT_WIDTH", "MAX_BYTES", "MAX_PIXELS", "clean_signature_image"]

MAX_BYTES = 512 * 1024
MAX_PIXELS = 2000
KEPT_WIDTH = 600
_FORMATS = ("PNG", "JPEG")


def clean_signature_image(data: bytes) -> bytes:
    """The image as a clean RGB PNG; :class:`BadSignatureImage` for anything else."""
    from PIL import Image, UnidentifiedImageError

    refuse = BadSignatureImage(max_kib=MAX_BYTES // 1024, max_px=MAX_PIXELS)
    if not data or len(data) > MAX_BYTES:
        raise refuse
    try:
        image = Image.open(io.BytesIO(data), formats=_FORMATS)
        if max(image.size) > MAX_PIXELS or min(image.size) < 8:
            raise refuse
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise refuse from None
    flat = Image.new("RGB", image.size, "white")
    rgba = image.convert("RGBA")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    if flat.width > KEPT_WIDTH:
        flat = flat.resize((KEPT_WIDTH, max(1, flat.height * KEPT_WIDTH // flat.width)))
    out = io.BytesIO()
    flat.save(out, "PNG")
    return out.getvalue()
