"""Relying parties, customers' consents and sign requests."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from kyso.lockout import LockState

__all__ = [
    "Consent",
    "PartyStatus",
    "RelyingParty",
    "RequestStatus",
    "SignFile",
    "SignRequest",
]

DIGEST_SIZE = 32  # SHA-256
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class PartyStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


@dataclass(frozen=True)
class RelyingParty:
    """A relying party. Only an argon2id hash of ``sp_password`` is kept; the webhook secret
    is sealed with the envelope."""

    id: str
    sp_id: str
    name: str
    secret_hash: str = field(repr=False)
    created_at: datetime
    public_service: bool = False
    webhook_url: str | None = None
    sealed_webhook_secret: bytes | None = field(default=None, repr=False)
    status: PartyStatus = PartyStatus.ACTIVE
    lock: LockState = field(default_factory=LockState)

    def __post_init__(self) -> None:
        if not self.name.strip() or len(self.name) > 200 or _CONTROL.search(self.name):
            raise ValueError("a relying party's name has 1 to 200 printable characters")
        if (self.webhook_url is None) != (self.sealed_webhook_secret is None):
            raise ValueError("a webhook URL goes with, and only with, a webhook secret")


@dataclass(frozen=True)
class Consent:
    """A customer lets a relying party see their certificates and ask for signatures."""

    account_id: str
    party_id: str
    granted_at: datetime


class RequestStatus(StrEnum):
    """``confirmed`` and ``signing`` are the short steps between the customer's confirmation
    and the signatures; a relying party sees them as ``waiting``."""

    WAITING = "waiting"
    CONFIRMED = "confirmed"
    SIGNING = "signing"
    SIGNED = "signed"
    REJECTED = "rejected"
    EXPIRED = "expired"
    FAILED = "failed"

    @property
    def final(self) -> bool:
        return self in _FINAL

    @property
    def public(self) -> str:
        return self.value if self in _FINAL else RequestStatus.WAITING.value


_FINAL = frozenset({RequestStatus.SIGNED, RequestStatus.REJECTED, RequestStatus.EXPIRED,
                    RequestStatus.FAILED})


@dataclass(frozen=True)
class SignFile:
    """One document: its id (shown to the customer), type, SHA-256 digest and, once signed,
    the detached CMS (DER) over that digest."""

    doc_id: str
    file_type: str
    digest: bytes
    signature: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.doc_id.strip() or len(self.doc_id) > 128 or _CONTROL.search(self.doc_id):
            raise ValueError("a doc_id has 1 to 128 printable characters")
        if not re.fullmatch(r"[a-z0-9]{1,16}", self.file_type):
            raise ValueError("a file_type is 1 to 16 lower-case letters or digits")
        if len(self.digest) != DIGEST_SIZE:
            raise ValueError("a digest is 32 bytes (SHA-256)")


@dataclass(frozen=True)
class SignRequest:
    """A relying party's request for the customer's signatures; ``id`` is the ``tran_code``."""

    id: str
    party_id: str
    transaction_id: str  # the relying party's own reference, unique per party
    account_id: str
    credential_id: str
    challenge_id: str
    description: str
    files: tuple[SignFile, ...]
    created_at: datetime
    expires_at: datetime
    status: RequestStatus = RequestStatus.WAITING
    ended_at: datetime | None = None
    error: str | None = None

    def __post_init__(self) -> None:
        if not self.files:
            raise ValueError("a sign request has at least one file")
        if len({f.doc_id for f in self.files}) != len(self.files):
            raise ValueError("doc_ids are distinct")
        if len({f.digest for f in self.files}) != len(self.files):
            raise ValueError("digests are distinct")

    def due_to_expire(self, now: datetime) -> bool:
        return self.status is RequestStatus.WAITING and now >= self.expires_at
