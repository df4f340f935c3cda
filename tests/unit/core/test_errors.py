"""Error descriptions: a bilingual parameter is rendered in the description's language."""

from __future__ import annotations

import pytest

from kyso.errors import InvalidInput, Text, TooManyRequests, said, waiting


class Refused(InvalidInput):
    code = "refused"
    vi = "Bị từ chối: {reason}."
    en = "Refused: {reason}."


def test_a_text_parameter_follows_the_language() -> None:
    error = Refused(reason=Text("thiết bị đã được kích hoạt", "the device was activated"))
    assert error.describe("vi") == "Bị từ chối: thiết bị đã được kích hoạt."
    assert error.describe("en") == "Refused: the device was activated."
    assert str(error) == "Refused: the device was activated."  # logs read English


def test_plain_parameters_are_unchanged() -> None:
    assert Refused(reason="42").describe("vi") == "Bị từ chối: 42."


@pytest.mark.parametrize(("seconds", "vi", "en"), [
    (1, "1 giây", "1 second"), (45, "45 giây", "45 seconds"), (60, "1 phút", "1 minute"),
    (900, "15 phút", "15 minutes"), (1161, "19 phút 21 giây", "19 minutes 21 seconds"),
    (3600, "1 giờ", "1 hour"), (7260, "2 giờ 1 phút", "2 hours 1 minute"),
])
def test_a_wait_is_said_as_a_watch_says_it(seconds: int, vi: str, en: str) -> None:
    assert waiting(seconds) == Text(vi, en)


def test_a_lock_tells_the_customer_minutes_not_hundreds_of_seconds() -> None:
    locked = TooManyRequests(retry_after=900)
    assert locked.describe("vi") == "Thao tác quá nhiều lần. Vui lòng thử lại sau 15 phút."
    assert locked.describe("en") == "Too many requests. Try again in 15 minutes."
    assert locked.retry_after == 900  # the header still counts seconds


def test_a_status_in_a_refusal_is_said_in_words() -> None:
    """'Chứng thư số đang ở trạng thái «tạm dừng»', never 'suspended' in a Vietnamese
    sentence; a program still reads the code in ``params``."""
    from kyso.billing.errors import OrderStateConflict
    from kyso.signing.document_errors import NotSignedYet
    from kyso.signing.errors import CredentialUnusable
    cases = [(CredentialUnusable(status="suspended"), "«tạm dừng»", "is suspended"),
             (CredentialUnusable(status="awaiting_acceptance"), "«chờ ký biên bản nghiệm thu»",
              "awaiting the acceptance record"),
             (OrderStateConflict(status="fulfilled"), "«đã thanh toán»", "is paid"),
             (NotSignedYet(status="pending"), "chờ xác nhận", "awaiting confirmation")]
    for error, vi, en in cases:
        assert vi in error.describe("vi") and "_" not in error.describe("vi")
        assert en in error.describe("en")
        assert error.params["status"] in {"suspended", "awaiting_acceptance", "fulfilled",
                                          "pending"}


def test_a_detail_in_both_languages_follows_the_language() -> None:
    error = InvalidInput(Text("tệp không có nội dung", "the file is empty"))
    assert error.describe("vi") == "Yêu cầu không hợp lệ. (tệp không có nội dung)"
    assert error.describe("en") == "The request is invalid. (the file is empty)"
    assert str(error) == "The request is invalid. (the file is empty)"  # logs read English


def test_a_model_s_value_error_keeps_its_two_languages() -> None:
    worded = ValueError(Text("số trang bắt đầu từ 1", "pages are numbered from 1"))
    assert said(worded) == Text("số trang bắt đầu từ 1", "pages are numbered from 1")
    assert str(worded) == "pages are numbered from 1"
    assert said(ValueError("plain")) == "plain"


def test_a_certificate_in_the_wrong_status_is_said_in_words() -> None:
    from kyso.pki.errors import InvalidTransition, WrongStatus

    error = WrongStatus(status="suspended")
    assert isinstance(error, InvalidTransition)  # the same code and HTTP status as before
    assert error.describe("vi") == ("Chứng thư số đang ở trạng thái tạm dừng; "
                                    "không thể thực hiện thao tác này.")
    assert error.describe("en") == "The certificate is suspended; this is not possible."
