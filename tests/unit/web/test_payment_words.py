"""A failed payment's gateway code said as a sentence: the known codes each in their own
words, any other code in the general one (naming the support desk); never the code itself."""

from __future__ import annotations

import re

import pytest

from kyso.entrypoints.web.payment_words import result_sentence
from kyso.support import SupportDesk

KNOWN = ["07", "09", "10", "11", "12", "13", "51", "65", "75", "79"]


@pytest.mark.parametrize("code", KNOWN)
def test_each_known_code_has_its_own_sentence(code: str) -> None:
    said = result_sentence(code)
    assert said != result_sentence("99")
    assert "Quý khách" in said.vi and not re.search(r"\b\d{2}\b", said.vi + said.en)


@pytest.mark.parametrize("code", ["99", "02", "XY", ""])
def test_any_other_code_gets_the_general_sentence_with_the_desk(code: str) -> None:
    said = SupportDesk("1900 54 54 54").fill(result_sentence(code))
    assert said.vi == ("Giao dịch thanh toán chưa thực hiện được. Quý khách vui lòng thử lại "
                       "hoặc chọn phương thức thanh toán khác; nếu tài khoản đã bị trừ tiền, "
                       "vui lòng liên hệ tổng đài hỗ trợ 1900 54 54 54.")
    assert said.en.endswith("please contact the support desk on 1900 54 54 54.")
    assert len({said.vi, result_sentence("51").vi}) == 2
