"""SmartOTP as a factor: transactions carry an OCRA question over their details; bare codes
are TOTP (an authenticator app's token is a SmartOTP token of kind ``authenticator``)."""

from __future__ import annotations

from dataclasses import replace

from kyso.otp import errors
from kyso.otp.model import Purpose
from kyso.otp.ocra import OcraSuite, transaction_challenge
from kyso.otp.smartotp import SmartOtpService
from kyso.otp.token import SMARTOTP_OCRA_SUITE, Challenge, Method, TokenStatus
from kyso.uow import UnitOfWork

__all__ = ["SmartOtpFactor"]


class SmartOtpFactor:
    method = Method.SMARTOTP
    name = "SmartOTP"
    offline = True

    def __init__(self, tokens: SmartOtpService) -> None:
        self._tokens = tokens

    def ready(self, uow: UnitOfWork, account_id: str) -> None:
        if uow.smartotp.current(account_id, TokenStatus.ACTIVE) is None:
            raise errors.NoActiveToken()

    def open(self, uow: UnitOfWork, challenge: Challenge, purpose: Purpose) -> Challenge:
        self.ready(uow, challenge.account_id)
        suite = OcraSuite.parse(SMARTOTP_OCRA_SUITE)
        question = transaction_challenge(challenge.bound_details(),
                                         length=suite.question_length, fmt="H")
        return replace(challenge, question=question, ocra_suite=SMARTOTP_OCRA_SUITE)

    def check_transaction(self, uow: UnitOfWork, challenge: Challenge, purpose: Purpose,
                          code: str) -> None:
        assert challenge.question is not None and challenge.ocra_suite is not None
        self._tokens.check_ocra(uow, challenge.account_id, challenge.question,
                                challenge.ocra_suite, code)

    def check_code(self, uow: UnitOfWork, account_id: str, purpose: Purpose, code: str) -> None:
        self._tokens.check_totp(uow, account_id, code)

    def unlocked(self, uow: UnitOfWork, account_id: str) -> None:
        token = uow.smartotp.current(account_id, TokenStatus.ACTIVE, for_update=True)
        if token is not None and token.locked_at is not None:
            uow.smartotp.save(replace(token, locked_at=None, failures=0))
