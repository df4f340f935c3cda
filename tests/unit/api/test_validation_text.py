"""Request-validation errors become sentences in the caller's language, never pydantic's
English with a field's code name."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from kyso.entrypoints.api.errors import install_error_handlers
from kyso.entrypoints.api.validation_text import describe


class _Body(BaseModel):
    pin: str = Field(min_length=1, max_length=12)
    username: str = Field(min_length=3)
    page: int = Field(1, ge=1)


def _app() -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/x")
    def x(body: _Body) -> dict[str, str]:
        return {}

    return TestClient(app)


def test_the_reported_sentence_is_vietnamese() -> None:
    r = _app().post("/x", json={"pin": "", "username": "an"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    assert r.json()["error_description"] == (
        "Mã PIN không được để trống. Tên đăng nhập phải có ít nhất 3 ký tự.")


def test_english_on_request_and_numbers_and_missing_fields() -> None:
    r = _app().post("/x", json={"pin": "1", "page": 0}, headers={"Accept-Language": "en"})
    assert r.json()["error_description"] == "Username is required. Page must be 1 or more."
    vi = _app().post("/x", content=b"{", headers={"Content-Type": "application/json"})
    assert vi.json()["error_description"] == "Nội dung gửi lên không phải JSON hợp lệ."


def test_an_unknown_field_or_type_is_still_a_sentence_without_code() -> None:
    said = describe([{"type": "weird", "loc": ("body", "x_internal"), "msg": "boom"}], "vi")
    assert said == "Thông tin gửi lên không hợp lệ."
    assert describe([{"type": "weird", "loc": ("body", "x_internal")}], "en") == \
        "X_internal is not valid."
    assert describe([{"type": "enum", "loc": ("query", "level"),
                      "ctx": {"expected": "'B-B', 'B-T'"}}], "vi") == \
        "Mức chữ ký phải là một trong: B-B, B-T."
