"""Recovery: a forgotten password, a forgotten account PIN, and the account-PIN change.

- Forgotten password (before login): a code to the registered phone (SMS) or email for
  ``PASSWORD_RESET``, then the code **and the account PIN** set a new password; every
  session ends. Asking for a code answers the same for an unknown login.
- Forgotten account PIN (logged in): the password and a code by SMS for
  ``ACCOUNT_PIN_RESET`` set a new PIN.
- Both lost: the officer-checked identity re-check (``identity_recovery.py``).

A right code stays *proven* while it lives when the secret typed with it is wrong (the
person types the secret again without a new code); success retires it. Wrong secrets count
towards the usual lockout; wrong codes burn the code after five tries. Each outcome is
audited and the customer is told in the app, by SMS and by email.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from kyso.accounts.identifiers import InvalidIdentifier, normalize_login
from kyso.accounts.model import Account, AccountStatus
from kyso.accounts.rules import SecretHasher, check_password, check_pin
from kyso.accounts.service import AccountService, recipient
from kyso.audit.model import AuditEvent, Outcome
from kyso.clock import Clock
from kyso.errors import Text
from kyso.lockout import LockState
from kyso.notify.model import Channel
from kyso.notify.service import Notifier
from kyso.otp.errors import InvalidOtp, OtpExpired, ResendTooSoon, SendLimitReached
from kyso.otp.model import Purpose
from kyso.otp.oob import OobService
from kyso.support import DESK
from kyso.uow import UnitOfWork, UnitOfWorkFactory, failures_kept

__all__ = ["RecoveryService", "find_active"]


class RecoveryService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, hasher: SecretHasher,
                 accounts: AccountService, oob: OobService, notifier: Notifier) -> None:
        self._uow, self._clock, self._hasher = uow_factory, clock, hasher
        self._accounts, self._oob, self._notifier = accounts, oob, notifier

    # -- forgotten password -------------------------------------------------------------
    def send_password_code(self, login: str, channel: Channel) -> datetime:
        """A code to the account's phone or email. The answer is the same for an unknown
        login, and so is the work: the code and its sealed message are made and thrown away,
        and the request is audited (``account.password_code_unknown``). A code asked again
        too soon or too often is not sent, with the same answer and work (the earlier code
        stands; ``account.password_code_withheld``)."""
        with self._uow() as uow:
            account = find_active(uow, login)
            if account is None:
                self._oob.rehearse(Purpose.PASSWORD_RESET, channel)
                uow.audit.append(AuditEvent("account.password_code_unknown", Outcome.INFO,
                                            details={"channel": channel.value}),
                                 self._clock.now())
            else:
                self._send_or_rehearse(uow, account, channel)
            uow.commit()
        return self._clock.now() + timedelta(seconds=self._oob.policy.ttl_seconds)

    def _send_or_rehearse(self, uow: UnitOfWork, account: Account, channel: Channel) -> None:
        try:
            self._oob.send(uow, recipient(account), Purpose.PASSWORD_RESET, channel)
        except (ResendTooSoon, SendLimitReached):  # answered alike; the earlier code stands
            self._oob.rehearse(Purpose.PASSWORD_RESET, channel)
            uow.audit.append(AuditEvent("account.password_code_withheld", Outcome.INFO,
                                        subject=account.id, details={"channel": channel.value}),
                             self._clock.now())

    def reset_password(self, login: str, code: str, pin: str, new_password: str) -> None:
        check_password(new_password)  # the rules no account changes: alike for every login
        with self._uow() as uow:
            account = find_active(uow, login)
            if account is None:  # refused like a wrong code, with the same work
                self._oob.refuse(uow, Purpose.PASSWORD_RESET, code)
                uow.commit()
                raise ResetCodeRefused()
            with failures_kept(uow):
                try:
                    self._prove(uow, account.id, Purpose.PASSWORD_RESET, code)
                except (InvalidOtp, OtpExpired):  # wrong, stale or burnt: one answer, the
                    raise ResetCodeRefused() from None  # same as for an unknown login
                self._accounts.verify_pin(uow, account.id, pin)
            # the account's own words in the password: only once the code and PIN are proven
            # (nothing is written before; the transaction is rolled back with the refusal)
            check_password(new_password, personal=(account.username, account.phone[-9:],
                                                   account.email.split("@")[0]))
            account = self._accounts.get_in(uow, account.id)
            uow.accounts.save(replace(account, password_hash=self._hasher.hash(new_password),
                                      password_lock=LockState()))
            self._accounts.end_sessions(uow, account.id)
            self._done(uow, account, Purpose.PASSWORD_RESET, "account.password_reset",
                       Text("Mật khẩu của Quý khách vừa được đặt lại",
                            "Your password has just been reset"),
                       Text("Mọi phiên đăng nhập cũ đã kết thúc.",
                            "Every earlier login session has ended."))
            uow.commit()

    # -- account PIN --------------------------------------------------------------------
    def reset_pin(self, account_id: str, password: str, code: str, new_pin: str) -> None:
        """A forgotten account PIN: the password and an SMS code for ACCOUNT_PIN_RESET."""
        check_pin(new_pin)
        with self._uow() as uow:
            with failures_kept(uow):
                self._prove(uow, account_id, Purpose.ACCOUNT_PIN_RESET, code)
                account = self._accounts.verify_password(uow, account_id, password)
            uow.accounts.save(replace(account, pin_hash=self._hasher.hash(new_pin),
                                      pin_lock=LockState()))
            self._done(uow, account, Purpose.ACCOUNT_PIN_RESET, "account.pin_reset",
                       Text("Mã PIN tài khoản của Quý khách vừa được đặt lại",
                            "Your account PIN has just been reset"), None)
            uow.commit()

    def pin_changed(self, account_id: str) -> None:
        """Tell the customer of a changed account PIN (after ``AccountService.change_pin``)."""
        with self._uow() as uow:
            account = self._accounts.get_in(uow, account_id)
            self._tell(uow, account, Text("Mã PIN tài khoản của Quý khách vừa được thay đổi",
                                          "Your account PIN has just been changed"), None)
            uow.commit()

    # -- helpers ------------------------------------------------------------------------
    def _prove(self, uow: UnitOfWork, account_id: str, purpose: Purpose, code: str) -> None:
        latest = uow.otp_codes.latest(account_id, purpose)
        proven = (latest is not None and latest.consumed_at is not None
                  and not latest.superseded and self._clock.now() < latest.expires_at)
        if not proven:
            self._oob.verify(uow, account_id, purpose, code)

    def _done(self, uow: UnitOfWork, account: Account, purpose: Purpose, action: str,
              title: Text, extra: Text | None) -> None:
        uow.otp_codes.supersede(account.id, purpose)  # the proven code serves once
        uow.audit.append(AuditEvent(action, actor=account.id, subject=account.id),
                         self._clock.now())
        self._tell(uow, account, title, extra)

    def _tell(self, uow: UnitOfWork, account: Account, title: Text, extra: Text | None) -> None:
        at = f"{self._clock.now():%d/%m/%Y %H:%M} (UTC)"
        body = Text(" ".join(filter(None, (
            f"{title.vi} lúc {at}.", extra and extra.vi,
            f"Nếu không phải Quý khách, hãy liên hệ ngay {DESK} để khóa tài khoản."))),
            " ".join(filter(None, (
                f"{title.en} at {at}.", extra and extra.en,
                f"If this was not you, contact {DESK} at once to lock the account."))))
        self._notifier.tell(uow, account, title, body, purpose="ACCOUNT_SECURITY")


class ResetCodeRefused(InvalidOtp):
    """A password-reset code refused: wrong, expired, burnt, or for a login that does not
    exist — one answer for all, so that it tells nobody whether the login is known."""

    vi = ("Mã OTP không đúng, đã hết hạn hoặc đã nhập sai quá số lần cho phép. Vui lòng kiểm "
          "tra lại hoặc lấy mã mới.")
    en = ("The code is wrong, has expired or was entered wrong too often. Check it or request "
          "a new one.")


def find_active(uow: UnitOfWork, login: str) -> Account | None:
    """The active account a login names (locked for update), or None."""
    try:
        found = uow.accounts.find_by_login(normalize_login(login), for_update=True)
    except InvalidIdentifier:
        return None
    return found if found is not None and found.status is AccountStatus.ACTIVE else None
