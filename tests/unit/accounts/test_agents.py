"""The sessions list names the browser and the system from real User-Agent headers."""

from __future__ import annotations

import pytest

from kyso.accounts.agents import browser_and_system

CASES = [
    ("Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.0.0 Mobile Safari/537.36", "Chrome", "Android"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/17.4 Mobile/15E148 Safari/604.1", "Safari", "iPhone"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80", "Edge", "Windows"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0",
     "Firefox", "macOS"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "coc_coc_browser/123.0.198 CocCoc/123 Chrome/117.0.5938.132 Safari/537.36", "Cốc Cốc",
     "Windows"),
    ("kyso-app/0.1.0", "kyso app", None),
    (None, None, None),
]


@pytest.mark.parametrize(("agent", "browser", "system"), CASES)
def test_browser_and_system(agent: str | None, browser: str | None, system: str | None) -> None:
    assert browser_and_system(agent) == (browser, system)
