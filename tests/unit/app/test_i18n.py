"""Vietnamese first, English after " / ", or one language alone."""

from __future__ import annotations

import pytest

from kyso.app import messages as m
from kyso.app.i18n import Msg, resolve_lang


def test_render_in_each_mode() -> None:
    msg = Msg("Mã OTP: {code}", "OTP: {code}")
    assert msg.render("both", code="1") == "Mã OTP: 1 / OTP: 1"
    assert msg.render("vi", code="1") == "Mã OTP: 1"
    assert msg.render("en", code="1") == "OTP: 1"
    assert Msg("SmartOTP", "SmartOTP").render("both") == "SmartOTP"


@pytest.mark.parametrize(("option", "env", "lang"), [
    (None, {}, "both"),
    ("en", {"LANG": "vi_VN.UTF-8"}, "en"),
    (None, {"KYSO_APP_LANG": "vi", "LANG": "en_US.UTF-8"}, "vi"),
    (None, {"LANG": "vi_VN.UTF-8"}, "vi"),
    (None, {"LANG": "en_GB.UTF-8"}, "en"),
    (None, {"LANG": "C.UTF-8"}, "both"),
])
def test_language_choice(option: str | None, env: dict[str, str], lang: str) -> None:
    assert resolve_lang(option, env) == lang


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="--lang"):
        resolve_lang("fr", {})


def test_every_message_has_both_languages_and_the_same_fields() -> None:
    import string

    for name in dir(m):
        msg = getattr(m, name)
        if isinstance(msg, Msg):
            fields = [{f for _, f, _, _ in string.Formatter().parse(text) if f}
                      for text in (msg.vi, msg.en)]
            assert msg.vi and msg.en and fields[0] == fields[1], name
