"""Where documents live: their records in the unit of work, their bytes in a blob store."""

from __future__ import annotations

from typing import Protocol

from kyso.signing.document import Document

__all__ = ["BlobStore", "DocumentRepository"]


class DocumentRepository(Protocol):
    def add(self, document: Document) -> None: ...

    def get(self, document_id: str, *, for_update: bool = False) -> Document | None: ...

    def for_account(self, account_id: str, limit: int) -> list[Document]:
        """Newest first."""
        ...

    def save(self, document: Document) -> None:
        """Write the status, the transaction and the signed output of a stored document."""
        ...


class BlobStore(Protocol):
    """Bytes named by their SHA-256 (lower-case hex). Writing the same bytes twice is one
    blob; a blob is complete or absent, never half-written."""

    def put(self, data: bytes) -> str:
        """Store ``data``; return its SHA-256."""
        ...

    def get(self, sha256: str) -> bytes:
        """The blob's bytes; ``KeyError`` if there is none (or it no longer matches)."""
        ...
