"""The HTTP seam: every failure of the server or the network becomes one of the app's errors."""

from __future__ import annotations

import json

import httpx
import pytest

from kyso.app.client import KysoClient
from kyso.app.errors import ApiError, AppError, BadResponse, NotLoggedIn, ServerUnreachable
from kyso.app.i18n import Lang
from kyso.secrets import Secret

SERVER = "http://kyso.test"


def _client(handler: httpx.MockTransport | None = None, *, session: Secret | None = None,
            lang: Lang = "vi") -> KysoClient:
    return KysoClient(SERVER, transport=handler, session=session, lang=lang)


def _answer(status: int, body: object) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(status, json=body))


def test_an_error_answer_becomes_one_exception_with_code_and_description() -> None:
    body = {"error": "invalid_otp", "error_description": "Mã OTP không đúng."}
    with pytest.raises(ApiError) as caught:
        _client(_answer(400, body), session=Secret("t")).verify("123456")
    assert (caught.value.status, caught.value.code) == (400, "invalid_otp")
    assert caught.value.describe("both") == "Mã OTP không đúng."


def test_an_answer_that_is_not_json_still_gives_a_clear_error() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(502, text="<html>bad gateway"))
    with pytest.raises(ApiError) as caught:
        _client(transport).time()
    assert caught.value.code == "http_502" and "502" in caught.value.describe("en")


def test_no_answer_is_server_unreachable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(ServerUnreachable) as caught:
        _client(httpx.MockTransport(refuse)).time()
    assert SERVER in caught.value.describe("vi") and "Không kết nối" in caught.value.describe("vi")


def test_a_timeout_is_server_unreachable() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(ServerUnreachable, match="timeout"):
        _client(httpx.MockTransport(slow)).time()


def test_a_malformed_success_is_bad_response() -> None:
    with pytest.raises(BadResponse):
        _client(_answer(200, {"time": "yesterday"})).time()
    with pytest.raises(BadResponse):
        _client(_answer(200, [{"id": 1}]), session=Secret("t")).transactions()


def test_session_calls_without_a_session_fail_before_sending() -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    transport = httpx.MockTransport(record)
    with pytest.raises(NotLoggedIn):
        _client(transport).status()
    assert sent == []


def test_headers_carry_the_session_and_the_language() -> None:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    _client(httpx.MockTransport(record), session=Secret("s3cr3t"), lang="en").verify("1")
    request = seen[0]
    assert request.headers["authorization"] == "Bearer s3cr3t"
    assert request.headers["accept-language"] == "en"
    assert request.url == f"{SERVER}/api/v1/smartotp/verify"
    assert json.loads(request.content) == {"code": "1"}


def test_a_typed_id_stays_one_path_segment() -> None:
    seen: list[str] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return httpx.Response(200, json={})

    client = _client(httpx.MockTransport(record), session=Secret("t"))
    with pytest.raises(BadResponse):
        client.transaction("../me?x=1")
    assert seen == ["/api/v1/transactions/..%2Fme%3Fx%3D1"]
    with pytest.raises(AppError):
        client.reject("..")
