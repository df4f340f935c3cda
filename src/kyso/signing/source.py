"""A document's bytes, in memory or in a file: what the document path streams.

A large upload never has to sit in the server's memory whole: it is spooled to a temporary
file as it arrives, stored chunk by chunk, handed to the sandbox by its path, hashed in
chunks, and the signed file is the original followed by a small tail (what the signature
appended), written to the store chunk by chunk. :data:`Source` is either ``bytes`` (kyso's
own small files, tests) or the :class:`~pathlib.Path` of a file nobody else writes.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

__all__ = ["CHUNK", "Chunks", "Signed", "Source", "chunks", "open_source", "read_all",
           "sha256_of", "size_of", "spool", "spooled"]

CHUNK = 1024 * 1024
Source = bytes | Path
Chunks = Callable[[], Iterable[bytes]]
"""A re-iterable producer of a file's chunks (a store may read it twice: hash, then write)."""


def size_of(source: Source) -> int:
    return source.stat().st_size if isinstance(source, Path) else len(source)


def open_source(source: Source) -> BinaryIO:
    return open(source, "rb") if isinstance(source, Path) else io.BytesIO(source)


def chunks(source: Source, size: int = CHUNK) -> Iterator[bytes]:
    """``source`` in pieces of at most ``size`` bytes (views, for bytes: no copy)."""
    if not isinstance(source, Path):
        view = memoryview(source)
        for start in range(0, len(view), size):
            yield view[start:start + size]  # type: ignore[misc]  # a view reads as bytes
        return
    with open(source, "rb") as f:
        while part := f.read(size):
            yield part


def read_all(source: Source) -> bytes:
    """The whole file in memory: only where a library needs it (small files)."""
    return source.read_bytes() if isinstance(source, Path) else source


def sha256_of(source: Source) -> str:
    digest = hashlib.sha256()
    for part in chunks(source):
        digest.update(part)
    return digest.hexdigest()


@contextmanager
def spooled(parts: Iterable[bytes], directory: Path | None = None) -> Iterator[Path]:
    """``parts`` written to a temporary file (mode 0600), removed on leaving."""
    fd, name = tempfile.mkstemp(prefix="kyso-doc-", dir=directory)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                out.write(part)
        yield path
    finally:
        path.unlink(missing_ok=True)


def spool(parts: Iterable[bytes]) -> Path:
    """Like :func:`spooled`, for a caller that removes the file itself."""
    fd, name = tempfile.mkstemp(prefix="kyso-doc-")
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                out.write(part)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


@dataclass(frozen=True)
class Signed:
    """A signed PDF as the original followed by ``tail`` (what the signature appended):
    read in chunks, never joined unless asked (:meth:`whole`)."""

    original: Source
    tail: bytes
    sha256: str | None = None  # of the whole signed file, when known without reading it

    @property
    def size(self) -> int:
        return size_of(self.original) + len(self.tail)

    def chunks(self) -> Iterator[bytes]:
        yield from chunks(self.original)
        if self.tail:
            yield self.tail

    def whole(self) -> bytes:
        return b"".join(self.chunks())
