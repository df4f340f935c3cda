"""SMS OTP as a factor: a code for the purpose goes to the account's phone."""

from __future__ import annotations

from kyso.accounts.service import recipient
from kyso.otp import errors
from kyso.otp.model import Purpose
from kyso.otp.oob import OobService
from kyso.otp.token import Challenge, Method
from kyso.uow import UnitOfWork

__all__ = ["SmsFactor"]


class SmsFactor:
    method = Method.SMS
    name = "SMS OTP"
    offline = False

    def __init__(self, oob: OobService) -> None:
        self._oob = oob

    def ready(self, uow: UnitOfWork, account_id: str) -> None:
        return None

    def open(self, uow: UnitOfWork, challenge: Challenge, purpose: Purpose) -> Challenge:
        account = uow.accounts.get(challenge.account_id)
        assert account is not None
        self._oob.send(uow, recipient(account), purpose)
        return challenge

    def check_transaction(self, uow: UnitOfWork, challenge: Challenge, purpose: Purpose,
                          code: str) -> None:
        if uow.otp_methods.get(challenge.account_id).is_locked(Method.SMS):
            raise errors.MethodLocked(method=Method.SMS.value)
        self._oob.verify(uow, challenge.account_id, purpose, code)

    def check_code(self, uow: UnitOfWork, account_id: str, purpose: Purpose, code: str) -> None:
        self._oob.verify(uow, account_id, purpose, code)

    def unlocked(self, uow: UnitOfWork, account_id: str) -> None:
        return None
