"""The activation code: six digits sent by SMS and by email to the registration's contact,
valid ``ttl_seconds`` (shown as a countdown), resent after ``resend_seconds`` at most
``max_sends`` times, and burnt after ``max_attempts`` wrong tries. Only an HMAC is kept;
the check is constant-time."""

from __future__ import annotations

import hmac
import math
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from hashlib import sha256

from kyso.errors import Text, TooManyRequests
from kyso.notify.ports import EmailContent
from kyso.notify.service import Notifier
from kyso.onboarding.errors import ActivationExpired, ActivationLocked, InvalidActivationCode
from kyso.onboarding.model import ActivationCode, Registration
from kyso.uow import UnitOfWork

__all__ = ["ActivationPolicy", "Activator"]

PURPOSE = "ONBOARDING_ACTIVATION"


@dataclass(frozen=True)
class ActivationPolicy:
    ttl_seconds: int = 300
    resend_seconds: int = 60
    max_sends: int = 5
    max_attempts: int = 5

    def __post_init__(self) -> None:
        if not 0 < self.ttl_seconds <= 300:
            raise ValueError("an activation code lives at most 5 minutes")


class Activator:
    def __init__(self, notifier: Notifier, pepper: bytes, policy: ActivationPolicy) -> None:
        self._notifier, self._pepper, self.policy = notifier, pepper, policy

    def send(self, uow: UnitOfWork, registration: Registration, now: datetime) -> ActivationCode:
        """A new code (the old one dies), queued by SMS and email in the caller's transaction."""
        old = registration.activation
        if old is not None:
            wait = (old.sent_at + timedelta(seconds=self.policy.resend_seconds) - now)
            if wait.total_seconds() > 0:
                raise TooManyRequests(retry_after=max(1, math.ceil(wait.total_seconds())))
            if old.sends >= self.policy.max_sends:
                raise TooManyRequests(Text("hồ sơ đăng ký này đã hết lượt gửi mã kích hoạt",
                                           "no more activation codes for this registration"),
                                      retry_after=3600)
        code = f"{secrets.randbelow(10**6):06d}"
        minutes = self.policy.ttl_seconds // 60
        account = uow.accounts.get(registration.account_id)
        lang = account.locale if account is not None else "vi"
        text = Text(f"kyso: Mã kích hoạt đăng ký chứng thư số của Quý khách là {code}; có hiệu lực "
                    f"{minutes} phút; không chia sẻ mã này với bất kỳ ai.",
                    f"kyso: the activation code of your certificate registration is {code}; "
                    f"valid for {minutes} minutes; do not share it with anyone.").pick(lang)
        subject = Text("Mã kích hoạt chứng thư số kyso",
                       "kyso certificate activation code").pick(lang)
        contact = registration.contact
        self._notifier.queue_sms(uow, contact.phone, text, account_id=registration.account_id,
                                 purpose=PURPOSE)
        self._notifier.queue_email(uow, contact.email, EmailContent(subject, text),
                                   account_id=registration.account_id, purpose=PURPOSE)
        return ActivationCode(self._mac(registration.id, code), now,
                              now + timedelta(seconds=self.policy.ttl_seconds),
                              sends=(old.sends + 1) if old else 1)

    def check(self, registration: Registration, code: str, now: datetime) -> ActivationCode:
        """The code's record after this try; raises after counting a wrong one (the caller
        saves the returned record first: see :meth:`counted`)."""
        record = registration.activation
        if record is None or now >= record.expires_at:
            raise ActivationExpired()
        if record.attempts >= self.policy.max_attempts:
            raise ActivationLocked()
        if not hmac.compare_digest(record.code_mac, self._mac(registration.id, code.strip())):
            raise InvalidActivationCode()
        return record

    @staticmethod
    def counted(record: ActivationCode) -> ActivationCode:
        return replace(record, attempts=record.attempts + 1)

    def _mac(self, registration_id: str, code: str) -> str:
        return hmac.new(self._pepper, f"{registration_id}:{code}".encode(), sha256).hexdigest()
