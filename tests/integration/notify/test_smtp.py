"""Email through a real SMTP server (aiosmtpd on loopback), end to end through the worker."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import socket
import ssl
import time

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import SecretStr

from kyso.adapters.email import SmtpEmailSender
from kyso.adapters.local_delivery import LocalDelivery
from kyso.notify.model import DeliveryStatus
from kyso.notify.ports import DeliveryError, EmailContent
from kyso.notify.service import Notifier
from kyso.notify.worker import OutboxWorker

CODE = "604219"
PASSWORD = "smtp-pass-42"
OTP = EmailContent(
    subject="Mã xác thực kyso: ký hợp đồng",
    text=f"Xin chào Nguyễn Văn An,\nMã OTP của bạn là {CODE}. Mã có hiệu lực 5 phút.",
    html=f"<p>Xin chào Nguyễn Văn An,</p><p>Mã OTP của bạn là <b>{CODE}</b>.</p>",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


def check_login(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)  # aiosmtpd answers 535 itself


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def self_signed() -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "smtp.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


@pytest.fixture
def tls_smtp_server(tmp_path):
    cert_pem, key_pem = self_signed()
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    (tmp_path / "key.pem").write_bytes(key_pem)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=server_ctx,
        require_starttls=True,
        auth_required=True,
        authenticator=check_login,
    )
    controller.start()
    yield controller, inbox, ssl.create_default_context(cadata=cert_pem.decode())
    controller.stop()


def smtp_sender(port: int, **kw) -> SmtpEmailSender:
    args = {"username": None, "password": None, "starttls": False, "timeout": 5.0} | kw
    return SmtpEmailSender("127.0.0.1", port, mail_from="kyso <no-reply@kyso.vn>", **args)


def test_the_worker_delivers_a_vietnamese_otp_email(smtp_server, uow_factory, envelope, clock):
    controller, inbox = smtp_server
    notifier = Notifier(envelope, clock)
    with uow_factory() as uow:
        queued = notifier.queue_email(uow, "an.nguyen@example.vn", OTP, purpose="SIGN")
        uow.commit()
    worker = OutboxWorker(
        uow_factory,
        envelope,
        smtp_sender(controller.port),
        LocalDelivery(),
        clock,
        max_attempts=3,
        backoff_seconds=5,
    )
    assert worker.run_once() == 1

    [received] = inbox.envelopes
    assert received.mail_from == "no-reply@kyso.vn" and received.rcpt_tos == [
        "an.nguyen@example.vn"
    ]
    received.content.decode("ascii")  # 7-bit clean on the wire
    msg = email.message_from_bytes(received.content, policy=email.policy.default)
    assert msg["Subject"] == OTP.subject and msg["To"] == "an.nguyen@example.vn"
    assert msg.get_content_type() == "multipart/alternative"
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert plain.replace("\r\n", "\n").rstrip("\n") == OTP.text and f"<b>{CODE}</b>" in html

    with uow_factory() as uow:
        sent = uow.outbox.get(queued.id)
    assert sent.status is DeliveryStatus.SENT and sent.sealed_body is None
    assert worker.run_once() == 0 and len(inbox.envelopes) == 1


def test_starttls_and_login_with_a_password(tls_smtp_server):
    controller, inbox, client_ctx = tls_smtp_server
    sender = smtp_sender(
        controller.port,
        username="kyso",
        password=SecretStr(PASSWORD),
        starttls=True,
        tls_context=client_ctx,
    )
    sender.send_email("an@example.vn", OTP)
    assert len(inbox.envelopes) == 1


def test_a_wrong_password_is_a_delivery_error_that_does_not_repeat_it(tls_smtp_server):
    controller, inbox, client_ctx = tls_smtp_server
    wrong = "wrong-pass-17"
    sender = smtp_sender(
        controller.port,
        username="kyso",
        password=SecretStr(wrong),
        starttls=True,
        tls_context=client_ctx,
    )
    with pytest.raises(DeliveryError, match="refused: 535") as caught:
        sender.send_email("an@example.vn", OTP)
    assert wrong not in str(caught.value) and caught.value.__cause__ is None
    assert inbox.envelopes == []


def test_an_untrusted_certificate_is_a_delivery_error(tls_smtp_server):
    controller, inbox, _ = tls_smtp_server
    sender = smtp_sender(
        controller.port, username="kyso", password=SecretStr(PASSWORD), starttls=True
    )  # the system trust store does not know the test CA
    with pytest.raises(DeliveryError, match="SSLCertVerificationError"):
        sender.send_email("an@example.vn", OTP)
    assert inbox.envelopes == []


def test_a_refused_connection_is_a_delivery_error():
    with pytest.raises(DeliveryError, match="connection refused"):
        smtp_sender(free_port()).send_email("an@example.vn", OTP)


def test_a_silent_server_times_out_as_a_delivery_error():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # accepts the connection but never greets
        started = time.monotonic()
        with pytest.raises(DeliveryError):
            smtp_sender(listener.getsockname()[1], timeout=0.3).send_email("an@example.vn", OTP)
    assert time.monotonic() - started < 2
