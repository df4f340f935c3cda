"""What onboarding needs from storage, billing and the face-match engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from kyso.onboarding.model import Registration
from kyso.onboarding.search import CaseQuery
from kyso.onboarding.states import State

__all__ = ["FaceMatch", "FaceVerdict", "PackageOrder", "Packages", "RegistrationRepository"]


class RegistrationRepository(Protocol):
    def add(self, registration: Registration) -> None: ...

    def get(self, registration_id: str, *, for_update: bool = False) -> Registration | None: ...

    def latest(self, account_id: str, *, for_update: bool = False) -> Registration | None:
        """The account's newest registration."""
        ...

    def by_credential(self, credential_id: str, *,
                      for_update: bool = False) -> Registration | None: ...

    def in_state(self, state: State, limit: int, offset: int = 0,
                 query: CaseQuery | None = None) -> list[Registration]:
        """The registrations in ``state`` matching ``query``: oldest first under review (a
        queue), newest first in the other states (decided cases)."""
        ...

    def save(self, registration: Registration) -> None: ...

    def stale(self, states: tuple[State, ...], before: datetime,
              limit: int) -> list[Registration]:
        """Registrations in ``states`` untouched since ``before``, oldest first."""
        ...

    def seals_due(self, now: datetime, limit: int) -> list[Registration]:
        """Accepted contracts whose seal is due (``seal_due <= now``), oldest first."""
        ...

    def device_used(self, device_id: str, account_id: str) -> bool:
        """Did another account activate this device (a SmartOTP token) or register on it?"""
        ...

    def identity_used(self, uid: str, account_id: str) -> bool:
        """Was a certificate issued for ``uid`` (CCCD:…) to anyone, or is another account's
        registration for it still open?"""
        ...


@dataclass(frozen=True)
class PackageOrder:
    order_id: str
    name: str
    amount: int  # VND
    paid: bool


class Packages(Protocol):
    """Billing, as onboarding sees it: choose a certificate package, then ask whether its
    order is paid. A free offer is paid when ordered."""

    def order(self, account_id: str, package: str, id_number: str) -> PackageOrder:
        """Order ``package`` for the registration of ID number ``id_number``."""
        ...

    def is_paid(self, account_id: str, order_id: str) -> bool: ...

    def payable(self, account_id: str, order_id: str, package: str,
                id_number: str) -> PackageOrder:
        """The order itself while it can be paid (or is paid); else a new order for the same
        package (after a failed, cancelled or expired payment)."""
        ...

    def issued(self, account_id: str, order_id: str, credential_id: str) -> None:
        """The order's certificate was issued (billing attaches the package to it)."""
        ...


class FaceVerdict(StrEnum):
    MATCH = "match"
    NO_MATCH = "no_match"
    REFERRED = "referred"  # no engine decided: the RA officer compares the faces


class FaceMatch(Protocol):
    def compare(self, card_front: bytes, portrait: bytes) -> FaceVerdict: ...
