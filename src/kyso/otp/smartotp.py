"""SmartOTP code checks: TOTP and transaction (OCRA) codes, and time resynchronisation.

A code check runs in the caller's transaction under a row lock on the token, so a time step
once accepted is never accepted again, even by concurrent requests. Failures are counted on
the token; ``max_failures`` in a row lock it until support unlocks it or the customer resets
(a wrong code's error says how many tries are left). A right code whose time step is already
spent is a replay: answered as such (:class:`~kyso.otp.errors.OtpReplayed`), audited, and not
counted as a wrong code, so retrying one good code never locks the token.
Registration and activation live in :mod:`kyso.otp.enrolment`.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from kyso.accounts.model import Account
from kyso.audit.model import AuditEvent, Outcome
from kyso.clock import Clock
from kyso.errors import Text
from kyso.otp import errors
from kyso.otp.oath import hotp, match_totp, totp_counter
from kyso.otp.ocra import ocra
from kyso.otp.token import Method, MethodState, SmartOtpToken, TokenStatus
from kyso.secrets import Envelope
from kyso.support import DESK
from kyso.uow import UnitOfWork, UnitOfWorkFactory, failures_kept

__all__ = [
    "SEED_PURPOSE",
    "Messenger",
    "PinChecker",
    "SmartOtpPolicy",
    "SmartOtpService",
    "open_seed",
    "seal_seed",
]

SEED_PURPOSE = "smartotp-seed"


def seal_seed(envelope: Envelope, token_id: str, seed: bytes) -> bytes:
    return envelope.seal(seed, f"{SEED_PURPOSE}:{token_id}")


def open_seed(envelope: Envelope, token: SmartOtpToken) -> bytes:
    return envelope.open(token.sealed_seed, f"{SEED_PURPOSE}:{token.id}")


class PinChecker(Protocol):
    def verify_pin(self, uow: UnitOfWork, account_id: str, pin: str) -> Account: ...


class Messenger(Protocol):
    def queue_sms(self, uow: UnitOfWork, to: str, text: str, *, account_id: str | None = None,
                  purpose: str | None = None) -> object: ...

    def post(self, uow: UnitOfWork, account_id: str, title: Text, body: Text) -> object: ...


@dataclass(frozen=True)
class SmartOtpPolicy:
    max_failures: int = 5
    activation_ttl_seconds: int = 600
    activation_max_attempts: int = 5
    resync_window_steps: int = 120
    authenticator_apps: bool = False


class SmartOtpService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, envelope: Envelope,
                 messenger: Messenger, policy: SmartOtpPolicy) -> None:
        self._uow, self._clock, self._envelope = uow_factory, clock, envelope
        self._messenger, self.policy = messenger, policy

    # -- checks ------------------------------------------------------------------------
    def verify(self, account_id: str, code: str) -> None:
        """Check a TOTP code in a transaction of its own (failures are kept)."""
        self.verify_for(lambda _: account_id, code)

    def verify_for(self, caller: Callable[[UnitOfWork], str], code: str) -> None:
        """:meth:`verify` for the account ``caller`` finds in the same unit of work (the
        bearer check of ``POST /smartotp/verify``: one connection, not two). ``caller``
        reads before the unit of work writes: its error (a bad bearer) took no write lock,
        wrote nothing, audited nothing, and the token was not read."""
        with self._uow(read_only=True) as uow:
            account_id = caller(uow)
            uow.begin_writing()
            with failures_kept(uow):
                self.check_totp(uow, account_id, code)
            uow.commit()

    def check_totp(self, uow: UnitOfWork, account_id: str, code: str) -> None:
        """Check a TOTP code in the caller's transaction; the caller keeps failures."""
        now = self._clock.now()

        def match(token: SmartOtpToken, seed: bytes) -> int | None:
            found = match_totp(seed, code.strip(), now.timestamp(), params=token.params,
                               window=1, last_counter=token.last_counter, drift=token.drift)
            if found is None and match_totp(seed, code.strip(), now.timestamp(),
                                            params=token.params, window=1,
                                            drift=token.drift) is not None:
                self._audit(uow, "smartotp.replayed", account_id, outcome=Outcome.FAILURE,
                            token=token.id)
                raise errors.OtpReplayed()  # a spent step, answered as such and not counted
            return found

        token, counter = self._check(uow, account_id, match)
        current = totp_counter(now.timestamp(), token.period)
        uow.smartotp.save_check(replace(token, last_counter=counter, drift=counter - current,
                                        failures=0))
        self._audit(uow, "smartotp.verified", account_id, token=token.id)

    def check_ocra(self, uow: UnitOfWork, account_id: str, question: str, suite: str,
                   code: str) -> None:
        """Check a transaction code (OCRA over ``question``) in the caller's transaction."""

        def match(token: SmartOtpToken, seed: bytes) -> int | None:
            expected = ocra(suite, seed, question=question)
            return 0 if hmac.compare_digest(expected, code.strip()) else None

        token, _ = self._check(uow, account_id, match)
        if token.failures:
            uow.smartotp.save_check(replace(token, failures=0))
        self._audit(uow, "smartotp.transaction_code_verified", account_id, token=token.id)

    def _check(self, uow: UnitOfWork, account_id: str,
               match: Callable[[SmartOtpToken, bytes], int | None]) -> tuple[SmartOtpToken, int]:
        token, methods = uow.smartotp.for_check(account_id)  # one statement, token locked
        methods.ensure_unlocked(Method.SMARTOTP)
        if token is None:
            raise errors.NoActiveToken()
        if token.locked_at is not None:
            self._audit(uow, "smartotp.locked_attempt", account_id, outcome=Outcome.FAILURE)
            raise errors.TokenLocked()
        counter = match(token, open_seed(self._envelope, token))
        if counter is None:
            self._fail(uow, token)
        assert counter is not None
        return token, counter

    def _fail(self, uow: UnitOfWork, token: SmartOtpToken) -> None:
        now = self._clock.now()
        failures = token.failures + 1
        locked = failures >= self.policy.max_failures
        uow.smartotp.save_check(replace(token, failures=failures,
                                        locked_at=now if locked else None))
        self._audit(uow, "smartotp.failed", token.account_id, outcome=Outcome.FAILURE,
                    token=token.id, failures=failures)
        if locked:
            self._audit(uow, "smartotp.token_locked", token.account_id, outcome=Outcome.FAILURE,
                        token=token.id)
            self._messenger.post(
                uow, token.account_id, Text("SmartOTP đã bị khóa", "SmartOTP is locked"),
                Text("SmartOTP bị khóa do nhập sai mã OTP nhiều lần liên tiếp. "
                     f"Vui lòng liên hệ {DESK} hoặc đặt lại PIN SmartOTP.",
                     "SmartOTP was locked after too many wrong OTPs in a row. "
                     f"Please contact {DESK} or reset your SmartOTP PIN."))
            raise errors.TokenLocked()
        raise errors.InvalidOtp(attempts_remaining=self.policy.max_failures - failures)

    # -- time sync and reset ----------------------------------------------------------
    def resync(self, account_id: str, code1: str, code2: str) -> None:
        """Đồng bộ thời gian: two consecutive codes found in a wide window set the drift."""
        now = self._clock.now()

        def match(token: SmartOtpToken, seed: bytes) -> int | None:
            return self._find_pair(token, seed, code1.strip(), code2.strip(), now)

        with self._uow() as uow:
            with failures_kept(uow):
                try:
                    token, counter = self._check(uow, account_id, match)
                except errors.InvalidOtp as exc:
                    raise errors.ResyncFailed() from exc
            current = totp_counter(now.timestamp(), token.period)
            uow.smartotp.save_check(replace(token, last_counter=counter + 1,
                                            drift=counter + 1 - current, failures=0))
            self._audit(uow, "smartotp.resynced", account_id, drift=counter + 1 - current)
            uow.commit()

    def _find_pair(self, token: SmartOtpToken, seed: bytes, code1: str, code2: str,
                   now: datetime) -> int | None:
        current = totp_counter(now.timestamp(), token.period)
        span = self.policy.resync_window_steps
        low = max(current - span, (token.last_counter or -1) + 1, 0)
        found = None
        for counter in range(low, current + span + 1):
            first = hotp(seed, counter, digits=token.digits, algorithm=token.algorithm)
            if hmac.compare_digest(first, code1) and found is None:
                second = hotp(seed, counter + 1, digits=token.digits, algorithm=token.algorithm)
                found = counter if hmac.compare_digest(second, code2) else None
        return found

    def status(self, account_id: str) -> tuple[SmartOtpToken | None, MethodState]:
        with self._uow(read_only=True) as uow:
            token = (uow.smartotp.current(account_id, TokenStatus.ACTIVE)
                     or uow.smartotp.current(account_id, TokenStatus.PENDING))
            return token, uow.otp_methods.get(account_id)

    # -- helpers -----------------------------------------------------------------------
    def _audit(self, uow: UnitOfWork, action: str, account_id: str, *,
               outcome: Outcome = Outcome.SUCCESS, **details: str | int | None) -> None:
        uow.audit.append(AuditEvent(action, outcome, actor=account_id, subject=account_id,
                                    details=details), self._clock.now())
