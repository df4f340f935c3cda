"""The service contract: a PDF made from the registration, accepted with an OTP.

``accept`` stores the PDF and opens an ``onboarding_contract`` transaction bound to its
SHA-256; confirming it (``POST /transactions/{id}/confirm``, the SmartOTP code, or the SMS
code for customers without a token) moves the registration to review in the same
transaction; then kyso seals the accepted PDF (PAdES B-T) with its organisation
certificate (:mod:`kyso.onboarding.seal`). The customer downloads the sealed contract.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from kyso.clock import Clock
from kyso.errors import KysoError, NotFound
from kyso.onboarding.journal import move, owned
from kyso.onboarding.model import Registration
from kyso.onboarding.paper import contract_pdf
from kyso.onboarding.seal import Sealer
from kyso.onboarding.states import Event, State
from kyso.otp.model import Purpose
from kyso.otp.token import Challenge
from kyso.otp.transactions import Kind, TransactionService
from kyso.signing.storage import BlobStore
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["CONTRACT_KIND", "ContractService", "contract_kind"]

log = logging.getLogger(__name__)
CONTRACT_KIND = "onboarding_contract"
_SHOWN = (State.AWAITING_CONTRACT, State.UNDER_REVIEW, State.APPROVED, State.ACTIVE)


class ContractService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock,
                 transactions: TransactionService, blobs: BlobStore, organization: str) -> None:
        self._uow, self._clock, self._transactions = uow_factory, clock, transactions
        self._blobs, self._organization = blobs, organization

    def pdf(self, account_id: str) -> bytes:
        """The contract to read: the accepted one once accepted, else a fresh rendering."""
        with self._uow() as uow:
            current = owned(uow, account_id, lock=False)
        accepted = current.sealed_contract_sha256 or current.contract_sha256
        if accepted is not None:
            return self._blobs.get(accepted)
        current.expect(State.AWAITING_CONTRACT, Event.SIGN_CONTRACT)
        return contract_pdf(current, self._organization)

    def accept(self, account_id: str) -> Challenge:
        """Open the transaction that accepts the contract (a new one replaces an old one)."""
        with self._uow() as uow:
            current = owned(uow, account_id)
            current.expect(State.AWAITING_CONTRACT, Event.SIGN_CONTRACT)
            digest = self._blobs.put(contract_pdf(current, self._organization))
            challenge = self._transactions.create(uow, account_id, CONTRACT_KIND, {
                "registration": current.id, "sha256": digest,
                "description": "Chấp thuận Hợp đồng cung cấp dịch vụ chứng thư số",
                "file_name": f"hop-dong-{current.id[:8]}.pdf"})
            uow.onboarding.save(replace(current, contract_transaction=challenge.id))
            uow.commit()
            return challenge


def contract_kind(uow_factory: UnitOfWorkFactory, clock: Clock, sealer: Sealer,
                  blobs: BlobStore) -> Kind:
    """Confirming the transaction accepts the contract: the registration goes to review;
    then kyso seals the accepted PDF with its organisation certificate."""

    def apply(uow: UnitOfWork, challenge: Challenge) -> None:
        current = _for_challenge(uow, challenge)
        current.expect(State.AWAITING_CONTRACT, Event.SIGN_CONTRACT)
        if current.contract_transaction != challenge.id:
            raise NotFound("this transaction is not the registration's open contract")
        move(uow, current, Event.SIGN_CONTRACT, clock.now(), actor=challenge.account_id,
             contract_sha256=challenge.details["sha256"])

    def after(challenge: Challenge) -> None:
        try:
            sealed = blobs.put(sealer.seal(blobs.get(challenge.details["sha256"])))
        except (KysoError, KeyError):  # the acceptance stands; the seal can be made again
            log.exception("sealing the contract of %s failed", challenge.details["registration"])
            return
        with uow_factory() as uow:
            current = _for_challenge(uow, challenge)
            uow.onboarding.save(replace(current, sealed_contract_sha256=sealed))
            uow.commit()

    return Kind(CONTRACT_KIND, Purpose.SIGN, apply, after)


def _for_challenge(uow: UnitOfWork, challenge: Challenge) -> Registration:
    found = uow.onboarding.get(challenge.details.get("registration", ""), for_update=True)
    if found is None or found.account_id != challenge.account_id:
        raise NotFound()
    return found
