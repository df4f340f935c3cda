"""Sample PDFs for the document tests: plain, multi-page, encrypted — made with pyHanko."""

from __future__ import annotations

import io

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import PdfFileWriter

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
