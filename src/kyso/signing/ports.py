"""What signing needs from storage and from billing."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from kyso.signing.model import SignatureActivation

if TYPE_CHECKING:  # kyso.uow imports this module for ActivationRepository
    from kyso.uow import UnitOfWork

__all__ = ["ActivationRepository", "Quota"]


class ActivationRepository(Protocol):
    def add(self, activation: SignatureActivation) -> None: ...

    def by_token_hash(self, token_hash: str, *,
                      for_update: bool = False) -> SignatureActivation | None: ...

    def save(self, activation: SignatureActivation) -> None:
        """Store what changes after the grant: the hashes signed and the revocation."""
        ...

    def spend(self, read: SignatureActivation, spent: SignatureActivation, scheme: str,
              signatures: dict[str, bytes]) -> bool:
        """Store ``spent``'s hashes signed if the SAD is still as ``read`` left it (the same
        hashes signed, not revoked), and keep ``signatures`` (base64 digest → signature,
        made with ``scheme``) with it until it expires: one conditional write, no lock taken
        before it. False when it changed meanwhile (then nothing is written)."""
        ...

    def keep_signatures(self, activation: SignatureActivation, scheme: str,
                        signatures: dict[str, bytes]) -> None:
        """Keep what ``activation`` signed (base64 digest → signature) until it expires
        (after a :meth:`save`; :meth:`spend` keeps them itself)."""
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

    def release(self, uow: UnitOfWork, reservation: str) -> None: ...
