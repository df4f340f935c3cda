"""Where documents live: their records in the unit of work, their bytes in a blob store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from kyso.signing.document import Document
from kyso.signing.source import Chunks, spooled

__all__ = ["BlobStore", "DocumentRepository", "blob_file"]


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

    def put_chunks(self, parts: Chunks) -> str:
        """Store the bytes ``parts()`` yields (it may be called twice), without holding
        them whole where the store can; return their SHA-256."""
        ...

    def chunks(self, sha256: str) -> Iterator[bytes]:
        """The blob in pieces; ``KeyError`` at once when there is none, or while reading
        when it no longer matches its name."""
        ...


@contextmanager
def blob_file(store: BlobStore, sha256: str) -> Iterator[Path]:
    """The blob copied to a temporary file, checked, chunk by chunk (for the sandbox to
    read by its path and the server to hash in pieces); removed on leaving."""
    with spooled(store.chunks(sha256)) as path:
        yield path
