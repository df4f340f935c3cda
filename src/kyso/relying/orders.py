"""A relying party's signing order, checked: files with hex SHA-256 digests, and the details
the customer sees and the transaction code binds."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from kyso.relying.errors import InvalidSignRequest
from kyso.relying.model import SignFile

__all__ = ["FileOrder", "SignOrder", "bound_details", "parse_files"]

_TRANSACTION_ID = re.compile(r"[A-Za-z0-9._:@-]{1,64}")
_HEX_DIGEST = re.compile(r"[0-9A-Fa-f]{64}")
MAX_DESCRIPTION = 500


@dataclass(frozen=True)
class FileOrder:
    """One ``sign_files[]`` item as received."""

    doc_id: str
    file_type: str
    data_to_be_signed: str
    sign_type: str


@dataclass(frozen=True)
class SignOrder:
    user_id: str
    transaction_id: str
    description: str
    files: tuple[SignFile, ...]
    serial_number: str | None = None

    def __post_init__(self) -> None:
        if not _TRANSACTION_ID.fullmatch(self.transaction_id):
            raise InvalidSignRequest(reason="transaction_id has 1 to 64 letters, digits or ._:@-")
        if len(self.description) > MAX_DESCRIPTION or re.search(r"[\x00-\x1f\x7f]",
                                                                 self.description):
            raise InvalidSignRequest(reason=f"transaction_desc has at most {MAX_DESCRIPTION} "
                                            "printable characters")
        if not self.user_id.strip() or len(self.user_id) > 32:
            raise InvalidSignRequest(reason="user_id is the subscriber's ID number")


def parse_files(items: Sequence[FileOrder], max_files: int) -> tuple[SignFile, ...]:
    """Check every file; digests are hex SHA-256 (64 hex digits), signing is by hash only."""
    if not 1 <= len(items) <= max_files:
        raise InvalidSignRequest(reason=f"sign_files has 1 to {max_files} items")
    files = tuple(_parse(n, item) for n, item in enumerate(items))
    if len({f.doc_id for f in files}) != len(files):
        raise InvalidSignRequest(reason="every doc_id must be different")
    if len({f.digest for f in files}) != len(files):
        raise InvalidSignRequest(reason="the same data_to_be_signed is given twice")
    return files


def _parse(n: int, item: FileOrder) -> SignFile:
    where = f"sign_files[{n}]"
    if item.sign_type.strip().lower() != "hash":
        raise InvalidSignRequest(reason=f"{where}.sign_type must be 'hash'")
    digest = item.data_to_be_signed.strip()
    if not _HEX_DIGEST.fullmatch(digest):
        raise InvalidSignRequest(reason=f"{where}.data_to_be_signed must be a SHA-256 digest "
                                        "in hex (64 hex digits)")
    try:
        return SignFile(item.doc_id.strip(), item.file_type.strip().lower(),
                        bytes.fromhex(digest))
    except ValueError as exc:
        raise InvalidSignRequest(reason=f"{where}: {exc}") from None


def bound_details(party_name: str, description: str,
                  files: Sequence[SignFile]) -> dict[str, str]:
    """What the app shows and the OCRA question binds: the relying party, the description,
    every doc_id (one a line) and ``files_sha256`` = SHA-256 over the canonical JSON
    ``[[doc_id, file_type, digest_hex], …]`` — so a code confirms exactly these digests."""
    listing = [[f.doc_id, f.file_type, f.digest.hex()] for f in files]
    canonical = json.dumps(listing, ensure_ascii=False, separators=(",", ":"))
    return {
        "relying_party": party_name,
        "transaction_desc": description,
        "doc_ids": "\n".join(f.doc_id for f in files),
        "files_sha256": hashlib.sha256(canonical.encode()).hexdigest(),
    }
