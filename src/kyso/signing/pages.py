"""Page previews of an uploaded PDF, and the place a stamp may go, rendered by PDFium.

An uploaded PDF is hostile until proven otherwise, so PDFium (pypdfium2) never runs in the
API process: :func:`layout_pdf` and :func:`render_page` are pure functions that the
:class:`~kyso.signing.sandbox.PdfSandbox` runs in its limited child processes (its
``layout`` and ``render``). PDFium's refusals are :class:`~kyso.signing.document_errors.
DamagedPdf`; a crash or a limit hit is the sandbox's :class:`~kyso.signing.document_errors.
InvalidDocument`, never a 500.

Two questions are asked of a PDF:

* :func:`layout_pdf`: every page's visible box (the CropBox, PDF points) *as it is shown*
  (``/Rotate`` applied: a page turned by 90 or 270 degrees is as wide as its CropBox is
  tall), and where a stamp of the default size fits on the last page without covering text
  (PDFium's text boxes, turned the same way): bottom-right of the page as shown first, then
  leftwards and upwards. When nothing is free the stamp goes bottom-right and
  ``covers_text`` says so.

Boxes the customer sees and the API speaks are *shown* boxes: from the lower-left corner of
the page as shown. :meth:`PageBox.to_user` turns one into the PDF's user space, where the
signature field's ``/Rect`` lives (the stamp's appearance is turned back by
``signing/stamp.py`` so that it reads upright).
* :func:`render_page`: page N as a PNG at most :data:`MAX_WIDTH` pixels wide (and at most
  :data:`MAX_PNG_BYTES`).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from kyso.signing.document_errors import DamagedPdf

__all__ = ["MAX_PNG_BYTES", "MAX_WIDTH", "Layout", "PageBox", "free_spot", "layout_pdf",
           "render_page"]

MAX_WIDTH = 800  # pixels: a phone at 2x shows it sharp enough
MAX_PNG_BYTES = 2 * 1024 * 1024
STAMP_SIZE = (250.0, 70.0)  # points, the default stamp (shrunk on tiny pages)
MARGIN, STEP = 24.0, 12.0
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class PageBox:
    width: float  # as shown: /Rotate applied
    height: float
    origin: tuple[float, float]  # the CropBox's lower-left corner, in user space
    rotation: int  # /Rotate: 0, 90, 180 or 270 degrees clockwise

    def to_user(self, box: Box) -> Box:
        """A box on the page as shown (from its lower-left corner) in user space."""
        x1, y1, x2, y2 = box
        w, h = (self.height, self.width) if self.rotation in (90, 270) else (self.width,
                                                                              self.height)
        corners = {0: ((x1, y1), (x2, y2)), 90: ((w - y1, x1), (w - y2, x2)),
                   180: ((w - x1, h - y1), (w - x2, h - y2)),
                   270: ((y1, h - x1), (y2, h - x2))}[self.rotation]
        return _absolute(corners, self.origin)

    def shown(self, rect: Box) -> Box:
        """A box in user space (PDFium's text boxes) on the page as shown."""
        ox, oy = self.origin
        u1, v1, u2, v2 = rect[0] - ox, rect[1] - oy, rect[2] - ox, rect[3] - oy
        w, h = (self.height, self.width) if self.rotation in (90, 270) else (self.width,
                                                                              self.height)
        corners = {0: ((u1, v1), (u2, v2)), 90: ((v1, w - u1), (v2, w - u2)),
                   180: ((w - u1, h - v1), (w - u2, h - v2)),
                   270: ((h - v1, u1), (h - v2, u2))}[self.rotation]
        return _absolute(corners, (0.0, 0.0))


def _absolute(corners: tuple[tuple[float, float], tuple[float, float]],
              origin: tuple[float, float]) -> Box:
    (a, b), (c, d) = corners
    return (min(a, c) + origin[0], min(b, d) + origin[1], max(a, c) + origin[0],
            max(b, d) + origin[1])


@dataclass(frozen=True)
class Layout:
    pages: list[PageBox]
    page: int  # 1-based: where the stamp goes by default (the last page)
    box: Box  # relative to that page's lower-left corner
    covers_text: bool


def free_spot(width: float, height: float, texts: Sequence[Box]) -> tuple[Box, bool]:
    """Where a default stamp fits on a ``width`` × ``height`` page without touching
    ``texts`` (boxes relative to the page's lower-left corner); (box, covers_text)."""
    w = min(STAMP_SIZE[0], max(width - 2 * MARGIN, 20.0))
    h = min(STAMP_SIZE[1], max(height - 2 * MARGIN, 10.0))
    for box in _candidates(width, height, w, h):
        if not any(_overlap(box, t) for t in texts):
            return box, False
    right, bottom = width - MARGIN, MARGIN
    return (right - w, bottom, right, bottom + h), True


def _candidates(width: float, height: float, w: float, h: float) -> Iterator[Box]:
    y = MARGIN
    while y + h <= height - MARGIN + 0.01:
        x = width - MARGIN - w
        while x >= MARGIN - 0.01:
            yield (x, y, x + w, y + h)
            x -= STEP * 4
        y += STEP


def _overlap(a: Box, b: Box, pad: float = 2.0) -> bool:
    return not (a[2] <= b[0] - pad or b[2] + pad <= a[0] or a[3] <= b[1] - pad
                or b[3] + pad <= a[1])


def layout_pdf(data: bytes) -> Layout:
    """Every page's box and the default stamp's free spot (see the module's docstring)."""
    with _opened(data) as doc:
        pages = [_page_box(doc[index]) for index in range(len(doc))]
        if not pages:
            raise DamagedPdf("no pages")
        last = pages[-1]
        text = doc[len(doc) - 1].get_textpage()
        rects = [text.get_rect(i) for i in range(text.count_rects())]
    texts = [last.shown(r) for r in rects]
    box, covers = free_spot(last.width, last.height, texts)
    return Layout(pages, len(pages), _rounded(box), covers)


def render_page(data: bytes, number: int) -> bytes:
    """Page ``number`` (1-based) as a PNG of at most :data:`MAX_WIDTH` pixels and
    :data:`MAX_PNG_BYTES`."""
    with _opened(data) as doc:
        if not 1 <= number <= len(doc):
            raise DamagedPdf("no such page")
        doc.init_forms()  # form fields, signature stamps among them, are drawn too
        page = doc[number - 1]
        width = page.get_width()
        for pixels in (MAX_WIDTH, MAX_WIDTH * 3 // 4, MAX_WIDTH // 2):
            image = page.render(scale=min((pixels - 1) / max(width, 1.0), 4.0),
                                may_draw_forms=True).to_pil()
            out = io.BytesIO()
            image.convert("RGB").save(out, "PNG", optimize=False, compress_level=6)
            if out.tell() <= MAX_PNG_BYTES:
                return out.getvalue()
    raise DamagedPdf("the page is too complex to preview")


@contextmanager
def _opened(data: bytes) -> Iterator[Any]:
    """The file opened by PDFium; PDFium's refusals become :class:`DamagedPdf`."""
    import pypdfium2

    try:
        doc = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise DamagedPdf(str(exc)[:120]) from None
    try:
        yield doc
    except pypdfium2.PdfiumError as exc:
        raise DamagedPdf(str(exc)[:120]) from None
    finally:
        doc.close()


def _page_box(page: Any) -> PageBox:
    x1, y1, x2, y2 = page.get_cropbox()
    rotation = page.get_rotation() % 360
    width, height = (y2 - y1, x2 - x1) if rotation in (90, 270) else (x2 - x1, y2 - y1)
    return PageBox(width, height, (x1, y1), rotation)


def _rounded(box: Box) -> Box:
    return (round(box[0], 1), round(box[1], 1), round(box[2], 1), round(box[3], 1))
