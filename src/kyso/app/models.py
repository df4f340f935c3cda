"""What the server answers, as frozen typed values (fields the app does not use are ignored)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, ConfigDict

__all__ = [
    "Account",
    "Activation",
    "Certificate",
    "Consent",
    "Contact",
    "Login",
    "MethodState",
    "Order",
    "Party",
    "Product",
    "Registration",
    "SentCode",
    "ServerTime",
    "Terms",
    "TokenStatus",
    "Transaction",
    "Vocabulary",
]


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Contact(_Answer):
    """The support desk as the operator set it (``GET /contact``; nothing set: all None)."""

    phone: str | None = None
    tel: str | None = None
    email: str | None = None


class ServerTime(_Answer):
    time: datetime
    unix: float


class Account(_Answer):
    id: str
    username: str
    full_name: str


class PendingSignUp(_Answer):
    id: str
    phone: str  # masked
    email: str  # masked
    expires_at: datetime


class Login(_Answer):
    access_token: str
    expires_at: datetime
    account: Account

    def __repr__(self) -> str:  # the session token never shows
        return f"Login(account={self.account.username!r}, expires_at={self.expires_at})"

    __str__ = __repr__


class SentCode(_Answer):
    purpose: str
    destination: str
    expires_in: int
    resend_after: int


class Terms(_Answer):
    version: str
    text_vi: str
    text_en: str


class Registration(_Answer):
    token_id: str
    activation_expires_at: datetime
    destination: str


class Activation(_Answer):
    token_id: str
    seed_b32: str
    algorithm: str
    digits: int
    period: int
    ocra_suite: str
    server_time: datetime | None = None
    otpauth_uri: str | None = None  # only for an authenticator app; carries the seed

    def __repr__(self) -> str:  # the seed never shows
        return f"Activation(token_id={self.token_id!r})"

    __str__ = __repr__


class MethodState(_Answer):
    locked: bool
    reason: str | None = None


class TokenStatus(_Answer):
    status: str
    device_id: str | None = None
    device_name: str | None = None
    activated_at: datetime | None = None
    otp_method: str
    methods: dict[str, MethodState] = {}


class Transaction(_Answer):
    id: str
    kind: str
    details: dict[str, str]
    question: str | None = None
    ocra_suite: str | None = None
    status: str
    created_at: datetime
    expires_at: datetime
    method: str

    def bound_details(self) -> dict[str, str]:
        """What the question binds: the transaction's id and kind, and every detail."""
        return {"transaction_id": self.id, "kind": self.kind, **self.details}


class Onboarding(_Answer):
    """A registration for a certificate, as the server reports it."""

    id: str
    state: str
    state_vi: str
    full_name: str
    id_type: str
    id_number: str
    package: str
    order_id: str | None = None
    activation_expires_at: datetime | None = None
    ekyc_attempts: int = 0
    review_reason: str | None = None
    resubmittable: bool = False
    credential_id: str | None = None


class Acceptance(_Answer):
    document_id: str
    transaction: Transaction
class Product(_Answer):
    code: str
    kind: str
    name: str
    price: int
    vat: int
    plan: str | None = None
    term_months: int | None = None
    signatures: int | None = None
    citizen_only: bool = False


class Order(_Answer):
    id: str
    product: str
    name: str
    amount: int
    credential_id: str | None = None
    status: str
    created_at: datetime
    expires_at: datetime
    method: str | None = None
    payment_url: str | None = None


class Certificate(_Answer):
    credential_id: str
    subject: str
    status: str
    not_after: datetime
    package: str | None = None
    plan: str | None = None
    term_end: datetime | None = None
    available_signatures: int
    unlimited: bool
    unlimited_until: datetime | None = None


class Party(_Answer):
    """A relying party the customer may let in (SP769)."""

    sp_id: str
    name: str
    public_service: bool = False


class Consent(Party):
    granted_at: datetime


@dataclass(frozen=True)
class Vocabulary:
    """The server's words for its codes (``GET /vocabulary``), in the app's language."""

    groups: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def word(self, group: str, code: str) -> str:
        """The label of ``code``; the code itself only if the server has no word for it."""
        return self.groups.get(group, {}).get(code, code)
