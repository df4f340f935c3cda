"""The web app's static files keep the house rules: no HTML built from strings, nothing
inline that the Content-Security-Policy would refuse, every string key in Vietnamese."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kyso.entrypoints.web.site import CSP, STATIC

SCRIPTS = sorted(STATIC.rglob("*.js"))
PAGES = sorted(STATIC.glob("*.html"))
_FORBIDDEN = ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
              "new Function", ".style.", "setAttribute(\"style\"")


def _keys(source: str, table: str) -> set[str]:
    block = re.search(rf"const {table} = \{{(.*?)\n\}};", source, re.S)
    assert block is not None, table
    return set(re.findall(r"(?:^|[\s,{])(\w+):", block.group(1)))


def test_there_is_something_to_check() -> None:
    assert len(SCRIPTS) >= 10 and {p.name for p in PAGES} == {"index.html", "console.html"}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_no_markup_from_strings(script: Path) -> None:
    source = script.read_text(encoding="utf-8")
    assert not [word for word in _FORBIDDEN if word in source]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_pages_have_nothing_inline(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert "<style" not in html and " style=" not in html
    assert re.findall(r"<script[^>]*>", html) == [
        re.search(r'<script type="module" src="/static/js/\w+\.js">', html).group(0)]  # type: ignore[union-attr]  # asserted present by the equality
    assert not re.search(r"\son\w+=", html)
    assert "'unsafe-inline'" not in CSP and "'unsafe-eval'" not in CSP


def test_every_key_the_pages_use_has_vietnamese_and_english_adds_none() -> None:
    i18n = (STATIC / "js" / "i18n.js").read_text(encoding="utf-8")
    vi, en = _keys(i18n, "vi"), _keys(i18n, "en")
    assert en - vi == set()
    used: set[str] = set()
    for script in SCRIPTS:
        used |= set(re.findall(r"\bt\(\"(\w+)\"", script.read_text(encoding="utf-8")))
    assert used - vi == set()
    assert len(vi - en) < 10  # a few are the same in both languages (SmartOTP, Email)


def test_transaction_details_are_labelled_by_the_server_not_by_i18n() -> None:
    i18n = (STATIC / "js" / "i18n.js").read_text(encoding="utf-8")
    assert not {k for k in _keys(i18n, "vi") | _keys(i18n, "en") if k.startswith("d_")}
    card = (STATIC / "js" / "pages" / "transactions.js").read_text(encoding="utf-8")
    assert 'word("detail_labels", k)' in card
