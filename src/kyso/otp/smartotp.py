"""SmartOTP: registration, activation on one device, code checks, resync and reset.

A code check runs in the caller's transaction under a row lock on the token, so a time step
once accepted is never accepted again, even by concurrent requests. Failures are counted on
the token; ``max_failures`` in a row lock it until support unlocks it or the customer resets.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from hashlib import sha256
from typing import Protocol

from kyso.accounts.model import Account
from kyso.audit.model import AuditEvent, Outcome
from kyso.clock import Clock
from kyso.otp import errors
from kyso.otp.model import Purpose
from kyso.otp.oath import b32encode_seed, hotp, match_totp, new_seed, totp_counter
from kyso.otp.ocra import ocra
from kyso.otp.oob import OobService
from kyso.otp.terms import TERMS, Terms
from kyso.otp.token import (
    AUTHENTICATOR_PARAMS,
    Method,
    MethodState,
    SmartOtpToken,
    TokenKind,
    TokenStatus,
)
from kyso.secrets import Envelope
from kyso.uow import UnitOfWork, UnitOfWorkFactory, failures_kept

__all__ = ["Activation", "PinChecker", "Registration", "SmartOtpPolicy", "SmartOtpService"]

SEED_PURPOSE = "smartotp-seed"


class PinChecker(Protocol):
    def verify_pin(self, uow: UnitOfWork, account_id: str, pin: str) -> Account: ...


class Messenger(Protocol):
    def queue_sms(self, uow: UnitOfWork, to: str, text: str, *, account_id: str | None = None,
                  purpose: str | None = None) -> object: ...

    def post(self, uow: UnitOfWork, account_id: str, title: str, body: str) -> object: ...


@dataclass(frozen=True)
class SmartOtpPolicy:
    max_failures: int = 5
    activation_ttl_seconds: int = 600
    activation_max_attempts: int = 5
    resync_window_steps: int = 120
    authenticator_apps: bool = False


@dataclass(frozen=True)
class Registration:
    token_id: str
    activation_expires_at: datetime
    destination: str


@dataclass(frozen=True)
class Activation:
    token: SmartOtpToken
    seed_b32: str
    server_time: datetime


class SmartOtpService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, envelope: Envelope,
                 messenger: Messenger, oob: OobService, pins: PinChecker, pepper: bytes,
                 policy: SmartOtpPolicy) -> None:
        self._uow, self._clock, self._envelope = uow_factory, clock, envelope
        self._messenger, self._oob, self._pins = messenger, oob, pins
        self._pepper, self.policy = pepper, policy

    @staticmethod
    def terms() -> Terms:
        return TERMS

    # -- registration and activation --------------------------------------------------
    def register(self, account_id: str, terms_version: str, pin: str, otp: str) -> Registration:
        """Đăng ký SmartOTP: terms, account PIN and an SMS code; an activation code follows."""
        if terms_version != TERMS.version:
            raise errors.TermsNotAccepted(version=TERMS.version)
        now = self._clock.now()
        with self._uow() as uow:
            self._unlocked(uow.otp_methods.get(account_id), Method.SMARTOTP)
            account = self._pins.verify_pin(uow, account_id, pin)
            with failures_kept(uow):
                self._oob.verify(uow, account_id, Purpose.SMARTOTP_REGISTER, otp)
            self._drop_pending(uow, account_id, now)
            code = f"{secrets.randbelow(10**8):08d}"
            token = self._new_token(account_id, TokenKind.SMARTOTP, now)
            expires = now + timedelta(seconds=self.policy.activation_ttl_seconds)
            uow.smartotp.add(replace(token, terms_version=TERMS.version,
                                     activation_mac=self._mac(token.id, code),
                                     activation_expires_at=expires))
            self._send_activation(uow, account, code)
            self._audit(uow, "smartotp.registered", account_id, token=token.id,
                        terms=TERMS.version)
            uow.commit()
        return Registration(token.id, expires, account.phone[:4] + "*****" + account.phone[-2:])

    def activate(self, account_id: str, code: str, device_id: str,
                 device_name: str | None = None) -> Activation:
        """Bind the pending token to this device and hand its seed over, once."""
        now = self._clock.now()
        with self._uow() as uow:
            token = uow.smartotp.current(account_id, TokenStatus.PENDING, for_update=True)
            if token is None or not self._activation_open(token, now):
                raise errors.ActivationExpired()
            if not hmac.compare_digest(token.activation_mac or "", self._mac(token.id, code)):
                uow.smartotp.save(replace(token, activation_attempts=token.activation_attempts + 1))
                self._audit(uow, "smartotp.activation_failed", account_id,
                            outcome=Outcome.FAILURE, token=token.id)
                uow.commit()
                raise errors.InvalidActivationCode()
            self._revoke_active(uow, account_id, now)
            active = replace(token, status=TokenStatus.ACTIVE, device_id=device_id,
                             device_name=device_name, activated_at=now, activation_mac=None)
            uow.smartotp.save(active)
            self._prefer_smartotp(uow, account_id)
            self._messenger.post(uow, account_id, "SmartOTP đã được kích hoạt",
                                 f"SmartOTP đã được kích hoạt trên thiết bị "
                                 f"{device_name or device_id}. Nếu không phải Quý khách thực "
                                 "hiện, vui lòng tạm khóa SmartOTP và gọi tổng đài.")
            self._audit(uow, "smartotp.activated", account_id, token=token.id, device=device_id)
            seed = self._seed(active)
            uow.commit()
        return Activation(active, b32encode_seed(seed), now)

    def enrol_authenticator(self, account_id: str, pin: str, otp: str) -> Activation:
        """Optional per deployment: an authenticator app (SHA-1 TOTP) instead of the app."""
        if not self.policy.authenticator_apps:
            raise errors.AuthenticatorAppsDisabled()
        now = self._clock.now()
        with self._uow() as uow:
            self._unlocked(uow.otp_methods.get(account_id), Method.SMARTOTP)
            self._pins.verify_pin(uow, account_id, pin)
            with failures_kept(uow):
                self._oob.verify(uow, account_id, Purpose.SMARTOTP_REGISTER, otp)
            self._drop_pending(uow, account_id, now)
            self._revoke_active(uow, account_id, now)
            token = replace(self._new_token(account_id, TokenKind.AUTHENTICATOR, now),
                            status=TokenStatus.ACTIVE, activated_at=now,
                            terms_version=TERMS.version, device_name="authenticator app")
            uow.smartotp.add(token)
            self._prefer_smartotp(uow, account_id)
            self._audit(uow, "smartotp.authenticator_enrolled", account_id, token=token.id)
            seed = self._seed(token)
            uow.commit()
        return Activation(token, b32encode_seed(seed), now)

    # -- checks ------------------------------------------------------------------------
    def verify(self, account_id: str, code: str) -> None:
        """Check a TOTP code in a transaction of its own (failures are kept)."""
        with self._uow() as uow:
            with failures_kept(uow):
                self.check_totp(uow, account_id, code)
            uow.commit()

    def check_totp(self, uow: UnitOfWork, account_id: str, code: str) -> None:
        """Check a TOTP code in the caller's transaction; the caller keeps failures."""
        now = self._clock.now()

        def match(token: SmartOtpToken, seed: bytes) -> int | None:
            return match_totp(seed, code.strip(), now.timestamp(), params=token.params,
                              window=1, last_counter=token.last_counter, drift=token.drift)

        token, counter = self._check(uow, account_id, match)
        current = totp_counter(now.timestamp(), token.period)
        uow.smartotp.save(replace(token, last_counter=counter, drift=counter - current,
                                  failures=0))
        self._audit(uow, "smartotp.verified", account_id, token=token.id)

    def check_ocra(self, uow: UnitOfWork, account_id: str, question: str, suite: str,
                   code: str) -> None:
        """Check a transaction code (OCRA over ``question``) in the caller's transaction."""

        def match(token: SmartOtpToken, seed: bytes) -> int | None:
            expected = ocra(suite, seed, question=question)
            return 0 if hmac.compare_digest(expected, code.strip()) else None

        token, _ = self._check(uow, account_id, match)
        uow.smartotp.save(replace(token, failures=0))
        self._audit(uow, "smartotp.transaction_code_verified", account_id, token=token.id)

    def _check(self, uow: UnitOfWork, account_id: str,
               match: Callable[[SmartOtpToken, bytes], int | None]) -> tuple[SmartOtpToken, int]:
        self._unlocked(uow.otp_methods.get(account_id), Method.SMARTOTP)
        token = uow.smartotp.current(account_id, TokenStatus.ACTIVE, for_update=True)
        if token is None:
            raise errors.NoActiveToken()
        if token.locked_at is not None:
            self._audit(uow, "smartotp.locked_attempt", account_id, outcome=Outcome.FAILURE)
            raise errors.TokenLocked()
        counter = match(token, self._seed(token))
        if counter is None:
            self._fail(uow, token)
        assert counter is not None
        return token, counter

    def _fail(self, uow: UnitOfWork, token: SmartOtpToken) -> None:
        now = self._clock.now()
        failures = token.failures + 1
        locked = failures >= self.policy.max_failures
        uow.smartotp.save(replace(token, failures=failures, locked_at=now if locked else None))
        self._audit(uow, "smartotp.failed", token.account_id, outcome=Outcome.FAILURE,
                    token=token.id, failures=failures)
        if locked:
            self._audit(uow, "smartotp.token_locked", token.account_id, outcome=Outcome.FAILURE,
                        token=token.id)
            self._messenger.post(uow, token.account_id, "SmartOTP đã bị khóa",
                                 "SmartOTP bị khóa do nhập sai mã OTP nhiều lần liên tiếp. "
                                 "Vui lòng liên hệ tổng đài hoặc đặt lại PIN SmartOTP.")
            raise errors.TokenLocked()
        raise errors.InvalidOtp()

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
            uow.smartotp.save(replace(token, last_counter=counter + 1,
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

    def reset(self, account_id: str, pin: str, otp: str) -> None:
        """Quên PIN SmartOTP: account PIN + SMS code revoke the token; register again."""
        now = self._clock.now()
        with self._uow() as uow:
            self._pins.verify_pin(uow, account_id, pin)
            with failures_kept(uow):
                self._oob.verify(uow, account_id, Purpose.PIN_RESET, otp)
            self._revoke_active(uow, account_id, now)
            self._drop_pending(uow, account_id, now)
            state = uow.otp_methods.get(account_id, for_update=True)
            uow.otp_methods.save(replace(state, preferred=Method.SMS))
            self._audit(uow, "smartotp.reset", account_id)
            uow.commit()

    def status(self, account_id: str) -> tuple[SmartOtpToken | None, MethodState]:
        with self._uow() as uow:
            token = (uow.smartotp.current(account_id, TokenStatus.ACTIVE)
                     or uow.smartotp.current(account_id, TokenStatus.PENDING))
            return token, uow.otp_methods.get(account_id)

    # -- helpers -----------------------------------------------------------------------
    def _new_token(self, account_id: str, kind: TokenKind, now: datetime) -> SmartOtpToken:
        token_id = str(uuid.uuid4())
        params = AUTHENTICATOR_PARAMS if kind is TokenKind.AUTHENTICATOR else None
        sealed = self._envelope.seal(new_seed(32), f"{SEED_PURPOSE}:{token_id}")
        token = SmartOtpToken(id=token_id, account_id=account_id, sealed_seed=sealed,
                              created_at=now, kind=kind)
        if params:
            token = replace(token, algorithm=params.algorithm, digits=params.digits,
                            period=params.step)
        return token

    def _seed(self, token: SmartOtpToken) -> bytes:
        return self._envelope.open(token.sealed_seed, f"{SEED_PURPOSE}:{token.id}")

    def _activation_open(self, token: SmartOtpToken, now: datetime) -> bool:
        return (token.activation_mac is not None and token.activation_expires_at is not None
                and now < token.activation_expires_at
                and token.activation_attempts < self.policy.activation_max_attempts)

    def _revoke_active(self, uow: UnitOfWork, account_id: str, now: datetime) -> None:
        old = uow.smartotp.current(account_id, TokenStatus.ACTIVE, for_update=True)
        if old is not None:
            uow.smartotp.save(old.revoked(now))
            self._audit(uow, "smartotp.device_revoked", account_id, token=old.id,
                        device=old.device_id)

    def _drop_pending(self, uow: UnitOfWork, account_id: str, now: datetime) -> None:
        while (old := uow.smartotp.current(account_id, TokenStatus.PENDING)) is not None:
            uow.smartotp.save(old.revoked(now))

    def _prefer_smartotp(self, uow: UnitOfWork, account_id: str) -> None:
        state = uow.otp_methods.get(account_id, for_update=True)
        uow.otp_methods.save(replace(state, preferred=Method.SMARTOTP))

    @staticmethod
    def _unlocked(state: MethodState, method: Method) -> None:
        if state.is_locked(method):
            raise errors.MethodLocked(method=method.value)

    def _send_activation(self, uow: UnitOfWork, account: Account, code: str) -> None:
        minutes = self.policy.activation_ttl_seconds // 60
        text = (f"kyso: Mã kích hoạt SmartOTP của Quý khách là {code}; có hiệu lực {minutes} "
                "phút; không chia sẻ mã này với bất kỳ ai.")
        if account.locale == "en":
            text = (f"kyso: your SmartOTP activation code is {code}; valid for {minutes} "
                    "minutes; do not share it with anyone.")
        self._messenger.queue_sms(uow, account.phone, text, account_id=account.id,
                                  purpose="SMARTOTP_ACTIVATION")

    def _mac(self, token_id: str, code: str) -> str:
        return hmac.new(self._pepper, f"{token_id}:{code.strip()}".encode(), sha256).hexdigest()

    def _audit(self, uow: UnitOfWork, action: str, account_id: str, *,
               outcome: Outcome = Outcome.SUCCESS, **details: str | int | None) -> None:
        uow.audit.append(AuditEvent(action, outcome, actor=account_id, subject=account_id,
                                    details=details), self._clock.now())
