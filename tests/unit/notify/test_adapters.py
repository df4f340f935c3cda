"""Delivery adapters without a network: message building, the HTTP seam, the dev inbox."""

from __future__ import annotations

import email
import email.policy
import json

import httpx
import pytest
from pydantic import SecretStr

from kyso.adapters.email import SmtpEmailSender, build_message
from kyso.adapters.local_delivery import LocalDelivery
from kyso.adapters.sms import HttpSmsSender
from kyso.notify.ports import DeliveryError, EmailContent

TOKEN = "gw-token-s3cr3t"
SUBJECT = "Mã OTP ký hợp đồng"


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_a_vietnamese_message_is_ascii_on_the_wire_and_decodes_back():
    content = EmailContent(SUBJECT, "Mã của bạn: 123456", "<p>Mã của bạn: <b>123456</b></p>")
    raw = build_message("Kýsố <no-reply@kyso.vn>", "an@example.vn", content).as_bytes()
    raw.decode("ascii")  # RFC 2047 headers, quoted-printable bodies: 7-bit clean
    msg = parse(raw)
    assert msg["Subject"] == SUBJECT and msg["From"].addresses[0].display_name == "Kýsố"
    assert msg.get_content_type() == "multipart/alternative"
    plain, html = msg.get_payload()
    assert (
        plain.get_content_type() == "text/plain" and plain.get_content() == "Mã của bạn: 123456\n"
    )
    assert html.get_content_type() == "text/html" and "<b>123456</b>" in html.get_content()
    assert msg["Message-ID"].endswith("@kyso.vn>") and msg["Date"]


def test_a_text_only_message_is_not_multipart():
    msg = parse(
        build_message(
            "no-reply@kyso.vn", "an@example.vn", EmailContent("Chào", "Xin chào")
        ).as_bytes()
    )
    assert msg.get_content_type() == "text/plain" and msg.get_content_charset() == "utf-8"


@pytest.mark.parametrize(
    "kw",
    [
        {"port": 0},
        {"timeout": 0},
        {"mail_from": "kyso"},
        {"host": ""},
        {"username": "u", "password": None},
        {"username": "u", "password": SecretStr("mật-khẩu")},  # smtplib encodes AUTH as ASCII
        {"username": "người-dùng", "password": SecretStr("p")},
        {"host": "smtp.example.vn", "username": "u", "password": SecretStr("p")},  # no STARTTLS
    ],
)
def test_smtp_settings_are_validated(kw):
    args = {
        "host": "127.0.0.1",
        "port": 25,
        "username": None,
        "password": None,
        "starttls": False,
        "timeout": 1.0,
        "mail_from": "no-reply@kyso.vn",
    } | kw
    with pytest.raises(ValueError):
        SmtpEmailSender(**args)


def test_smtp_sender_repr_shows_no_password():
    sender = SmtpEmailSender("127.0.0.1", 25, "u", SecretStr("hunter2"), False, 1.0, "a@kyso.vn")
    assert "hunter2" not in repr(sender) and "hunter2" not in str(vars(sender))


class Gateway:
    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, json={"echo": json.loads(request.content)})


def sender_for(gateway, token=SecretStr(TOKEN)):
    return HttpSmsSender(
        "https://sms.example/send", token, 2.0, transport=httpx.MockTransport(gateway)
    )


def test_sms_is_a_json_post_with_a_bearer_token():
    gateway = Gateway()
    sender_for(gateway).send_sms("+84912345678", "Mã: 123456")
    [request] = gateway.requests
    assert request.method == "POST" and str(request.url) == "https://sms.example/send"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {"to": "+84912345678", "text": "Mã: 123456"}


def test_without_a_token_no_authorization_is_sent():
    gateway = Gateway()
    sender_for(gateway, token=None).send_sms("+84912345678", "x")
    assert "Authorization" not in gateway.requests[0].headers


@pytest.mark.parametrize("status", [500, 503, 401, 302, 404])
def test_a_non_2xx_answer_is_a_delivery_error_without_the_text(status):
    with pytest.raises(DeliveryError) as caught:
        sender_for(Gateway(status)).send_sms("+84912345678", "Mã: 123456")
    assert str(status) in str(caught.value)
    assert "123456" not in str(caught.value) and TOKEN not in str(caught.value)
    assert caught.value.__cause__ is None


def test_a_transport_failure_is_a_delivery_error():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(DeliveryError, match="unreachable: ConnectError"):
        sender_for(refuse).send_sms("+84912345678", "x")


def test_a_timeout_is_a_delivery_error():
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(DeliveryError, match="timed out"):
        sender_for(slow).send_sms("+84912345678", "x")


@pytest.mark.parametrize("url", ["ftp://sms.example", "sms.example/send"])
def test_the_gateway_url_is_validated(url):
    with pytest.raises(ValueError):
        HttpSmsSender(url, None, 1.0)


def test_sms_sender_repr_shows_no_token():
    assert TOKEN not in repr(sender_for(Gateway()))


def test_local_delivery_prints_one_line_per_message():
    lines: list[str] = []
    local = LocalDelivery(lines.append)
    local.send_sms("+84912345678", "Mã OTP:\n123456")
    local.send_email("an@example.vn", EmailContent("Mã OTP", "Dòng 1\n\nDòng 2", "<p>x</p>"))
    assert lines == [
        "[dev inbox] SMS to +84912345678: Mã OTP: 123456",
        "[dev inbox] email to an@example.vn: Mã OTP | Dòng 1 Dòng 2",
    ]
    assert local.delivers_locally is True


def test_local_delivery_goes_to_stderr_by_default(capsys):
    LocalDelivery().send_sms("+84912345678", "123456")
    assert capsys.readouterr().err == "[dev inbox] SMS to +84912345678: 123456\n"
