"""Out-of-band one-time codes: six digits sent by SMS or email for one named purpose.

Rules: valid ``ttl`` seconds (at most five minutes), single use, ``max_attempts`` wrong tries
burn the code, a new code supersedes the old, resend after ``resend_seconds``, at most
``max_sends_per_hour`` per account and purpose. Only an HMAC of each code is stored.
"""

from __future__ import annotations

import hmac
import math
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta
from hashlib import sha256

from kyso.audit.model import AuditEvent, Outcome
from kyso.clock import Clock
from kyso.notify.model import Channel
from kyso.notify.ports import EmailContent
from kyso.notify.service import Notifier
from kyso.otp.errors import InvalidOtp, OtpExpired, ResendTooSoon, SendLimitReached
from kyso.otp.model import OtpCode, Purpose, SentCode
from kyso.uow import UnitOfWork

__all__ = ["OobPolicy", "OobService", "Recipient", "mask"]


@dataclass(frozen=True)
class OobPolicy:
    ttl_seconds: int = 300
    max_attempts: int = 5
    resend_seconds: int = 60
    max_sends_per_hour: int = 5

    def __post_init__(self) -> None:
        if not 0 < self.ttl_seconds <= 300:
            raise ValueError("an out-of-band code lives at most 5 minutes")


@dataclass(frozen=True)
class Recipient:
    account_id: str
    phone: str
    email: str
    locale: str = "vi"


def mask(destination: str) -> str:
    """``+84912345678`` → ``+8491*****78``; ``an@example.vn`` → ``a*@example.vn``."""
    if "@" in destination:
        user, _, domain = destination.partition("@")
        return f"{user[:1]}{'*' * max(1, len(user) - 1)}@{domain}"
    return destination[:4] + "*" * max(0, len(destination) - 6) + destination[-2:]


class OobService:
    def __init__(self, clock: Clock, notifier: Notifier, pepper: bytes, policy: OobPolicy) -> None:
        self._clock = clock
        self._notifier = notifier
        self._pepper = pepper
        self.policy = policy

    def send(
        self, uow: UnitOfWork, to: Recipient, purpose: Purpose, channel: Channel = Channel.SMS
    ) -> SentCode:
        """Create a code and queue its message in the caller's transaction."""
        now = self._clock.now()
        self._check_send_limits(uow, to.account_id, purpose)
        code = f"{secrets.randbelow(10**6):06d}"
        record = OtpCode(
            id=str(uuid.uuid4()),
            account_id=to.account_id,
            purpose=purpose,
            channel=channel,
            code_mac="",
            created_at=now,
            expires_at=now + timedelta(seconds=self.policy.ttl_seconds),
        )
        uow.otp_codes.supersede(to.account_id, purpose)
        uow.otp_codes.add(replace(record, code_mac=self._mac(record.id, code)))
        destination = self._queue(uow, to, purpose, channel, code)
        self._audit(uow, "otp.sent", Outcome.INFO, to.account_id, purpose, channel=channel.value)
        return SentCode(
            purpose, channel, mask(destination), record.expires_at,
            now + timedelta(seconds=self.policy.resend_seconds),
        )

    def rehearse(self, purpose: Purpose, channel: Channel, locale: str = "vi") -> None:
        """The work of :meth:`send` for nobody: a code, its HMAC and its sealed message, all
        thrown away. An answer that must not tell whether an account exists (a password
        code for an unknown login) does this instead of sending."""
        code = f"{secrets.randbelow(10**6):06d}"
        self._mac(str(uuid.uuid4()), code)
        self._notifier.seal(self._content(purpose, channel, code, locale))

    def verify(self, uow: UnitOfWork, account_id: str, purpose: Purpose, code: str) -> None:
        """Consume the code or raise. A wrong try is counted in the caller's transaction:
        the caller must commit before re-raising so that the count survives."""
        now = self._clock.now()
        record = uow.otp_codes.latest(account_id, purpose)
        if record is None or not record.usable(now, self.policy.max_attempts):
            self._audit(uow, "otp.rejected", Outcome.FAILURE, account_id, purpose, reason="stale")
            raise OtpExpired()
        if not hmac.compare_digest(record.code_mac, self._mac(record.id, code.strip())):
            uow.otp_codes.save(replace(record, attempts=record.attempts + 1))
            self._audit(uow, "otp.rejected", Outcome.FAILURE, account_id, purpose, reason="wrong")
            raise InvalidOtp()
        uow.otp_codes.save(replace(record, consumed_at=now))
        self._audit(uow, "otp.verified", Outcome.SUCCESS, account_id, purpose)

    def refuse(self, uow: UnitOfWork, purpose: Purpose, code: str) -> None:
        """The work of a refused :meth:`verify` for nobody (an unknown login): the same HMAC
        and comparison and the same audited refusal; the caller commits and raises
        :class:`InvalidOtp` as for a wrong code."""
        expected = secrets.token_hex(32)
        hmac.compare_digest(expected, self._mac(str(uuid.uuid4()), code.strip()))
        uow.audit.append(AuditEvent("otp.rejected", Outcome.FAILURE,
                                    details={"purpose": purpose.value, "reason": "unknown"}),
                         self._clock.now())

    def _check_send_limits(self, uow: UnitOfWork, account_id: str, purpose: Purpose) -> None:
        now = self._clock.now()
        last = uow.otp_codes.latest(account_id, purpose)
        if last is not None:
            wait = self.policy.resend_seconds - (now - last.created_at).total_seconds()
            if wait > 0:
                raise ResendTooSoon(retry_after=max(1, math.ceil(wait)))
        since = now - timedelta(hours=1)
        if uow.otp_codes.count_since(account_id, purpose, since) >= self.policy.max_sends_per_hour:
            self._audit(uow, "otp.send_limited", Outcome.FAILURE, account_id, purpose)
            raise SendLimitReached(retry_after=3600)

    def _queue(
        self, uow: UnitOfWork, to: Recipient, purpose: Purpose, channel: Channel, code: str
    ) -> str:
        content = self._content(purpose, channel, code, to.locale)
        if channel is Channel.SMS:
            self._notifier.queue_sms(uow, to.phone, content.text, account_id=to.account_id,
                                     purpose=purpose.value)
            return to.phone
        self._notifier.queue_email(uow, to.email, content, account_id=to.account_id,
                                   purpose=purpose.value)
        return to.email

    def _content(self, purpose: Purpose, channel: Channel, code: str,
                 locale: str) -> EmailContent:
        minutes = max(1, self.policy.ttl_seconds // 60)
        if locale == "en":
            text = (f"kyso: your OTP to {purpose.en} is {code}; valid for {minutes} minutes; "
                    "do not share this code with anyone.")
        else:
            text = (f"kyso: Mã OTP để {purpose.vi} là {code}; có hiệu lực {minutes} phút; "
                    "không chia sẻ mã này với bất kỳ ai.")
        if channel is Channel.SMS:
            return EmailContent("", text)
        return EmailContent(f"Mã OTP {purpose.vi}" if locale != "en" else f"OTP to {purpose.en}",
                            text)

    def _mac(self, code_id: str, code: str) -> str:
        return hmac.new(self._pepper, f"{code_id}:{code}".encode(), sha256).hexdigest()

    def _audit(
        self, uow: UnitOfWork, action: str, outcome: Outcome, account_id: str, purpose: Purpose,
        **details: str,
    ) -> None:
        event = AuditEvent(action, outcome, actor=account_id, subject=account_id,
                           details={"purpose": purpose.value, **details})
        uow.audit.append(event, self._clock.now())
