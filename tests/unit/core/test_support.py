"""The support desk named where a text sends the customer to it: the configured number (and
email), or words that send them to the provider when the operator set none — never "gọi tổng
đài" with no number."""

from __future__ import annotations

import pytest

from kyso.accounts.errors import AccountUnavailable
from kyso.errors import Text
from kyso.otp.errors import MethodLocked, TokenLocked
from kyso.support import DESK, SupportDesk

BOTH = SupportDesk("1900 54 54 54", "hotro@ca.example.vn")


@pytest.mark.parametrize(("desk", "vi", "en"), [
    (BOTH, "tổng đài hỗ trợ 1900 54 54 54 (email hotro@ca.example.vn)",
     "the support desk on 1900 54 54 54 (email hotro@ca.example.vn)"),
    (SupportDesk("1900 54 54 54"), "tổng đài hỗ trợ 1900 54 54 54",
     "the support desk on 1900 54 54 54"),
    (SupportDesk(email="hotro@ca.example.vn"), "bộ phận hỗ trợ qua email hotro@ca.example.vn",
     "the support desk at hotro@ca.example.vn"),
    (SupportDesk(), "bộ phận hỗ trợ khách hàng của nhà cung cấp dịch vụ",
     "your service provider's support desk"),
])
def test_the_desk_is_named_with_what_the_operator_set(desk: SupportDesk, vi: str,
                                                      en: str) -> None:
    assert desk.named == Text(vi, en)
    assert desk.fill(Text(f"Liên hệ {DESK}.", f"Contact {DESK}.")) == Text(f"Liên hệ {vi}.",
                                                                           f"Contact {en}.")


def test_an_error_description_names_the_desk() -> None:
    assert TokenLocked().describe("vi", BOTH) == (
        "SmartOTP đã bị khóa do nhập sai nhiều lần. Vui lòng liên hệ tổng đài hỗ trợ "
        "1900 54 54 54 (email hotro@ca.example.vn) hoặc đặt lại PIN SmartOTP.")
    assert AccountUnavailable().describe("en", SupportDesk("+84 24 3123 4567")) == (
        "The account is locked or closed. Please contact the support desk on +84 24 3123 4567.")
    assert MethodLocked(method=Text("SMS", "SMS")).describe("vi", BOTH).endswith(
        "Vui lòng liên hệ tổng đài hỗ trợ 1900 54 54 54 (email hotro@ca.example.vn).")


def test_without_a_desk_no_placeholder_and_no_bare_hotline_is_left() -> None:
    for error in (TokenLocked(), AccountUnavailable(), MethodLocked()):  # MethodLocked: no param
        for lang in ("vi", "en"):
            text = error.describe(lang)
            assert "{desk}" not in text and "support desk" not in text.replace(
                "your service provider's support desk", ""), text
            assert "tổng đài" not in text, text
