"""The finish of every screen kyso serves: a viewport on every page, an icon, and no internal
code (a transaction kind, a field's name, a status, a product code) written into the
Vietnamese strings or shown raw by the pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kyso.entrypoints.web.site import STATIC
from kyso.vocabulary import VOCABULARY

TEMPLATES = Path(STATIC).parent / "templates"
PAGES = [*sorted(STATIC.glob("*.html")), TEMPLATES / "dev_inbox.html",
         TEMPLATES / "sandbox_pay.html"]  # payment_return.html: the journeys branch
CODES = ("sign_document", "sp769_sign", "contact_change", "document_id", "visible: true",
         "per-signature", "citizen-free", "cancelled", "pending", "fulfilled", "String should")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_page_fits_a_phone(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


def test_there_is_an_icon() -> None:
    icon = STATIC / "favicon.ico"
    assert icon.read_bytes()[:4] == b"\x00\x00\x01\x00"  # an ICO directory


def test_no_vietnamese_string_carries_an_internal_code() -> None:
    i18n = (STATIC / "js" / "i18n.js").read_text(encoding="utf-8")
    vi = re.search(r"const vi = \{(.*?)\n\};", i18n, re.S)
    assert vi is not None
    strings = re.findall(r':\s*"((?:[^"\\]|\\.)*)"', vi.group(1))
    assert len(strings) > 200
    leaks = [s for s in strings for code in CODES if code in s]
    assert leaks == []


def test_the_server_names_every_code_it_answers_with_in_vietnamese() -> None:
    for group, words in VOCABULARY.items():
        for code, text in words.items():
            assert text.vi and text.vi != code and not re.fullmatch(r"[a-z_\-]+", text.vi), \
                (group, code)


@pytest.mark.parametrize("script", ["pages/home.js", "pages/sign.js", "pages/history.js",
                                    "pages/support.js"])
def test_my_pages_show_statuses_through_words(script: str) -> None:
    source = (STATIC / "js" / script).read_text(encoding="utf-8")
    # a status or a kind put on the screen as it came from the API is a code on screen
    assert not re.search(r"[\[,]\s*(\w+)\.(status|kind)\s*[\],]", source), script
