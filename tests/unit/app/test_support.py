"""The support desk in ``kyso app``: after a refusal only the desk can lift, its phone and
email (unless the server's words named them); a provider that set none is said in words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from kyso.app import support
from kyso.app.context import AppContext
from kyso.app.errors import ApiError, ServerUnreachable
from kyso.app.messages import METHOD_LOCKED
from kyso.app.models import Contact
from tests.unit.app.test_flows import SERVER, ScriptedUi

DESK = {"phone": "1900 54 54 54", "tel": "1900545454", "email": "hotro@ca.example.vn"}
NONE = {"phone": None, "tel": None, "email": None}


def _ctx(tmp_path: Path, contact: dict[str, Any], ui: ScriptedUi) -> AppContext:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v1/contact"
        return httpx.Response(200, json=contact)
    env = {"KYSO_APP_HOME": str(tmp_path), "KYSO_APP_SERVER": SERVER}
    return AppContext.create(ui, environ=env, transport=httpx.MockTransport(answer))


LOCKED_OUT = ApiError(423, "locked", "Temporarily locked. Try again in 15 minutes.")


def test_a_lock_out_is_followed_by_the_desk(tmp_path: Path) -> None:
    ui = ScriptedUi()
    support.after_error(_ctx(tmp_path, DESK, ui), LOCKED_OUT)
    assert ui.said == ["Support desk: 1900 54 54 54", "Support email: hotro@ca.example.vn"]


@pytest.mark.parametrize(("contact", "error"), [
    (DESK, ApiError(423, "method_locked", "Locked. Please contact the support desk on "
                                          "1900 54 54 54 (email hotro@ca.example.vn).")),
    (DESK, ApiError(400, "invalid_otp", "The OTP is wrong.")),  # no desk needed
    (NONE, LOCKED_OUT),  # nothing to add to the server's own words
    (DESK, ServerUnreachable(SERVER, "timeout")),
])
def test_nothing_is_said_twice_or_out_of_place(tmp_path: Path, contact: dict[str, Any],
                                               error: Any) -> None:
    ui = ScriptedUi()
    support.after_error(_ctx(tmp_path, contact, ui), error)
    assert ui.said == []


def test_about_without_a_desk_says_so_in_words(tmp_path: Path) -> None:
    ui = ScriptedUi()
    support.about(_ctx(tmp_path, NONE, ui))
    assert ui.said[0].startswith("kyso app ") and SERVER in ui.said[0]
    assert ui.said[1:] == ["The provider has published no support number; please contact the "
                           "provider's office."]


def test_the_lock_notice_names_the_desk_in_each_language() -> None:
    named = support.with_desk(METHOD_LOCKED, Contact(phone="1900 54 54 54"))
    assert named.render("both", method="sms") == (
        "Đã tạm khóa phương thức sms. Để mở khóa, Quý khách vui lòng liên hệ tổng đài hỗ trợ "
        "1900 54 54 54. / The sms method is locked. To unlock it, please contact the support "
        "desk on 1900 54 54 54.")
    unknown = support.with_desk(METHOD_LOCKED, None).render("vi", method="sms")
    assert unknown.endswith("liên hệ bộ phận hỗ trợ khách hàng của nhà cung cấp dịch vụ.")
