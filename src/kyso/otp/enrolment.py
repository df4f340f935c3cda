"""SmartOTP enrolment: terms, registration, activation on one device, reset (forgot PIN).

Registration needs the current terms, the account PIN and an SMS code; it leaves a pending
token and sends an activation code by SMS (single use, ``activation_ttl_seconds``, at most
``activation_max_attempts`` tries). Activation binds the token to one device, revokes any
earlier device and hands the seed over — once. Nothing is left half-enrolled: a failed step
changes nothing but its failure counters.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from hashlib import sha256

from kyso.accounts.model import Account
from kyso.audit.model import AuditEvent, Outcome
from kyso.clock import Clock
from kyso.errors import Text
from kyso.otp import errors
from kyso.otp.model import Purpose
from kyso.otp.oath import b32encode_seed, new_seed
from kyso.otp.oob import OobService
from kyso.otp.smartotp import Messenger, PinChecker, SmartOtpPolicy, open_seed, seal_seed
from kyso.otp.terms import TERMS, Terms
from kyso.otp.token import AUTHENTICATOR_PARAMS, Method, SmartOtpToken, TokenKind, TokenStatus
from kyso.secrets import Envelope
from kyso.support import DESK
from kyso.uow import UnitOfWork, UnitOfWorkFactory, failures_kept

__all__ = ["Activation", "EnrolmentService", "Registration"]


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


class EnrolmentService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, envelope: Envelope,
                 messenger: Messenger, oob: OobService, pins: PinChecker, pepper: bytes,
                 policy: SmartOtpPolicy) -> None:
        self._uow, self._clock, self._envelope = uow_factory, clock, envelope
        self._messenger, self._oob, self._pins = messenger, oob, pins
        self._pepper, self.policy = pepper, policy

    @staticmethod
    def terms() -> Terms:
        return TERMS

    def register(self, account_id: str, terms_version: str, pin: str, otp: str) -> Registration:
        """Đăng ký SmartOTP: terms, account PIN and an SMS code; an activation code follows."""
        if terms_version != TERMS.version:
            raise errors.TermsNotAccepted(version=TERMS.version)
        now = self._clock.now()
        with self._uow() as uow:
            uow.otp_methods.get(account_id).ensure_unlocked(Method.SMARTOTP)
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
            old = self._revoke_active(uow, account_id, now)
            self._tell_old_device(uow, old, device_id, device_name)
            active = replace(token, status=TokenStatus.ACTIVE, device_id=device_id,
                             device_name=device_name, activated_at=now, activation_mac=None)
            uow.smartotp.save(active)
            self._prefer_smartotp(uow, account_id)
            device = device_name or device_id
            self._messenger.post(
                uow, account_id, Text("SmartOTP đã được kích hoạt", "SmartOTP is activated"),
                Text(f"SmartOTP đã được kích hoạt trên thiết bị {device}. Nếu không phải Quý "
                     f"khách thực hiện, vui lòng tạm khóa SmartOTP và liên hệ {DESK}.",
                     f"SmartOTP was activated on the device {device}. If this was not you, "
                     f"please suspend SmartOTP and contact {DESK}."))
            self._audit(uow, "smartotp.activated", account_id, token=token.id, device=device_id)
            seed = open_seed(self._envelope, active)
            uow.commit()
        return Activation(active, b32encode_seed(seed), now)

    def enrol_authenticator(self, account_id: str, pin: str, otp: str) -> Activation:
        """Optional per deployment: an authenticator app (SHA-1 TOTP) instead of the app."""
        if not self.policy.authenticator_apps:
            raise errors.AuthenticatorAppsDisabled()
        now = self._clock.now()
        with self._uow() as uow:
            uow.otp_methods.get(account_id).ensure_unlocked(Method.SMARTOTP)
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
            seed = open_seed(self._envelope, token)
            uow.commit()
        return Activation(token, b32encode_seed(seed), now)

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

    # -- helpers -----------------------------------------------------------------------
    def _new_token(self, account_id: str, kind: TokenKind, now: datetime) -> SmartOtpToken:
        token_id = str(uuid.uuid4())
        params = AUTHENTICATOR_PARAMS if kind is TokenKind.AUTHENTICATOR else None
        sealed = seal_seed(self._envelope, token_id, new_seed(32))
        token = SmartOtpToken(id=token_id, account_id=account_id, sealed_seed=sealed,
                              created_at=now, kind=kind)
        if params:
            token = replace(token, algorithm=params.algorithm, digits=params.digits,
                            period=params.step)
        return token

    def _activation_open(self, token: SmartOtpToken, now: datetime) -> bool:
        return (token.activation_mac is not None and token.activation_expires_at is not None
                and now < token.activation_expires_at
                and token.activation_attempts < self.policy.activation_max_attempts)

    def _revoke_active(self, uow: UnitOfWork, account_id: str,
                       now: datetime) -> SmartOtpToken | None:
        old = uow.smartotp.current(account_id, TokenStatus.ACTIVE, for_update=True)
        if old is not None:
            uow.smartotp.save(old.revoked(now))
            self._audit(uow, "smartotp.device_revoked", account_id, token=old.id,
                        device=old.device_id)
        return old

    def _tell_old_device(self, uow: UnitOfWork, old: SmartOtpToken | None, device_id: str,
                         device_name: str | None) -> None:
        """Registering on a new device revokes the old one: the inbox says so, by name."""
        if old is None or old.device_id == device_id:
            return
        was, now = old.device_name or old.device_id, device_name or device_id
        self._messenger.post(
            uow, old.account_id,
            Text("SmartOTP trên thiết bị cũ đã bị thu hồi",
                 "SmartOTP on the old device was revoked"),
            Text(f"SmartOTP trên thiết bị {was} đã bị thu hồi vì SmartOTP đã được đăng ký trên "
                 f"thiết bị {now}.",
                 f"SmartOTP on the device {was} was revoked because SmartOTP was registered on "
                 f"the device {now}."))

    def _drop_pending(self, uow: UnitOfWork, account_id: str, now: datetime) -> None:
        while (old := uow.smartotp.current(account_id, TokenStatus.PENDING)) is not None:
            uow.smartotp.save(old.revoked(now))

    def _prefer_smartotp(self, uow: UnitOfWork, account_id: str) -> None:
        state = uow.otp_methods.get(account_id, for_update=True)
        uow.otp_methods.save(replace(state, preferred=Method.SMARTOTP))

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
