"""What the relying-party area needs from storage and from the network."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from kyso.relying.model import Consent, RelyingParty, SignRequest

if TYPE_CHECKING:  # kyso.uow imports this module
    from kyso.uow import UnitOfWork

__all__ = ["QuotaAdvice", "RelyingRepository", "WebhookSender"]


class QuotaAdvice(Protocol):
    """The quota ledger's opinion before a request is made (the ledger decides at signing)."""

    def covers(self, uow: UnitOfWork, credential_id: str, count: int) -> bool: ...


class RelyingRepository(Protocol):
    # relying parties
    def add_party(self, party: RelyingParty) -> None: ...

    def party(self, party_id: str) -> RelyingParty | None: ...

    def party_by_sp_id(self, sp_id: str, *, for_update: bool = False) -> RelyingParty | None: ...

    def parties(self) -> list[RelyingParty]: ...

    def save_party(self, party: RelyingParty) -> None: ...

    def account_by_id_number(self, id_number: str) -> str | None:
        """The id of the account with this ID number (CCCD, CMND, passport), if any."""
        ...

    # consents
    def consent(self, account_id: str, party_id: str) -> Consent | None: ...

    def consents(self, account_id: str) -> list[Consent]:
        """The account's consents, oldest first."""
        ...

    def add_consent(self, consent: Consent) -> None: ...

    def remove_consent(self, account_id: str, party_id: str) -> None: ...

    # sign requests
    def add_request(self, request: SignRequest) -> None: ...

    def request_by_ref(self, party_id: str, ref: str, *,
                       for_update: bool = False) -> SignRequest | None:
        """The party's request whose ``transaction_id`` or ``tran_code`` (id) is ``ref``."""
        ...

    def request_by_challenge(self, challenge_id: str, *,
                             for_update: bool = False) -> SignRequest | None: ...

    def save_request(self, request: SignRequest) -> None:
        """Store the status, end, error and every file's signature."""
        ...

    def waiting(self, account_id: str, party_id: str) -> list[SignRequest]:
        """The account's requests from this party still waiting for it, locked."""
        ...

    def any_unsettled(self, now: datetime, stale_before: datetime) -> bool:
        """Whether :meth:`unsettled` would find any request (a plain read)."""
        ...

    def unsettled(self, now: datetime, stale_before: datetime, limit: int) -> list[SignRequest]:
        """Requests to settle: waiting ones that expired or whose transaction was decided
        (rejected, failed, expired), and confirmed/signing ones older than ``stale_before``
        (their signing never finished)."""
        ...


class WebhookSender(Protocol):
    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> None:
        """POST ``body``; raise :class:`kyso.notify.ports.DeliveryError` unless 2xx."""
        ...
