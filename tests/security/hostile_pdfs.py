"""A corpus of hostile PDFs, made byte by byte (no library would write them).

Each is small on the wire and aims at one weakness of a PDF reader: a page tree that is its
own parent (pyHanko 0.38 walks ``/Parent`` forever), nesting deep enough to exhaust a
recursive parser, an object stream that claims millions of objects, a Flate stream that
inflates to gigabytes, a cross-reference table that points nowhere, a file cut short, forms
drawn within forms until a renderer (PDFium, for the page previews) never ends.
"""

from __future__ import annotations

import zlib

__all__ = ["CORPUS", "build", "cyclic_page_tree", "form_bomb", "zeros_deflated"]


def build(objects: list[bytes], *, root: int = 1, xref: bool = True) -> bytes:
    """A PDF of numbered ``objects`` (1, 2, …) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    if xref:
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\n" % (len(objects) + 1, root)
    out += b"startxref\n%d\n%%%%EOF\n" % start
    return bytes(out)


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n" % (dictionary, len(data)) + data + b"\nendstream"


def cyclic_page_tree() -> bytes:
    """The page's parent is a Pages node whose parent is itself; no MediaBox anywhere."""
    return build([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 2 0 R >>",
        b"<< /Type /Page /Parent 2 0 R >>",
    ])


def _page(extra: bytes = b"") -> list[bytes]:
    return [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] %s >>" % extra]


def deep_nesting(depth: int = 100_000) -> bytes:
    """An array nested ``depth`` levels deep inside the page dictionary itself."""
    return build(_page(b"/Nest " + b"[" * depth + b"]" * depth))


def object_stream_bomb() -> bytes:
    """An object stream that claims 50 million objects; the page lives inside it."""
    header = b"3 0 "
    body = header + b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"
    objstm = _stream(b"/Type /ObjStm /N 50000000 /First %d" % len(header), body)
    return _xref_stream_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                             b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"], objstm)


def _xref_stream_pdf(plain: list[bytes], objstm: bytes) -> bytes:
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(plain, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    stm_number = len(plain) + 2  # the page is object len(plain)+1, inside the stream
    offsets_stm = len(out)
    out += b"%d 0 obj\n" % stm_number + objstm + b"\nendobj\n"
    xref_number = stm_number + 1
    rows = [b"\x00\x00\x00\x00\xff\xff"]
    rows += [b"\x01" + offset.to_bytes(4, "big") + b"\x00" for offset in offsets]
    rows.append(b"\x02" + stm_number.to_bytes(4, "big") + b"\x00")  # page: in the stream
    rows.append(b"\x01" + offsets_stm.to_bytes(4, "big") + b"\x00")
    rows.append(b"\x01" + len(out).to_bytes(4, "big") + b"\x00")
    data = b"".join(rows)
    start = len(out)
    out += b"%d 0 obj\n" % xref_number + _stream(
        b"/Type /XRef /Size %d /W [1 4 1] /Root 1 0 R" % (xref_number + 1), data)
    out += b"\nendobj\nstartxref\n%d\n%%%%EOF\n" % start
    return bytes(out)


def zeros_deflated(megabytes: int) -> bytes:
    """A zlib stream of ``megabytes`` MiB of zeros, built rather than compressed: after a
    full flush the deflater starts afresh, so every further MiB deflates to the same bytes
    (compressing 2 GiB took 7-20 s of the tests' time for a stream of the same kind), and
    the Adler-32 of n zero bytes is ``(n mod 65521) << 16 | 1``."""
    zeros = b"\x00" * (1024 * 1024)
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate: header and check are ours
    first = raw.compress(zeros) + raw.flush(zlib.Z_FULL_FLUSH)
    again = raw.compress(zeros) + raw.flush(zlib.Z_FULL_FLUSH)
    adler = (megabytes * 1024 * 1024 % 65521) << 16 | 1
    return (b"\x78\xda" + first + again * (megabytes - 1) + raw.flush()
            + adler.to_bytes(4, "big"))


def flate_bomb(megabytes: int = 2048) -> bytes:
    """An image XObject and the page contents: a few KiB, Flate twice, inflating to
    ``megabytes`` MiB of zeros."""
    data = zlib.compress(zeros_deflated(megabytes), 9)
    twice = b"/Filter [/FlateDecode /FlateDecode]"
    image = _stream(b"/Type /XObject /Subtype /Image /Width 65535 /Height 65535 "
                    b"/ColorSpace /DeviceRGB /BitsPerComponent 8 " + twice, data)
    return build([*_page(b"/Contents 4 0 R /Resources << /XObject << /Im0 5 0 R >> >>"),
                  _stream(twice, data), image])


def form_bomb(depth: int = 9, fan: int = 10) -> bytes:
    """A page that draws a form ``fan`` times, which draws the next form ``fan`` times, …
    ``depth`` levels down: a few hundred bytes, ``fan ** depth`` drawings for a renderer.
    pyHanko never runs content streams, so this file passes the upload's check and only
    the page previews (PDFium) meet it."""
    def resources(number: int) -> bytes:
        return b"/Resources << /XObject << /F %d 0 R >> >>" % number

    forms = []
    for level in range(depth):
        last = level == depth - 1
        forms.append(_stream(b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] "
                             + (b"" if last else resources(6 + level)),
                             b"0 0 m 595 842 l S" if last else b"/F Do " * fan))
    return build([*_page(b"/Contents 4 0 R " + resources(5)), _stream(b"", b"/F Do " * fan),
                  *forms])


def broken_xref() -> bytes:
    """Every cross-reference offset points into the middle of nowhere."""
    data = bytearray(build(_page()))
    at = data.index(b"xref\n")
    rows = data[at:].replace(b"00000 n", b"99999 n")
    return bytes(data[:at] + rows).replace(b"startxref\n", b"startxref\n9")


def truncated() -> bytes:
    data = build(_page())
    return data[: len(data) // 2]


CORPUS = {
    "cyclic_page_tree": cyclic_page_tree,
    "deep_nesting": deep_nesting,
    "object_stream_bomb": object_stream_bomb,
    "flate_bomb": flate_bomb,
    "form_bomb": form_bomb,
    "broken_xref": broken_xref,
    "truncated": truncated,
}
