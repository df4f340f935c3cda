"""A registration: the owner as on the ID card, the contact details, and where it stands.

A :class:`Registration` is frozen; :meth:`Registration.moved` is the only way to change its
state and goes through :func:`~kyso.onboarding.states.next_state`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from kyso.onboarding.identity import IdDocument, Sex
from kyso.onboarding.states import Event, State, next_state, wrong_state

__all__ = ["ActivationCode", "Contact", "EkycImages", "Owner", "Registration", "Review"]


@dataclass(frozen=True)
class Owner:
    """The certificate's owner exactly as on the ID card (name in NFC)."""

    full_name: str
    birth_date: date
    sex: Sex
    document: IdDocument


@dataclass(frozen=True)
class Contact:
    """Where activation codes go, and the address the certificate shows."""

    email: str
    phone: str  # E.164
    address: str
    province: str
    locality: str


@dataclass(frozen=True)
class ActivationCode:
    """The activation code sent by SMS and email: only its HMAC is kept."""

    code_mac: str = field(repr=False)
    sent_at: datetime
    expires_at: datetime
    attempts: int = 0
    sends: int = 1


@dataclass(frozen=True)
class EkycImages:
    """SHA-256 of the card's front and back and of the portrait, in the blob store."""

    front: str
    back: str
    portrait: str


@dataclass(frozen=True)
class Review:
    officer: str  # account id
    decided_at: datetime
    approved: bool
    reason: str | None = None
    resubmittable: bool = False


@dataclass(frozen=True)
class Registration:
    id: str
    account_id: str
    owner: Owner
    contact: Contact
    package: str
    device_id: str
    created_at: datetime
    updated_at: datetime
    state: State = State.DRAFT
    mrz: str | None = None
    order_id: str | None = None
    activation: ActivationCode | None = None
    ekyc_attempts: int = 0
    images: EkycImages | None = None
    checks: dict[str, Any] = field(default_factory=dict)
    contract_sha256: str | None = None
    contract_transaction: str | None = None
    sealed_contract_sha256: str | None = None
    seal_due: datetime | None = None  # accepted, not sealed yet: when to try (again)
    seal_failures: int = 0
    review: Review | None = None
    credential_id: str | None = None
    acceptance_document: str | None = None

    @property
    def contract_seal(self) -> str | None:
        """``sealed``, ``pending`` (accepted, the seal still to be made) or None."""
        if self.sealed_contract_sha256:
            return "sealed"
        return "pending" if self.contract_sha256 else None

    def moved(self, event: Event, at: datetime, **changes: Any) -> Registration:
        return replace(self, state=next_state(self.state, event), updated_at=at, **changes)

    def expect(self, state: State, event: Event) -> None:
        """Refuse ``event`` unless the registration is in ``state`` (without moving)."""
        if self.state is not state:
            raise wrong_state(self.state, event)
