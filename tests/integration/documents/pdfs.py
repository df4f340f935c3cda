"""Sample PDFs for the document tests: plain, multi-page, encrypted — made with pyHanko."""

from __future__ import annotations

import io

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import PdfFileWriter

from kyso.signing.pages import PageBox

A4 = (0, 0, 595, 842)


def _page(writer: PdfFileWriter, text: str, box: tuple[int, int, int, int]) -> None:
    font = generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Font"), pdf_name("/Subtype"): pdf_name("/Type1"),
        pdf_name("/BaseFont"): pdf_name("/Helvetica")})
    stream = generic.StreamObject(stream_data=f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode())
    page = generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Page"),
        pdf_name("/MediaBox"): generic.ArrayObject(generic.NumberObject(v) for v in box),
        pdf_name("/Resources"): generic.DictionaryObject({
            pdf_name("/Font"): generic.DictionaryObject({pdf_name("/F1"): font})}),
        pdf_name("/Contents"): writer.add_object(stream),
    })
    writer.insert_page(page)


def sample_pdf(text: str = "Hop dong mua ban so 12/2026", pages: int = 1,
               box: tuple[int, int, int, int] = A4, password: str | None = None) -> bytes:
    writer = PdfFileWriter()
    for n in range(pages):
        _page(writer, f"{text} - trang {n + 1}", box)
    if password is not None:
        writer.encrypt(owner_pass=password, user_pass=password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def tampered(signed: bytes) -> bytes:
    """Flip one byte inside the first signed range (the page text), keeping the length."""
    data = bytearray(signed)
    at = data.index(b"Hop dong")
    data[at] ^= 0x01  # 'H' -> 'I'
    return bytes(data)


def form_pdf(lines: tuple[tuple[int, int, str], ...] = (
        (72, 720, "DON DE NGHI"), (380, 40, "Nguoi ky: NGUYEN VAN AN"))) -> bytes:
    """One A4 page with text at given places: by default a title and, bottom-right where a
    stamp would go, the signer's printed name (a Vietnamese form's layout)."""
    font = generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Font"), pdf_name("/Subtype"): pdf_name("/Type1"),
        pdf_name("/BaseFont"): pdf_name("/Helvetica")})
    text = " ".join(f"BT /F1 14 Tf {x} {y} Td ({s}) Tj ET" for x, y, s in lines)
    writer = PdfFileWriter()
    writer.insert_page(generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Page"),
        pdf_name("/MediaBox"): generic.ArrayObject(generic.NumberObject(v) for v in A4),
        pdf_name("/Resources"): generic.DictionaryObject({
            pdf_name("/Font"): generic.DictionaryObject({pdf_name("/F1"): font})}),
        pdf_name("/Contents"): writer.add_object(
            generic.StreamObject(stream_data=text.encode())),
    }))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def rotated_pdf(rotation: int) -> bytes:
    """One A4 page with ``/Rotate rotation`` and text that reads upright on screen, placed
    on the page *as shown*: a title top-left and, bottom-right where a stamp would go, the
    signer's printed name (:func:`shown_name_box`)."""
    shown = shown_size(rotation)
    lines = ((72, shown[1] - 72, "BIEN BAN GIAO NHAN"),
             (shown[0] - 215, 40, "Nguoi ky: NGUYEN VAN AN"))
    page = PageBox(shown[0], shown[1], (0.0, 0.0), rotation)
    # the text matrix turns each line counter-clockwise, against the page's rotation
    turn = {0: (1, 0, 0, 1), 90: (0, 1, -1, 0), 180: (-1, 0, 0, -1), 270: (0, -1, 1, 0)}
    a, b, c, d = turn[rotation]
    shows = []
    for x, y, text in lines:  # the baseline's start, shown → user space (a point box)
        ux, uy = _point(page, x, y)
        shows.append(f"BT /F1 14 Tf {a} {b} {c} {d} {ux:g} {uy:g} Tm ({text}) Tj ET")
    font = generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Font"), pdf_name("/Subtype"): pdf_name("/Type1"),
        pdf_name("/BaseFont"): pdf_name("/Helvetica")})
    writer = PdfFileWriter()
    writer.insert_page(generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Page"),
        pdf_name("/MediaBox"): generic.ArrayObject(generic.NumberObject(v) for v in A4),
        pdf_name("/Rotate"): generic.NumberObject(rotation),
        pdf_name("/Resources"): generic.DictionaryObject({
            pdf_name("/Font"): generic.DictionaryObject({pdf_name("/F1"): font})}),
        pdf_name("/Contents"): writer.add_object(
            generic.StreamObject(stream_data=" ".join(shows).encode())),
    }))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def shown_size(rotation: int) -> tuple[int, int]:
    """An A4 page's width and height as shown with ``/Rotate rotation``."""
    return (842, 595) if rotation in (90, 270) else (595, 842)


def shown_name_box(rotation: int) -> tuple[int, int, int, int]:
    """Where :func:`rotated_pdf` prints the signer's name, on the page as shown."""
    width = shown_size(rotation)[0]
    return (width - 216, 36, width - 36, 54)


def _point(page: PageBox, x: float, y: float) -> tuple[float, float]:
    ux, uy, _, _ = page.to_user((x, y, x, y))
    return ux, uy
