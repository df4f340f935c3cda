"""Signature records: one per signature kyso made over a known document, behind the public
verification page ``/v/<id>`` that a visible stamp's QR code and short link point to.

The id is 12 base32 characters (60 bits) from the operating system's CSPRNG: short enough
to type from paper, too many to guess or enumerate. A record keeps what the page shows and
what the signing receipt binds — never the document's bytes, the signer's ID number or
contact details.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

__all__ = ["RECORD_ID", "RecordRepository", "SignatureRecord", "new_record_id",
           "verify_url"]

RECORD_ID = re.compile(r"[a-z2-7]{12}")


def new_record_id() -> str:
    """12 lower-case base32 characters (60 random bits)."""
    return base64.b32encode(secrets.token_bytes(8)).decode()[:12].lower()


def verify_url(base_url: str, record_id: str) -> str:
    return f"{base_url.rstrip('/')}/v/{record_id}"


@dataclass(frozen=True)
class SignatureRecord:
    id: str
    account_id: str
    credential_id: str
    issuer: str  # the issuing CA's name in kyso
    serial: int
    signer_name: str  # as in the certificate
    issuer_name: str  # the issuing CA's common name
    format: str  # pades | cades
    level: str  # B-B … B-LTA
    file_name: str
    sha256: str  # of the original
    signed_sha256: str  # of the signed output
    signed_size: int
    signed_at: datetime
    audit_event: str  # the id of the audit event that says the signature was made
    created_at: datetime
    document_id: str | None = None
    timestamp_at: datetime | None = None  # the signature time stamp's time
    relying_party: str | None = None
    challenge_id: str | None = None  # the transaction the customer approved
    receipt_sha256: str | None = None

    def __post_init__(self) -> None:
        if not RECORD_ID.fullmatch(self.id):
            raise ValueError("a record's id is 12 base32 characters")


class RecordRepository(Protocol):
    def add(self, record: SignatureRecord) -> None: ...

    def get(self, record_id: str) -> SignatureRecord | None: ...

    def for_document(self, document_id: str) -> SignatureRecord | None: ...

    def for_account(self, account_id: str, limit: int = ...) -> Sequence[SignatureRecord]: ...
