"""Where the stamp goes: a draft previewed page by page, the stamp placed by the customer
(with a signature image) or on a free spot that covers no text; checked by pdfsig, pyHanko
and the pixels of the signed page."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from kyso.signing.pages import free_spot
from kyso.signing.stamp import qr_size
from tests.integration.documents.conftest import Customer, World
from tests.integration.documents.oracles import dark_pixels, needs_tools, pdfsig
from tests.integration.documents.pdfs import (
    A4,
    form_pdf,
    rotated_pdf,
    sample_pdf,
    shown_name_box,
    shown_size,
)

NAME_BOX = (380, 36, 560, 56)  # "Nguoi ky: NGUYEN VAN AN" in form_pdf()


def signature_png() -> bytes:
    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 80), (100, 10), (180, 90), (290, 20)], fill="black",
                               width=8)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return not (a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1])


def test_the_free_spot_leaves_text_alone() -> None:
    box, covers = free_spot(595, 842, [(300, 20, 595, 120)])
    assert not covers and not overlaps(box, (300, 20, 595, 120))
    assert box[1] == 24  # still at the bottom, moved left
    full, covers = free_spot(300, 100, [(0, 0, 300, 100)])
    assert covers and full == (26.0, 24.0, 276.0, 76.0)  # nothing free: said, not silent


def test_the_default_stamp_does_not_cover_the_signers_printed_name(world: World,
                                                                   customer: Customer) -> None:
    uploaded = customer.upload(form_pdf(), visible="true")
    assert uploaded.status_code == 201, uploaded.text
    doc = uploaded.json()
    assert doc["page"] == 1 and not overlaps(tuple(doc["box"]), NAME_BOX)
    assert doc["transaction"]["details"]["stamp_page"] == "1"


@needs_tools
def test_a_draft_is_previewed_placed_with_an_image_and_signed(world: World,
                                                              customer: Customer,
                                                              tmp_path: Path) -> None:
    draft = world.client.post("/api/v1/documents/drafts", content=sample_pdf(pages=2),
                              params={"name": "hopdong.pdf"},
                              headers=customer.headers | {"Content-Type": "application/pdf"})
    assert draft.status_code == 201, draft.text
    doc = draft.json()
    assert doc["status"] == "draft" and doc["transaction_id"] is None
    layout = customer.get(f"/documents/{doc['id']}/layout").json()
    assert [p["number"] for p in layout["pages"]] == [1, 2] and layout["page"] == 2
    assert layout["covers_text"] is False and layout["pages"][0]["width"] == 595
    png = customer.get(f"/documents/{doc['id']}/pages/1.png")
    assert png.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(png.content)).size == (799, 1131)  # ≤ 800 px wide
    assert customer.get(f"/documents/{doc['id']}/pages/3.png").status_code == 404
    stranger = world.customer("Lê Văn Lạ")
    assert stranger.get(f"/documents/{doc['id']}/pages/1.png").status_code == 404

    box = [60, 500, 300, 590]
    outside = world.client.post(f"/api/v1/documents/{doc['id']}/sign", headers=customer.headers,
                                json={"page": 1, "box": [400, 800, 640, 880]})
    assert outside.status_code == 400 and outside.json()["error"] == "stamp_outside_page"
    bad = world.client.post(f"/api/v1/documents/{doc['id']}/sign", headers=customer.headers,
                            json={"page": 1, "box": box,
                                  "image": base64.b64encode(b"GIF89a" + bytes(50)).decode()})
    assert bad.status_code == 400 and bad.json()["error"] == "bad_signature_image"
    sent = world.client.post(f"/api/v1/documents/{doc['id']}/sign", headers=customer.headers,
                             json={"level": "B-T", "page": 1, "box": box, "reason": "Đồng ý",
                                   "image": base64.b64encode(signature_png()).decode()})
    assert sent.status_code == 200, sent.text
    assert sent.json()["signature_image"] and sent.json()["page"] == 1
    assert "có hình chữ ký ở trang 1" in sent.json()["transaction"]["details"]["description"]
    again = world.client.post(f"/api/v1/documents/{doc['id']}/sign", headers=customer.headers,
                              json={"page": 1, "box": box})
    assert again.status_code == 409 and again.json()["error"] == "not_a_draft"

    assert customer.confirm(sent.json()["transaction"]).status_code == 200
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(customer.get(f"/documents/{doc['id']}/download").content)
    [verdict] = pdfsig(world.nss_db(), signed)
    assert verdict["Signature Validation"] == "Signature is Valid.", verdict
    assert customer.validate(signed.read_bytes())["valid"]  # pyHanko
    # the QR code to the public page takes the right end; the image half of what is left
    room = box[2] - box[0] - int(qr_size(box[2] - box[0], box[3] - box[1])) - 6
    image_part = (box[0] + 6, box[1] + 6, box[0] + room // 2 - 4, box[3] - 6)
    assert dark_pixels(signed, 1, image_part, A4[3]) > 150  # the drawn signature
    assert dark_pixels(signed, 2, (321, 24, 571, 94), A4[3]) == 0  # not the default place


@pytest.mark.parametrize("body", [{"page": 1, "box": [0, 0, 10, 10]},
                                  {"page": 1}, {"box": [1, 2, 3, 4]}])
def test_a_malformed_place_is_refused(world: World, customer: Customer,
                                      body: dict[str, object]) -> None:
    draft = world.client.post("/api/v1/documents/drafts", content=sample_pdf(),
                              headers=customer.headers | {"Content-Type": "application/pdf"})
    r = world.client.post(f"/api/v1/documents/{draft.json()['id']}/sign",
                          headers=customer.headers, json=body)
    assert r.status_code == 400, r.text


def shown_ink(pdf: bytes) -> Image.Image:
    """Page 1 as shown (``/Rotate`` applied), rendered by PDFium as kyso's previews are, at
    one pixel a point: ink white on black (a 1-bit mask)."""
    doc = pypdfium2.PdfDocument(pdf)
    doc.init_forms()  # the signature field's appearance is a form widget's
    try:
        image = doc[0].render(scale=1, may_draw_forms=True).to_pil().convert("L")
    finally:
        doc.close()
    return image.point(lambda v: 255 if v < 160 else 0).convert("1")


def crop(image: Image.Image, box: tuple[int, int, int, int]) -> Image.Image:
    """``box`` (points from the lower-left corner of the page as shown) of a rendering."""
    x1, y1, x2, y2 = box
    return image.crop((x1, image.height - y2, x2, image.height - y1))


def ink(image: Image.Image) -> int:
    return image.convert("L").histogram()[255]


def likeness(a: Image.Image, b: Image.Image) -> float:
    """Intersection over union of two ink masks of one size."""
    both = ink(ImageChops.logical_and(a, b))
    return both / max(ink(ImageChops.logical_or(a, b)), 1)


@needs_tools
def test_a_stamp_on_a_turned_page_lands_where_dropped_and_reads_upright(
        world: World, customer: Customer, tmp_path: Path) -> None:
    """/Rotate 0, 90, 180, 270: the layout speaks of the page as shown, the free spot
    leaves the printed name alone, and the signed page shows the stamp — upright, the
    same as on an unturned page — inside the dropped box and nowhere else."""
    box = (60, 300, 310, 370)  # from the lower-left corner of the page as shown
    stamps = {}
    for rotation in (0, 90, 180, 270):
        pdf = rotated_pdf(rotation)
        draft = world.client.post(
            "/api/v1/documents/drafts", content=pdf,
            headers=customer.headers | {"Content-Type": "application/pdf"}).json()
        layout = customer.get(f"/documents/{draft['id']}/layout").json()
        [page] = layout["pages"]
        assert (page["width"], page["height"], page["rotation"]) == (
            *shown_size(rotation), rotation)
        assert not layout["covers_text"]
        assert not overlaps(tuple(layout["box"]), shown_name_box(rotation)), layout
        png = Image.open(io.BytesIO(customer.get(f"/documents/{draft['id']}/pages/1.png")
                                    .content))
        assert (png.width > png.height) == (rotation in (90, 270))  # previewed as shown

        sent = world.client.post(f"/api/v1/documents/{draft['id']}/sign",
                                 headers=customer.headers, json={"page": 1, "box": box})
        assert sent.status_code == 200, sent.text
        assert customer.confirm(sent.json()["transaction"]).status_code == 200
        signed = customer.get(f"/documents/{draft['id']}/download").content
        path = tmp_path / f"signed-{rotation}.pdf"
        path.write_bytes(signed)
        [verdict] = pdfsig(world.nss_db(), path)
        assert verdict["Signature Validation"] == "Signature is Valid.", (rotation, verdict)

        added = ImageChops.logical_xor(shown_ink(pdf), shown_ink(signed))
        assert ink(crop(added, box)) > 500, rotation  # the stamp is in the box …
        grown = (box[0] - 2, box[1] - 2, box[2] + 2, box[3] + 2)
        assert ink(added) == ink(crop(added, grown)), rotation  # … and nowhere else
        stamps[rotation] = crop(added, box)

    # the text beside the QR code (the code itself differs per signature, each its own
    # /v/<id>, and so does the link's last characters: the ink is thickened by a pixel so
    # that those few glyphs weigh little)
    width, height = stamps[0].size
    text_part = (0, 0, width - int(qr_size(width, height)) - 6, height)

    def text(image: Image.Image) -> Image.Image:
        return image.crop(text_part).convert("L").filter(ImageFilter.MaxFilter(3)).convert("1")

    upright = text(stamps[0])
    upside_down = text(stamps[0].rotate(180))
    assert likeness(upright, upside_down) < 0.5  # the measure tells a turned stamp apart
    for rotation in (90, 180, 270):
        # measured 0.78..0.86 (the random ids), against 0.33..0.35 upside down
        assert likeness(text(stamps[rotation]), upright) > 0.65, rotation
