"""The visible signature stamp, in Vietnamese, drawn with the vendored Noto Sans subset.

    Ký bởi: NGUYỄN VĂN AN
    Thời gian: 22/11/2026 15:06:56 (GMT+7)
    Lý do: …            (when given)
    Nơi ký: …           (when given)

The stamp goes on the page and in the box the customer chose (``SignOptions.page/box``; the
API proposes a free spot, ``signing/pages.py``), or bottom-right of the last page for
documents from before that choice existed. With a signature image, the image fills the left
half of the box and the text lines the right half. The font is a subset of Noto
Sans (Latin + Vietnamese, SIL OFL 1.1, see ``fonts/OFL.txt``; regenerate it with
``scripts/vendor_noto_subset.py``); pyHanko embeds only the glyphs used.

On a page with ``/Rotate`` (90, 180, 270) the field's box is in user space (turned, see
``signing/pages.py``), so the appearance is laid out at the size the page *shows* and its
form XObject gets a ``/Matrix`` that turns it against the page's rotation: the stamp reads
upright where the customer dropped it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.layout import (
    AxisAlignment,
    BoxConstraints,
    Margins,
    SimpleBoxLayoutRule,
)
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign.fields import SigFieldSpec
from pyhanko.stamp import TextStamp, TextStampStyle

from kyso.signing.document import SignOptions

if TYPE_CHECKING:  # fontTools and HarfBuzz load only when a stamp is drawn (~0.5 s)
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory

__all__ = ["FONT", "VIETNAM", "TurnedStampStyle", "field_spec", "local_time", "page_rotation",
           "stamp_params", "stamp_style"]

FONT = Path(__file__).parent / "fonts" / "NotoSans-Vietnamese.ttf"
VIETNAM = timezone(timedelta(hours=7), "GMT+7")  # Asia/Ho_Chi_Minh keeps no daylight time
_WIDTH, _HEIGHT, _MARGIN = 250.0, 70.0, 24.0
_FONT_SIZE = 9
_QR_PAD = 3.0


def local_time(at: datetime) -> datetime:
    """The signing time as the stamp shows it (pyHanko formats the session's time)."""
    return at.astimezone(VIETNAM)


@cache
def _font() -> GlyphAccumulatorFactory:
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory

    return GlyphAccumulatorFactory(str(FONT), font_size=_FONT_SIZE)


@dataclass(frozen=True)
class TurnedStampStyle(TextStampStyle):
    """pyHanko's text stamp, laid out as the page shows it and turned by ``/Matrix``
    against the page's ``rotation`` (0, 90, 180, 270 degrees clockwise)."""

    rotation: int = 0
    verify_url: str | None = None  # drawn as a QR code at the stamp's right end
    image_share: float = 0.5  # of the room left of the QR code, for the signature image

    def create_stamp(self, writer: BasePdfFileWriter, box: BoxConstraints,
                     text_params: dict[str, str]) -> TextStamp:
        if self.rotation in (90, 270):  # the field's box is turned in user space
            box = BoxConstraints(width=box.height, height=box.width)
        style: TurnedStampStyle = self
        if self.verify_url and box.width_defined and box.height_defined:
            style = _qr_layout(self, box.width, box.height)
        return _TurnedStamp(writer=writer, style=style, box=box, text_params=text_params)


def qr_size(width: float, height: float) -> float:
    """The QR code's side in a stamp of this size (points)."""
    return max(min(height - 2 * _QR_PAD, width * 0.4), 0.0)


def _qr_layout(style: TurnedStampStyle, width: float, height: float) -> TurnedStampStyle:
    """Text (and image) laid out left of the QR code."""
    from dataclasses import replace

    room = width - qr_size(width, height) - 2 * _QR_PAD
    if style.background is None:
        return replace(style, inner_content_layout=SimpleBoxLayoutRule(
            AxisAlignment.ALIGN_MIN, AxisAlignment.ALIGN_MID,
            margins=Margins(4, int(width - room + 2), 4, 4)))
    image = int(room * style.image_share)
    return replace(
        style,
        background_layout=SimpleBoxLayoutRule(AxisAlignment.ALIGN_MID, AxisAlignment.ALIGN_MID,
                                              margins=Margins(4, int(width - image + 2), 4, 4)),
        inner_content_layout=SimpleBoxLayoutRule(
            AxisAlignment.ALIGN_MIN, AxisAlignment.ALIGN_MID,
            margins=Margins(image + 2, int(width - room + 2), 4, 4)))


def qr_commands(url: str, x: float, y: float, side: float) -> bytes:
    """PDF content drawing ``url`` as a QR code (error correction M, a 2-module quiet zone
    on white) in the square at ``(x, y)`` of ``side`` points."""
    import segno

    code = segno.make(url, error="m", micro=False, boost_error=False)
    matrix = code.matrix
    n = len(matrix)
    module = side / (n + 4)
    out = [b"q 1 g %.3f %.3f %.3f %.3f re f 0 g" % (x, y, side, side)]
    for r, row in enumerate(matrix):
        top = y + side - (r + 3) * module
        for c, dark in enumerate(row):
            if dark & 1:
                out.append(b"%.3f %.3f %.3f %.3f re" % (x + (c + 2) * module, top,
                                                       module, module))
    out.append(b"f Q")
    return b" ".join(out)


class _TurnedStamp(TextStamp):
    def _render_inner_content(self) -> list[bytes]:
        commands: list[bytes] = super()._render_inner_content()  # type: ignore[no-untyped-call]
        url = getattr(self.style, "verify_url", None)
        if url:
            w, h = self.box.width, self.box.height
            side = qr_size(w, h)
            commands.append(qr_commands(url, w - side - _QR_PAD, (h - side) / 2, side))
        return commands

    def as_form_xobject(self) -> generic.StreamObject:
        xobject = super().as_form_xobject()
        rotation = self.style.rotation
        if rotation:
            w, h = self.box.width, self.box.height
            turn = {90: (0, 1, -1, 0, h, 0), 180: (-1, 0, 0, -1, w, h),
                    270: (0, -1, 1, 0, 0, w)}[rotation]  # counter-clockwise, back in the box
            xobject[generic.pdf_name("/Matrix")] = generic.ArrayObject(
                generic.FloatObject(v) for v in turn)  # type: ignore[no-untyped-call]
        return xobject


def page_rotation(page: generic.DictionaryObject) -> int:
    """The page's ``/Rotate`` (inherited from the page tree), as 0, 90, 180 or 270, read
    the way PDFium reads it for the previews (a malformed value counts as 0)."""
    node: object = page
    for _ in range(32):  # a hostile /Parent chain may loop
        if not isinstance(node, generic.DictionaryObject):
            break
        value = node.get("/Rotate")
        if value is not None:
            try:  # PDFium's reading: whole quarter turns, truncated towards zero
                return int(int(value) / 90) % 4 * 90
            except (TypeError, ValueError, OverflowError):
                return 0
        parent = node.get("/Parent")
        node = (parent.get_object()  # type: ignore[no-untyped-call]  # pyHanko: untyped
                if isinstance(parent, generic.IndirectObject) else parent)
    return 0


def stamp_style(options: SignOptions, image: bytes | None = None,
                rotation: int = 0, verify_url: str | None = None) -> TextStampStyle:
    """The stamp's look on a page turned by ``rotation``; ``image`` is the signature
    image's PNG (checked on upload); ``verify_url`` the public verification page, drawn as
    a QR code at the right end and written as the last line."""
    lines = ["Ký bởi: %(signer)s", "Thời gian: %(ts)s"]
    if options.reason:
        lines.append("Lý do: %(reason)s")
    if options.location:
        lines.append("Nơi ký: %(location)s")
    if verify_url:
        lines.append("Kiểm tra: %(verify)s")
    style = TurnedStampStyle(
        rotation=rotation, verify_url=verify_url,
        stamp_text="\n".join(lines),
        text_box_style=TextBoxStyle(font=_font(), font_size=_FONT_SIZE),
        timestamp_format="%d/%m/%Y %H:%M:%S (GMT+7)",
        border_width=1,
        background=None,
    )
    if image is None or options.box is None:
        return style
    if verify_url:  # the QR layout places the image at create_stamp
        from PIL import Image
        from pyhanko.pdf_utils.images import PdfImage

        return replace(style, background=PdfImage(Image.open(io.BytesIO(image)).convert("RGB")),
                       background_opacity=1.0)
    x1, y1, x2, y2 = options.box
    return _with_image(style, image, y2 - y1 if rotation in (90, 270) else x2 - x1)


def _with_image(style: TextStampStyle, image: bytes, width: float) -> TextStampStyle:
    from PIL import Image
    from pyhanko.pdf_utils.images import PdfImage

    half = int(width / 2)
    return replace(
        style, background=PdfImage(Image.open(io.BytesIO(image)).convert("RGB")),
        background_opacity=1.0,
        background_layout=SimpleBoxLayoutRule(AxisAlignment.ALIGN_MID, AxisAlignment.ALIGN_MID,
                                              margins=Margins(4, half + 2, 4, 4)),
        inner_content_layout=SimpleBoxLayoutRule(AxisAlignment.ALIGN_MIN,
                                                 AxisAlignment.ALIGN_MID,
                                                 margins=Margins(half + 2, 4, 4, 4)))


def stamp_params(signer_name: str, options: SignOptions,
                 verify_url: str | None = None) -> dict[str, str]:
    """The values interpolated into the stamp (taken as data, never as a template)."""
    params = {"signer": signer_name.upper()}
    if verify_url:
        params["verify"] = verify_url.split("://", 1)[-1]
    if options.reason:
        params["reason"] = options.reason
    if options.location:
        params["location"] = options.location
    return params


def field_spec(name: str, options: SignOptions,
               last_page_box: tuple[float, float, float, float]) -> SigFieldSpec:
    """The signature field where the customer put it, or (documents from before the choice)
    in the bottom-right corner of the last page (shrunk on tiny pages)."""
    if options.page is not None and options.box is not None:
        return SigFieldSpec(name, on_page=options.page - 1,
                            box=tuple(round(v) for v in options.box))  # type: ignore[arg-type]
    x1, y1, x2, y2 = last_page_box
    width = min(_WIDTH, max(x2 - x1 - 2 * _MARGIN, 20.0))
    height = min(_HEIGHT, max(y2 - y1 - 2 * _MARGIN, 10.0))
    right, bottom = x2 - _MARGIN, y1 + _MARGIN
    box = (int(right - width), int(bottom), int(right), int(bottom + height))
    return SigFieldSpec(name, on_page=-1, box=box)
