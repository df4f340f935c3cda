"""What signing needs from storage and from billing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from kyso.audit.model import AuditEvent
from kyso.billing.quota import Debit
from kyso.pki.model import IssuedCertificate
from kyso.signing.model import SignatureActivation
from kyso.signing.receipt_jobs import ReceiptJob

if TYPE_CHECKING:  # kyso.uow imports this module for ActivationRepository
    from kyso.uow import UnitOfWork

__all__ = ["ActivationRepository", "Quota", "SignatureWrite"]


class ActivationRepository(Protocol):
    def add(self, activation: SignatureActivation) -> None: ...

    def by_token_hash(self, token_hash: str, *,
                      for_update: bool = False) -> SignatureActivation | None: ...

    def with_certificate(self, token_hash: str, issuer: str, serial: int,
                         ) -> tuple[SignatureActivation | None, IssuedCertificate | None]:
        """:meth:`by_token_hash` (unlocked) and the certificate ``issuer`` + ``serial``
        (``PkiRepository.certificate``), in one read: a signing's credential and SAD."""
        ...

    def save(self, activation: SignatureActivation) -> None:
        """Store what changes after the grant: the hashes signed and the revocation."""
        ...

    def spend(self, read: SignatureActivation, spent: SignatureActivation, scheme: str,
              signatures: Mapping[str, str]) -> bool:
        """Store ``spent``'s hashes signed if the SAD is still as ``read`` left it (the same
        hashes signed, not revoked), and keep ``signatures`` (base64 digest → base64
        signature, made with ``scheme``) with it until it expires: one conditional write,
        no lock taken before it. False when it changed meanwhile (then nothing is written)."""
        ...

    def keep_signatures(self, activation: SignatureActivation, scheme: str,
                        signatures: Mapping[str, str]) -> None:
        """Keep what ``activation`` signed (base64 digest → base64 signature) until it
        expires (after a :meth:`save`; :meth:`spend` keeps them itself)."""
        ...

    def kept_signatures(self, activation_id: str, scheme: str,
                        hashes: list[str]) -> list[bytes] | None:
        """The kept signatures of ``hashes`` in their order, or None unless all are kept."""
        ...

    def forget_signatures(self, before: datetime) -> int:
        """Drop the signatures kept for SADs expired at ``before``; returns how many."""
        ...


class Quota(Protocol):
    """Signatures a credential may still make. A long signing reserves before it signs, then
    commits what it signed or releases what it did not; a short one (a few RSA/EC
    operations) signs first and debits in the transaction that records the signatures."""

    def reserve(self, uow: UnitOfWork, credential_id: str, count: int, *,
                relying_party: str | None = None) -> str:
        """Hold ``count`` signatures; return a reservation id, or raise OutOfSignatures."""
        ...

    def commit(self, uow: UnitOfWork, reservation: str) -> None: ...

    def debit(self, uow: UnitOfWork, credential_id: str, count: int, *,
              relying_party: str | None = None) -> None:
        """Count ``count`` signatures already made (reserve and commit at once, in the
        transaction that records them), or raise OutOfSignatures."""
        ...

    def common_debit(self, credential_id: str, count: int, *,
                     relying_party: str | None = None) -> Debit | None:
        """:meth:`debit`'s common case, for a store to write with the signatures
        (:class:`SignatureWrite`); when that took nothing, :meth:`debit` decides. None: no
        such case here (:meth:`debit` alone)."""
        ...

    def release(self, uow: UnitOfWork, reservation: str) -> None: ...


@dataclass(frozen=True)
class SignatureWrite:
    """What a short signing's transaction writes, for a store that can write it in one
    statement (``UnitOfWork.record_signature``), all of it or nothing: ``read``'s hashes
    spent as ``spent`` if the SAD is still as read, the ``signatures`` (base64 digest →
    base64 signature, ``scheme``) kept with it, the ``debit`` taken if it is its common
    case, the audit ``event`` appended at ``at`` and the ``receipt`` job queued (its claims'
    ``audit.pending`` is ``PENDING_TO_FILL``: the store puts the event's id there)."""

    read: SignatureActivation
    spent: SignatureActivation
    scheme: str
    signatures: Mapping[str, str]
    event: AuditEvent
    at: datetime
    debit: Debit
    receipt: ReceiptJob | None = None

