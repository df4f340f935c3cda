"""kyso addresses its customer in one register: "Quý khách", as the SmartOTP user guide
the product is modelled on does (shared/seeds), never the familiar "bạn"."""

from __future__ import annotations

import re
from pathlib import Path

import kyso
from kyso.entrypoints.web.site import STATIC

SRC = Path(kyso.__file__).parent
_FAMILIAR = re.compile(r"(?<!\w)bạn(?!\w)", re.IGNORECASE)
_LOWER_FORMAL = re.compile(r"(?<!\w)quý khách(?!\w)")  # written "Quý khách" everywhere


def _vi_dictionary() -> str:
    i18n = (STATIC / "js" / "i18n.js").read_text(encoding="utf-8")
    block = re.search(r"const vi = \{(.*?)\n\};", i18n, re.S)
    assert block is not None
    return block.group(1)


def test_the_web_app_says_quy_khach_and_never_ban() -> None:
    vi = _vi_dictionary()
    assert "Quý khách" in vi
    assert _FAMILIAR.findall(vi) == [] and _LOWER_FORMAL.findall(vi) == []


def test_server_texts_emails_and_sms_say_quy_khach() -> None:
    found: dict[str, int] = {}
    for path in sorted(SRC.rglob("*")):
        if path.suffix in {".py", ".js", ".html", ".txt"} and path.is_file():
            text = path.read_text(encoding="utf-8")
            n = len(_FAMILIAR.findall(text)) + len(_LOWER_FORMAL.findall(text))
            if n:
                found[path.relative_to(SRC).as_posix()] = n
    assert found == {}
