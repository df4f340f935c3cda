"""The service contract: a PDF made from the registration, accepted with an OTP.

``accept`` stores the PDF and opens an ``onboarding_contract`` transaction bound to its
SHA-256; confirming it (``POST /transactions/{id}/confirm``, the SmartOTP code, or the SMS
code for customers without a token) moves the registration to review in the same
transaction; then kyso seals the accepted PDF (PAdES B-T) with its organisation
certificate (:mod:`kyso.onboarding.seal`). The customer downloads the sealed contract.

The acceptance never waits for the seal: it records ``seal_due`` with the acceptance, and
:class:`ContractSeals` seals right after the commit; when that fails (the HSM, the TSA) the
registration shows ``contract_seal: pending``, the failure is audited
(``onboarding.seal_failed``) and ``kyso worker`` tries again (:meth:`ContractSeals.retry_due`)
with a growing pause, until it is sealed (``onboarding.sealed``).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from kyso.audit.model import AuditEvent, Outcome
from kyso.clock import Clock
from kyso.errors import KysoError, NotFound, Text
from kyso.onboarding.journal import move, owned
from kyso.onboarding.model import Registration
from kyso.onboarding.paper import contract_pdf
from kyso.onboarding.seal import Sealer
from kyso.onboarding.states import Event, State
from kyso.otp.factors import FactorProof
from kyso.otp.model import Purpose
from kyso.otp.token import Challenge
from kyso.otp.transactions import Kind, TransactionService
from kyso.signing.storage import BlobStore
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["CONTRACT_KIND", "ContractSeals", "ContractService", "contract_kind"]

log = logging.getLogger(__name__)
CONTRACT_KIND = "onboarding_contract"
_SHOWN = (State.AWAITING_CONTRACT, State.UNDER_REVIEW, State.APPROVED, State.ACTIVE)
_MAX_PAUSE = timedelta(hours=6)


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


def contract_kind(uow_factory: UnitOfWorkFactory, clock: Clock,
                  seals: ContractSeals) -> Kind:
    """Confirming the transaction accepts the contract: the registration goes to review;
    then kyso seals the accepted PDF with its organisation certificate."""

    def apply(uow: UnitOfWork, challenge: Challenge) -> None:
        current = _for_challenge(uow, challenge)
        current.expect(State.AWAITING_CONTRACT, Event.SIGN_CONTRACT)
        if current.contract_transaction != challenge.id:
            raise NotFound(Text("giao dịch này không phải hợp đồng đang chờ ký của hồ sơ",
                                "this transaction is not the registration's open contract"))
        now = clock.now()
        move(uow, current, Event.SIGN_CONTRACT, now, actor=challenge.account_id,
             contract_sha256=challenge.details["sha256"], seal_due=now)

    def after(challenge: Challenge, _proof: FactorProof) -> None:
        seals.seal(challenge.details["registration"])  # kyso's seal: no customer key used

    return Kind(CONTRACT_KIND, Purpose.SIGN, apply, after)


class ContractSeals:
    """kyso's seal on accepted contracts: made once, tried again until it is made."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, sealer: Sealer,
                 blobs: BlobStore) -> None:
        self._uow, self._clock, self._sealer, self._blobs = uow_factory, clock, sealer, blobs

    def retry_due(self, limit: int = 20) -> int:
        """Seal the accepted contracts whose seal is due; how many got sealed."""
        with self._uow() as uow:
            due = uow.onboarding.seals_due(self._clock.now(), limit)
        return sum(1 for r in due if self.seal(r.id))

    def seal(self, registration_id: str) -> bool:
        """Seal the registration's accepted contract if still due; False if it failed."""
        with self._uow() as uow:
            found = uow.onboarding.get(registration_id)
        if found is None or found.contract_sha256 is None or found.seal_due is None:
            return False
        try:
            sealed = self._blobs.put(self._sealer.seal(self._blobs.get(found.contract_sha256)))
        except Exception as exc:  # the acceptance stands; the worker tries again
            log.exception("sealing the contract of registration %s failed", registration_id)
            self._record(registration_id, None, exc)
            return False
        return self._record(registration_id, sealed, None)

    def _record(self, registration_id: str, sealed: str | None,
                error: Exception | None) -> bool:
        now = self._clock.now()
        with self._uow() as uow:
            current = uow.onboarding.get(registration_id, for_update=True)
            if current is None or current.seal_due is None:
                return False  # sealed meanwhile by another worker
            if sealed is not None:
                done = replace(current, sealed_contract_sha256=sealed, seal_due=None)
            else:
                failures = current.seal_failures + 1
                pause = min(timedelta(minutes=2 ** min(failures, 12)), _MAX_PAUSE)
                done = replace(current, seal_failures=failures, seal_due=now + pause)
            uow.onboarding.save(done)
            code = error.code if isinstance(error, KysoError) else type(error).__name__
            uow.audit.append(AuditEvent(
                "onboarding.sealed" if sealed else "onboarding.seal_failed",
                Outcome.SUCCESS if sealed else Outcome.FAILURE, actor="system",
                subject=current.account_id,
                details={"registration": current.id, "failures": done.seal_failures,
                         "error": None if sealed else code}), now)
            uow.commit()
            return sealed is not None


def _for_challenge(uow: UnitOfWork, challenge: Challenge) -> Registration:
    found = uow.onboarding.get(challenge.details.get("registration", ""), for_update=True)
    if found is None or found.account_id != challenge.account_id:
        raise NotFound()
    return found
