"""Several signers on one PDF: the envelope an initiator sends, its signers, and the errors.

An envelope moves one way::

    draft ──(send: signers named, fields placed)──▶ open ──(every signer signed)──▶ completed
                                                     ├──(a signer declined)──────▶ declined
                                                     ├──(the initiator cancelled)▶ cancelled
                                                     └──(past expires_at)────────▶ expired

A signer is ``waiting`` until they sign (``signing`` while their signature is being made,
then ``signed``) or decline (``declined``). In ``sequential`` mode only the first signer not
yet signed may sign; in ``parallel`` mode anyone waiting may, one at a time (``busy_until``
holds the file while one signature is made, so each signature extends the last version).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from kyso.errors import Conflict, Gone, InvalidInput
from kyso.signing.document import Box, Level

__all__ = [
    "Envelope", "EnvelopeStatus", "Mode", "MultisignBusy", "MultisignClosed",
    "MultisignExpired", "MultisignRepository", "NotYourTurn", "Signer", "SignerStatus",
    "UnknownSigner",
]


class Mode(StrEnum):
    SEQUENTIAL = "sequential"
    PARALLEL = "parallel"


class EnvelopeStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    COMPLETED = "completed"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class SignerStatus(StrEnum):
    WAITING = "waiting"
    SIGNING = "signing"
    SIGNED = "signed"
    DECLINED = "declined"


@dataclass(frozen=True)
class Envelope:
    id: str
    initiator_id: str
    file_name: str
    size: int
    sha256: str  # the original
    current_sha256: str  # the original, then the file after each signature
    mode: Mode
    level: Level
    status: EnvelopeStatus
    signed_count: int
    created_at: datetime
    expires_at: datetime | None = None
    finished_at: datetime | None = None
    note: str | None = None  # why it was declined or cancelled
    busy_until: datetime | None = None

    def open_at(self, now: datetime) -> bool:
        return self.status is EnvelopeStatus.OPEN and (
            self.expires_at is None or now < self.expires_at)

    def shown_status(self, now: datetime) -> EnvelopeStatus:
        """The status as it stands at ``now`` (an open envelope past its expiry is expired,
        written as such the next time it is changed)."""
        if self.status is EnvelopeStatus.OPEN and not self.open_at(now):
            return EnvelopeStatus.EXPIRED
        return self.status


@dataclass(frozen=True)
class Signer:
    envelope_id: str
    position: int  # 1-based, the order in sequential mode
    account_id: str
    name: str  # the account's full name when it was named
    login: str  # the email or phone the initiator gave
    field_name: str
    page: int
    box: Box  # PDF user space
    status: SignerStatus = SignerStatus.WAITING
    transaction_id: str | None = None
    credential_id: str | None = None
    signed_at: datetime | None = None
    declined_reason: str | None = None
    reason: str | None = None  # the signer's own stamp, chosen when they ask to sign
    location: str | None = None
    image: str | None = None  # the SHA-256 of their signature image's PNG (blob store)
    record_id: str | None = None  # the record of their signature (/v/<id>), once signed
    signed_order: int | None = None  # 1: the first signature made on the file, 2: the next…


def turn(envelope: Envelope, signers: list[Signer]) -> list[Signer]:
    """Who may sign now: the first one not yet signed (sequential), or every waiting one."""
    waiting = [s for s in signers if s.status is not SignerStatus.SIGNED]
    if envelope.mode is Mode.SEQUENTIAL:
        return waiting[:1] if waiting and waiting[0].status is not SignerStatus.DECLINED else []
    return [s for s in waiting if s.status is SignerStatus.WAITING]


class MultisignRepository(Protocol):
    def add(self, envelope: Envelope) -> None: ...

    def get(self, envelope_id: str, *, for_update: bool = False) -> Envelope | None: ...

    def save(self, envelope: Envelope) -> None: ...

    def add_signer(self, signer: Signer) -> None: ...

    def signers(self, envelope_id: str) -> list[Signer]:
        """In their order."""
        ...

    def save_signer(self, signer: Signer) -> None: ...

    def by_record(self, record_id: str) -> Signer | None:
        """The signer whose signature made the record ``record_id``."""
        ...

    def for_account(self, account_id: str, limit: int) -> list[Envelope]:
        """Envelopes the account sent or is a signer of (not drafts of others), newest first."""
        ...


class UnknownSigner(InvalidInput):
    code = "multisign_unknown_signer"
    vi = "Không tìm thấy khách hàng kyso có email hoặc số điện thoại {login}."
    en = "No kyso customer has the email or phone number {login}."


class NotYourTurn(Conflict):
    code = "multisign_not_your_turn"
    vi = "Chưa đến lượt Quý khách ký: tài liệu đang chờ {waiting} ký trước."
    en = "It is not your turn to sign yet: the document is waiting for {waiting} first."


class MultisignClosed(Conflict):
    code = "multisign_closed"
    vi = "Yêu cầu ký này đã kết thúc ({status}); không thể thay đổi nữa."
    en = "This signing request is over ({status}); it can no longer change."


class MultisignExpired(Gone):
    code = "multisign_expired"
    vi = "Yêu cầu ký này đã hết hạn."
    en = "This signing request has expired."


class MultisignBusy(Conflict):
    code = "multisign_busy"
    vi = "Một người ký khác đang ký tài liệu này; hãy thử lại sau ít giây."
    en = "Another signer is signing this document; try again in a few seconds."
