"""The visible stamp: Vietnamese text in the vendored Noto Sans subset, really drawn."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from kyso.signing.stamp import FONT
from tests.integration.documents.conftest import Customer, World
from tests.integration.documents.oracles import dark_pixels, needs_tools, pdftotext
from tests.integration.documents.pdfs import A4, sample_pdf

STAMP_BOX = (321, 24, 571, 94)  # bottom-right of A4, see kyso.signing.stamp.field_spec


def test_the_vendored_font_is_a_1000_unit_vietnamese_subset() -> None:
    font = TTFont(str(FONT))
    assert font["head"].unitsPerEm == 1000  # pyHanko spaces other units wrongly
    cmap = font.getBestCmap()
    assert all(ord(c) in cmap for c in "ĂÂĐÊÔƠƯăâđêôơưỄỰỲỹẫậ₫")
    assert len(cmap) < 600 and (FONT.parent / "OFL.txt").read_text().count("Open Font") >= 1


@pytest.fixture(scope="module")
def stamped(world: World, customer: Customer) -> Path:
    path = world.files / "stamped.pdf"
    path.write_bytes(customer.sign(sample_pdf(pages=2), level="B-LT", visible="true",
                                   reason="Đồng ý với nội dung hợp đồng",
                                   location="Quận Cầu Giấy, Hà Nội"))
    return path


@needs_tools
def test_the_stamp_text_is_extractable_vietnamese(stamped: Path) -> None:
    text = pdftotext(stamped)
    assert "Ký bởi: NGUYỄN VĂN AN" in text
    assert "Thời gian: " in text and "(GMT+7)" in text
    assert "Lý do: Đồng ý với nội dung hợp đồng" in text
    assert "Nơi ký: Quận Cầu Giấy, Hà Nội" in text


@needs_tools
def test_the_stamp_is_drawn_on_the_last_page_with_the_embedded_font(stamped: Path,
                                                                     world: World) -> None:
    assert dark_pixels(stamped, 2, STAMP_BOX, A4[3]) > 300
    assert dark_pixels(stamped, 1, STAMP_BOX, A4[3]) == 0  # the last page only
    fonts = subprocess.run(["pdffonts", str(stamped)], capture_output=True, text=True,
                           check=True).stdout
    assert "NotoSans-Regular" in fonts and " yes yes yes " in fonts  # embedded, subset, unicode
    plain = world.files / "plain.pdf"
    plain.write_bytes(sample_pdf(pages=2))
    assert dark_pixels(plain, 2, STAMP_BOX, A4[3]) == 0  # the oracle sees the difference


def test_a_long_reason_still_signs_and_validates(customer: Customer) -> None:
    signed = customer.sign(sample_pdf(), visible="true", reason="Đồng ý " * 14,
                           location="Thành phố Hồ Chí Minh")
    assert customer.validate(signed)["valid"]
