"""``kyso demo``: everything a tester needs to try the SP769 round trip in one minute.

A demo customer (Vietnamese name, CCCD number, phone, email) with random password and account
PIN, a SmartOTP token enrolled directly (no SMS round trip; the seed is returned in base32),
an issued certificate with ``DEMO_SIGNATURES`` signatures credited (source ``demo``), and a
demo relying party (a public-service portal: its requests consume none) the customer has let
in (consent). Not idempotent on purpose: the secrets are shown once, so a second run refuses
(``DemoExists``) rather than reissue them.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from urllib.parse import quote

from kyso.accounts.errors import WeakPassword
from kyso.accounts.rules import check_password, is_weak_digit_pattern
from kyso.accounts.service import AccountService, NewAccount
from kyso.audit.model import AuditEvent
from kyso.billing.ledger import QuotaLedger
from kyso.clock import Clock
from kyso.errors import Conflict
from kyso.otp.oath import b32encode_seed, new_seed
from kyso.otp.smartotp import seal_seed
from kyso.otp.terms import TERMS
from kyso.otp.token import Method, SmartOtpToken, TokenStatus
from kyso.pki.service import IssueRequest, PkiService
from kyso.relying.consents import ConsentService
from kyso.relying.parties import RelyingPartyService
from kyso.secrets import Envelope
from kyso.signing.model import credential_id
from kyso.uow import UnitOfWorkFactory

__all__ = ["DemoExists", "DemoKit", "DemoService"]

ACTOR = "cli:demo"
USERNAME = "demo"
FULL_NAME = "Nguyễn Văn An"
ID_NUMBER = "001091000001"
PHONE = "+84912000001"
EMAIL = "nguyen.van.an@example.vn"
PARTY_NAME = "Cổng Dịch vụ công Quốc gia (demo)"
DEMO_SIGNATURES = 100


class DemoExists(Conflict):
    code = "demo_exists"
    vi = ("Dữ liệu demo đã tồn tại (tài khoản demo hoặc CCCD {id_number}); mật khẩu và khóa "
          "chỉ hiển thị một lần. Hãy dùng một KYSO_HOME mới.")
    en = ("The demo data already exists (account demo or CCCD {id_number}); its secrets were "
          "shown once. Use a fresh KYSO_HOME.")


@dataclass(frozen=True)
class DemoKit:
    base_url: str
    username: str
    password: str = field(repr=False)
    pin: str = field(repr=False)
    account_id: str
    full_name: str
    user_id: str
    phone: str
    email: str
    totp_seed_b32: str = field(repr=False)
    totp_algorithm: str
    totp_digits: int
    totp_period: int
    ocra_suite: str
    credential_id: str
    signatures: int  # credited to the demo certificate
    sp_id: str
    sp_password: str = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        label = quote(f"kyso:{self.username}")
        uri = (f"otpauth://totp/{label}?secret={self.totp_seed_b32}&issuer=kyso"
               f"&algorithm={self.totp_algorithm}&digits={self.totp_digits}"
               f"&period={self.totp_period}")
        return asdict(self) | {"api_url": f"{self.base_url}/api/v1",
                               "sp769_url": f"{self.base_url}/sca/sp769/v1",
                               "otpauth_uri": uri}


class DemoService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, envelope: Envelope,
                 accounts: AccountService, pki: PkiService, parties: RelyingPartyService,
                 quota: QuotaLedger, consents: ConsentService, base_url: str) -> None:
        self._uow, self._clock, self._envelope, self._quota = uow_factory, clock, envelope, quota
        self._accounts, self._pki, self._parties = accounts, pki, parties
        self._consents = consents
        self._base_url = base_url

    def create(self) -> DemoKit:
        self._pki.initialize(actor=ACTOR)
        self._refuse_if_present()
        password, pin = _password(), _pin()
        account = self._accounts.sign_up(NewAccount(
            username=USERNAME, password=password, pin=pin, full_name=FULL_NAME, phone=PHONE,
            email=EMAIL, id_number=ID_NUMBER), actor=ACTOR)
        token, seed = self._enrol(account.id)
        cert = self._pki.issue(IssueRequest(account=account.id, province="Hà Nội",
                                            locality="Cầu Giấy"), actor=ACTOR)
        credential = credential_id(cert.issuer, cert.serial)
        self._credit(credential)
        party = self._parties.create(PARTY_NAME, public_service=True, actor=ACTOR)
        self._consents.grant(account.id, party.party.sp_id, pin)
        return DemoKit(
            base_url=self._base_url, username=account.username, password=password, pin=pin,
            account_id=account.id, full_name=account.full_name, user_id=ID_NUMBER,
            phone=account.phone, email=account.email, totp_seed_b32=b32encode_seed(seed),
            totp_algorithm=token.algorithm.upper(), totp_digits=token.digits,
            totp_period=token.period, ocra_suite=token.ocra_suite,
            credential_id=credential, signatures=DEMO_SIGNATURES, sp_id=party.party.sp_id,
            sp_password=party.sp_password)

    def _credit(self, credential: str) -> None:
        with self._uow() as uow:
            self._quota.credit(uow, credential, DEMO_SIGNATURES, source="demo")
            uow.commit()

    def _refuse_if_present(self) -> None:
        with self._uow() as uow:
            if (uow.accounts.find_by_login(USERNAME) is not None
                    or uow.relying.account_by_id_number(ID_NUMBER) is not None):
                raise DemoExists(id_number=ID_NUMBER)

    def _enrol(self, account_id: str) -> tuple[SmartOtpToken, bytes]:
        """An active SmartOTP token, as activation would leave it, without the SMS steps."""
        now, token_id, seed = self._clock.now(), str(uuid.uuid4()), new_seed(32)
        token = SmartOtpToken(id=token_id, account_id=account_id,
                              sealed_seed=seal_seed(self._envelope, token_id, seed),
                              created_at=now, status=TokenStatus.ACTIVE,
                              terms_version=TERMS.version, device_id="kyso-demo",
                              device_name="kyso demo", activated_at=now)
        with self._uow() as uow:
            uow.smartotp.add(token)
            state = uow.otp_methods.get(account_id, for_update=True)
            uow.otp_methods.save(replace(state, preferred=Method.SMARTOTP))
            uow.audit.append(AuditEvent("smartotp.demo_enrolled", actor=ACTOR,
                                        subject=account_id, details={"token": token_id}), now)
            uow.commit()
        return token, seed


def _password() -> str:
    while True:
        candidate = f"Ky{secrets.token_urlsafe(12)}{secrets.randbelow(10)}"
        try:
            check_password(candidate, personal=(USERNAME, PHONE[-9:], EMAIL.split("@")[0]))
        except WeakPassword:
            continue
        return candidate


def _pin() -> str:
    while True:
        pin = f"{secrets.randbelow(10**6):06d}"
        if not is_weak_digit_pattern(pin):
            return pin
