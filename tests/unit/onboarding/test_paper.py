"""The registration's papers: long lines wrapped by the font's own metrics, as many pages as
the text needs."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from kyso.onboarding import paper
from kyso.onboarding.identity import IdDocument, IdType, Sex
from kyso.onboarding.layout import metrics, paginate, wrap
from kyso.onboarding.model import Contact, Owner, Registration
from kyso.signing.stamp import FONT

NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)
STREET = "Số 12 ngõ 345 đường Trần Duy Hưng, tổ dân phố Trung Hòa Nhân Chính"
LONG_EMAIL = "nguyen.thi.thanh.huong.cong.tang.ton.nu.bao.ngoc" * 3 + "@example.vn"


def registration(address: str) -> Registration:
    owner = Owner("Công Tằng Tôn Nữ Nguyễn Thị Thanh Hương Bảo Ngọc Phương Thảo",
                  date(1991, 3, 4), Sex("F"),
                  IdDocument(IdType("CCCD"), "001191000001", date(2020, 1, 1), None))
    contact = Contact(LONG_EMAIL, "+84912345671", address, "Hà Nội", "Cầu Giấy")
    return Registration("r" * 36, "a", owner, contact, "citizen-free-1y", "d", NOW, NOW,
                        order_id="o1")


def pages_of(pdf: bytes) -> int:
    return int(PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Count"])


def test_every_line_fits_the_box_and_no_word_is_lost() -> None:
    font = metrics(FONT)
    text = " ".join([STREET] * 8) + " " + LONG_EMAIL
    lines = wrap(text, paper.TEXT_WIDTH, paper.TEXT_SIZE, font)
    assert len(lines) > 5
    assert all(font.width(line, paper.TEXT_SIZE) <= paper.TEXT_WIDTH for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    # measured, not counted: a line of "i" holds far more characters than a line of "W"
    assert len(wrap("i" * 400, 100, 10, font)[0]) > 3 * len(wrap("W" * 400, 100, 10, font)[0])


def test_a_very_long_address_wraps_and_runs_over_pages() -> None:
    r = registration(" ".join([STREET] * 60))
    pages = paper.laid_out(paper._owner_lines(r))
    assert len(pages) >= 2
    font = metrics(FONT)
    assert all(font.width(line, paper.TEXT_SIZE) <= paper.TEXT_WIDTH
               for page in pages for line in page)
    assert pages_of(paper.contract_pdf(r, "Công ty kyso")) >= 2
    assert pages_of(paper.acceptance_pdf(r, "1A2B", NOW)) >= 2


def test_a_short_contract_is_one_page() -> None:
    assert pages_of(paper.contract_pdf(registration("12 Trần Duy Hưng"), "Công ty kyso")) == 1


def test_paginate() -> None:
    assert paginate([], 3) == [[]]
    assert paginate(list("abcdefg"), 3) == [["a", "b", "c"], ["d", "e", "f"], ["g"]]
    with pytest.raises(ValueError):
        paginate(["a"], 0)
