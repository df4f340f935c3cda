"""Email over SMTP (optionally STARTTLS and AUTH), with the standard library.

Messages are UTF-8 ``EmailMessage`` objects: non-ASCII subjects and names are RFC 2047
encoded, bodies quoted-printable, and an HTML part makes the message multipart/alternative.
Every failure of the connection or of the server becomes a :class:`DeliveryError` here,
carrying the server's reply code but never the password.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from pydantic import SecretStr

from kyso.notify.ports import DeliveryError, EmailContent

__all__ = ["SmtpEmailSender", "build_message"]


def build_message(mail_from: str, to: str, content: EmailContent) -> EmailMessage:
    """The message as sent: ``From``, ``To``, ``Subject``, ``Date``, ``Message-ID``, body.

    The Message-ID is the outbox row's (``content.message_id``) when there is one: the same
    for every attempt, so a resend after a worker's crash is recognisable as a duplicate."""
    msg = EmailMessage()
    msg["From"] = mail_from
    msg["To"] = to
    msg["Subject"] = content.subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = (_stable_msgid(content.message_id, _domain(mail_from))
                         if content.message_id else make_msgid(domain=_domain(mail_from)))
    msg.set_content(content.text, charset="utf-8", cte="quoted-printable")
    if content.html is not None:
        msg.add_alternative(content.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return msg


class SmtpEmailSender:
    """Send each message over a new SMTP connection (the outbox worker sends few, in batches)."""

    def __init__(
        self,
        host: str,
        port: int,
        username: str | None,
        password: SecretStr | None,
        starttls: bool,
        timeout: float,
        mail_from: str,
        *,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        if not host or not 0 < port < 65536 or timeout <= 0:
            raise ValueError("SMTP needs a host, a port in 1..65535 and a positive timeout")
        if "@" not in parseaddr(mail_from)[1]:
            raise ValueError("mail_from must hold an address")
        if username and password is None:
            raise ValueError("an SMTP username needs a password")
        if not (username or "").isascii() or not _secret(password).isascii():
            raise ValueError("smtplib sends only ASCII SMTP usernames and passwords")
        if username and not starttls and not _is_loopback(host):
            raise ValueError("SMTP login needs STARTTLS: the password would travel in clear")
        self._host, self._port, self._timeout = host, port, timeout
        self._username, self._password = username, password
        self._starttls = starttls
        self._tls_context = tls_context
        self._mail_from = mail_from

    def __repr__(self) -> str:
        return f"SmtpEmailSender({self._host}:{self._port}, starttls={self._starttls})"

    def send_email(self, to: str, content: EmailContent) -> None:
        msg = build_message(self._mail_from, to, content)
        try:
            with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
                self._secure_and_login(smtp)
                smtp.send_message(msg)
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"SMTP server refused: {exc.smtp_code}") from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({str(code) for code, _ in exc.recipients.values()})
            raise DeliveryError(f"SMTP server refused the recipient: {', '.join(codes)}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP {self._host}:{self._port}: {_reason(exc)}") from None

    def _secure_and_login(self, smtp: smtplib.SMTP) -> None:
        if self._starttls:
            smtp.starttls(context=self._tls_context or ssl.create_default_context())
        if self._username and self._password is not None:
            smtp.login(self._username, self._password.get_secret_value())


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


def _is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return type(exc).__name__


def _stable_msgid(message_id: str, domain: str) -> str:
    local = "".join(c for c in message_id if c.isascii() and (c.isalnum() or c in "-._"))
    return f"<kyso.{local}@{domain}>"


def _domain(mail_from: str) -> str:
    return parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"
