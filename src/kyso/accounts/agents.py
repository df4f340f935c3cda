"""Which browser and system a session came from, read from its User-Agent (names only: the
sessions list says "Chrome · Android", never the raw header)."""

from __future__ import annotations

import re

__all__ = ["browser_and_system"]

_BROWSERS = (("kyso-app", "kyso app"), ("Edg/", "Edge"), ("OPR/", "Opera"),
             ("CocCoc", "Cốc Cốc"), ("Zalo", "Zalo"), ("Firefox/", "Firefox"),
             ("Chrome/", "Chrome"), ("CriOS/", "Chrome"), ("Safari/", "Safari"),
             ("curl/", "curl"), ("python-httpx", "httpx"), ("testclient", "test client"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"),
            ("Linux", "Linux"))


def browser_and_system(user_agent: str | None) -> tuple[str | None, str | None]:
    text = user_agent or ""
    browser = next((name for mark, name in _BROWSERS if mark in text), None)
    system = next((name for mark, name in _SYSTEMS if re.search(re.escape(mark), text)), None)
    return browser, system
