"""Sign-up with the phone and the email proven by codes before the account is active.

``start`` checks what the person typed (password and account-PIN rules), then either makes
a *pending* account and sends a code by SMS to the phone and one by email to the address, or
— when the phone or the email already belongs to an account — makes nothing, tells that
account's owner by SMS and email, and answers exactly the same (an id, the masked phone and
email, the codes' expiry): the answer never says whether a phone or email is registered.
``verify`` takes both codes and activates the account; a wrong code, an unknown id or an
id answered for a taken identifier all fail the same way.

A pending account holds its phone and email only until someone signs up with them again:
the newer sign-up releases the older, unproven one (closed, its identifiers freed), so
nobody can squat on another person's phone or email.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from kyso.accounts.errors import IdentifierTaken
from kyso.accounts.model import Account, AccountStatus
from kyso.accounts.service import AccountService, NewAccount, recipient
from kyso.audit.model import AuditEvent, Outcome
from kyso.clock import Clock
from kyso.errors import Text
from kyso.notify.model import Channel
from kyso.notify.ports import EmailContent
from kyso.notify.service import Notifier
from kyso.otp.errors import InvalidOtp
from kyso.otp.model import Purpose
from kyso.otp.oob import OobService, mask
from kyso.uow import UnitOfWork, UnitOfWorkFactory, failures_kept

__all__ = ["PendingSignUp", "SignUpService", "SignUpStart"]

_ATTEMPTS = 3  # a lost race is retried: the second attempt sees the winner's row
_CODES = ((Purpose.SIGNUP_PHONE, Channel.SMS), (Purpose.SIGNUP_EMAIL, Channel.EMAIL))
_TOLD = Text("kyso: Có người vừa dùng {what} của Quý khách để đăng ký một tài khoản kyso mới. "
             "Tài khoản của Quý khách vẫn an toàn. Nếu Quý khách quên mật khẩu, hãy chọn "
             "\"Quên mật khẩu\" trên màn hình đăng nhập.",
             "kyso: someone has just used your {what} to sign up for a new kyso account. "
             "Your account is safe. If you forgot your password, choose \"Forgot password\" "
             "on the login screen.")
_TOLD_SUBJECT = Text("Có người đăng ký bằng thông tin của Quý khách",
                     "Someone signed up with your details")


@dataclass(frozen=True)
class SignUpStart:
    full_name: str
    phone: str
    email: str
    password: str
    pin: str
    locale: str = "vi"


@dataclass(frozen=True)
class PendingSignUp:
    """What the person is told: where the codes went and until when."""

    id: str
    phone: str  # masked
    email: str  # masked
    expires_at: datetime


class SignUpService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, accounts: AccountService,
                 oob: OobService, notifier: Notifier) -> None:
        self._uow, self._clock, self._accounts = uow_factory, clock, accounts
        self._oob, self._notifier = oob, notifier

    def start(self, form: SignUpStart, *, ip: str | None = None) -> PendingSignUp:
        account = self._accounts.build(NewAccount(
            username=f"kh-{secrets.token_hex(6)}", password=form.password, pin=form.pin,
            full_name=form.full_name, phone=form.phone, email=form.email, locale=form.locale))
        account = replace(account, status=AccountStatus.PENDING)
        for _ in range(_ATTEMPTS):
            try:
                return self._start(account, ip)
            except IdentifierTaken:
                continue  # a concurrent sign-up committed the phone/email: look again
        return self._answer(str(uuid.uuid4()), account)  # the same answer, never a 500

    def _start(self, account: Account, ip: str | None) -> PendingSignUp:
        """One attempt; :class:`IdentifierTaken` when a concurrent sign-up stored the same
        phone or email after this one looked (the next attempt sees it and answers as for
        any taken or pending identifier)."""
        with self._uow() as uow:
            owners = self._holders(uow, account)
            if owners:
                self._tell_owners(uow, account, owners, ip)
                uow.commit()
                return self._answer(str(uuid.uuid4()), account)
            uow.accounts.add(account)
            for purpose, channel in _CODES:
                self._oob.send(uow, recipient(account), purpose, channel)
            self._audit(uow, "account.signup_started", account.id, ip=ip)
            uow.commit()
        return self._answer(account.id, account)

    def verify(self, signup_id: str, phone_code: str, email_code: str) -> Account:
        with self._uow() as uow:
            account = uow.accounts.get(signup_id[:36], for_update=True)
            if account is None or account.status is not AccountStatus.PENDING:
                raise InvalidOtp()
            with failures_kept(uow):
                for purpose, code in ((Purpose.SIGNUP_PHONE, phone_code),
                                      (Purpose.SIGNUP_EMAIL, email_code)):
                    self._prove(uow, account.id, purpose, code)
            account = replace(account, status=AccountStatus.ACTIVE, created_at=self._clock.now())
            uow.accounts.save(account)
            self._audit(uow, "account.created", account.id, role=account.role.value)
            self._notifier.post(uow, account.id,
                                Text("Chào mừng Quý khách đến với kyso", "Welcome to kyso"),
                                Text("Số điện thoại và email của Quý khách đã được xác minh. Bước "
                                     "tiếp theo: đăng ký SmartOTP và đăng ký chứng thư số.",
                                     "Your phone number and email are verified. Next: register "
                                     "SmartOTP and apply for a certificate."))
            uow.commit()
            return account

    @property
    def resend_seconds(self) -> int:
        """How long after a code is sent another can be sent to the same place."""
        return self._oob.policy.resend_seconds

    def resend(self, signup_id: str, channel: Channel) -> datetime:
        """A new code to the phone (SMS) or the email, valid until the time returned; an
        unknown id answers the same."""
        purpose = Purpose.SIGNUP_PHONE if channel is Channel.SMS else Purpose.SIGNUP_EMAIL
        with self._uow() as uow:
            account = uow.accounts.get(signup_id[:36])
            if account is not None and account.status is AccountStatus.PENDING:
                self._oob.send(uow, recipient(account), purpose, channel)
                uow.commit()
        return self._clock.now() + timedelta(seconds=self._oob.policy.ttl_seconds)

    # -- helpers ------------------------------------------------------------------------
    def _prove(self, uow: UnitOfWork, account_id: str, purpose: Purpose, code: str) -> None:
        """Check one code, unless it was proven by an earlier try (whose other code was
        wrong): a proven code is the consumed newest one."""
        latest = uow.otp_codes.latest(account_id, purpose)
        if latest is None or latest.consumed_at is None:
            self._oob.verify(uow, account_id, purpose, code)

    def _holders(self, uow: UnitOfWork, account: Account) -> list[tuple[Text, Account]]:
        """The accounts holding the phone or the email; older pending ones are released."""
        owners: list[tuple[Text, Account]] = []
        for what, value in ((Text("số điện thoại", "phone number"), account.phone),
                            (Text("địa chỉ email", "email address"), account.email)):
            holder = uow.accounts.find_by_login(value, for_update=True)
            if holder is None:
                continue
            if holder.status is AccountStatus.PENDING:
                self._release(uow, holder)
            else:
                owners.append((what, holder))
        return owners

    def _release(self, uow: UnitOfWork, pending: Account) -> None:
        tag = pending.id.replace("-", "")[:18]
        uow.accounts.save(replace(pending, status=AccountStatus.CLOSED,
                                  username=f"released-{pending.id}", phone=f"+0{tag}",
                                  email=f"{pending.id}@released.invalid"))
        self._audit(uow, "account.signup_released", pending.id)

    def _tell_owners(self, uow: UnitOfWork, account: Account,
                     owners: list[tuple[Text, Account]], ip: str | None) -> None:
        for what, owner in owners:
            lang = owner.locale
            text = _TOLD.pick(lang).format(what=what.pick(lang))
            self._notifier.queue_sms(uow, owner.phone, text, account_id=owner.id,
                                     purpose="SIGNUP_EXISTING")
            self._notifier.queue_email(uow, owner.email,
                                       EmailContent(_TOLD_SUBJECT.pick(lang), text),
                                       account_id=owner.id, purpose="SIGNUP_EXISTING")
            self._audit(uow, "account.signup_existing", owner.id, outcome=Outcome.INFO, ip=ip)

    def _answer(self, signup_id: str, account: Account) -> PendingSignUp:
        expires = self._clock.now() + timedelta(seconds=self._oob.policy.ttl_seconds)
        return PendingSignUp(signup_id, mask(account.phone), mask(account.email), expires)

    def _audit(self, uow: UnitOfWork, action: str, subject: str, *,
               outcome: Outcome = Outcome.SUCCESS, **details: str | None) -> None:
        uow.audit.append(AuditEvent(action, outcome, actor=subject, subject=subject,
                                    details=details), self._clock.now())
