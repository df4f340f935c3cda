"""Page previews of an uploaded PDF, and the place a stamp may go, rendered by PDFium.

An uploaded PDF is hostile until proven otherwise, so PDFium (pypdfium2) never runs in the
API process: :class:`PageRenderer` starts ``python -m kyso.signing.pages`` with the file on
stdin, under address-space and CPU limits and a wall-clock timeout, and reads one answer on
stdout. A crash, a limit hit or garbage becomes :class:`~kyso.signing.document_errors.
DamagedPdf`, never a 500.

Two questions are asked of a PDF:

* ``layout``: every page's visible box (the CropBox, PDF points) and rotation, and where a
  stamp of the default size fits on the last page without covering text (PDFium's text
  boxes): bottom-right first, then leftwards and upwards. When nothing is free the stamp
  goes bottom-right and ``covers_text`` says so.
* ``render N``: page N as a PNG at most :data:`MAX_WIDTH` pixels wide (and at most
  :data:`MAX_PNG_BYTES`).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from kyso.signing.document_errors import DamagedPdf

__all__ = ["MAX_PNG_BYTES", "MAX_WIDTH", "Layout", "PageBox", "PageRenderer", "free_spot"]

MAX_WIDTH = 800  # pixels: a phone at 2x shows it sharp enough
MAX_PNG_BYTES = 2 * 1024 * 1024
STAMP_SIZE = (250.0, 70.0)  # points, the default stamp (shrunk on tiny pages)
MARGIN, STEP = 24.0, 12.0
_LIMIT_AS = 768 * 1024 * 1024
_LIMIT_CPU = 15  # seconds
_TIMEOUT = 30.0
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class PageBox:
    width: float
    height: float
    origin: tuple[float, float]  # the CropBox's lower-left corner, in user space
    rotation: int


@dataclass(frozen=True)
class Layout:
    pages: list[PageBox]
    page: int  # 1-based: where the stamp goes by default (the last page)
    box: Box  # relative to that page's lower-left corner
    covers_text: bool


class PageRenderer:
    """Asks a limited child process about a PDF (see the module's docstring)."""

    def layout(self, pdf: bytes) -> Layout:
        answer = json.loads(self._ask(pdf, ["layout"]))
        pages = [PageBox(p["width"], p["height"], tuple(p["origin"]), p["rotation"])
                 for p in answer["pages"]]
        return Layout(pages, answer["page"], tuple(answer["box"]), answer["covers_text"])

    def render(self, pdf: bytes, page: int) -> bytes:
        return self._ask(pdf, ["render", str(page)])

    def _ask(self, pdf: bytes, args: list[str]) -> bytes:
        try:
            done = subprocess.run(  # noqa: S603 - our own module, no shell
                [sys.executable, "-m", "kyso.signing.pages", *args], input=pdf,
                capture_output=True, timeout=_TIMEOUT, preexec_fn=_limits, check=False,
                env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": _package_root()})
        except subprocess.TimeoutExpired:
            raise DamagedPdf("rendering timed out") from None
        if done.returncode == 2:
            raise DamagedPdf(done.stderr.decode(errors="replace")[-120:].strip() or "page")
        if done.returncode != 0 or not done.stdout:
            raise DamagedPdf(f"renderer exited {done.returncode}")
        return done.stdout


def _package_root() -> str:
    import kyso

    return os.path.dirname(os.path.dirname(os.path.abspath(kyso.__file__)))


def _limits() -> None:  # in the child, before exec
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (_LIMIT_AS, _LIMIT_AS))
    resource.setrlimit(resource.RLIMIT_CPU, (_LIMIT_CPU, _LIMIT_CPU))


# -- what the child runs ------------------------------------------------------------------
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


def _child_layout(doc: Any) -> dict[str, Any]:
    pages: list[dict[str, Any]] = []
    for index in range(len(doc)):
        x1, y1, x2, y2 = doc[index].get_cropbox()
        pages.append({"width": x2 - x1, "height": y2 - y1, "origin": [x1, y1],
                      "rotation": doc[index].get_rotation()})
    text = doc[len(doc) - 1].get_textpage()
    ox, oy = pages[-1]["origin"]
    rects = [text.get_rect(i) for i in range(text.count_rects())]
    texts = [(r[0] - ox, r[1] - oy, r[2] - ox, r[3] - oy) for r in rects]
    box, covers = free_spot(pages[-1]["width"], pages[-1]["height"], texts)
    return {"pages": pages, "page": len(pages), "box": [round(v, 1) for v in box],
            "covers_text": covers}


def _child_render(doc: Any, number: int) -> bytes:
    if not 1 <= number <= len(doc):
        raise LookupError("no such page")
    page = doc[number - 1]
    width = page.get_width()
    for pixels in (MAX_WIDTH, MAX_WIDTH * 3 // 4, MAX_WIDTH // 2):
        image = page.render(scale=min((pixels - 1) / max(width, 1.0), 4.0)).to_pil()
        out = io.BytesIO()
        image.convert("RGB").save(out, "PNG", optimize=False, compress_level=6)
        if out.tell() <= MAX_PNG_BYTES:
            return out.getvalue()
    raise LookupError("the page is too complex to preview")


def _main(argv: list[str]) -> int:
    import pypdfium2

    try:
        doc = pypdfium2.PdfDocument(sys.stdin.buffer.read())
        if argv[0] == "layout":
            answer = json.dumps(_child_layout(doc)).encode()
        else:
            answer = _child_render(doc, int(argv[1]))
    except (pypdfium2.PdfiumError, LookupError, ValueError, IndexError) as exc:
        sys.stderr.write(f"{type(exc).__name__}: {exc}"[:200])
        return 2
    sys.stdout.buffer.write(answer)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
