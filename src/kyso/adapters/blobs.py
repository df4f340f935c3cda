"""Content-addressed blob stores: in the database (every node reaches it), or on the file
system of one node (``KYSO_HOME/documents``), chosen by ``KYSO_BLOB_STORE``.

:class:`DatabaseBlobStore` keeps each blob in ``blob_chunks`` rows of 1 MiB, each chunk
envelope-sealed under the master key (purpose ``blob:<sha256>:<seq>``), so that a large
document is never copied whole into one statement and every node, whatever its
``KYSO_HOME``, reads what another stored. A put inside an open unit of work joins its
transaction. Blobs no name refers to any more are removed by :meth:`DatabaseBlobStore.sweep`
(``kyso worker``) once older than the retention period. Blobs written to the folders before
the store moved are still read from there.

The file system stores:

``ab/abcdef…`` holds the bytes whose SHA-256 is ``abcdef…``. A blob is written to a
temporary file in the same directory, flushed to disk, then renamed: it is complete or
absent. Reads check the hash again, so a damaged file is reported as missing rather than
served. Several API workers share it when ``KYSO_HOME`` is on a shared volume; another
adapter (object storage) can implement the same two methods.

:class:`SealedBlobStore` keeps the same layout with every blob envelope-sealed under the
master key (the purpose binds it to its hash): for personal data at rest — the onboarding
store's ID-card images and contracts. It still reads a plain blob written before it was
sealed, if the hash matches.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO, Protocol

from sqlalchemy import Connection, Engine, delete, insert, or_, select, update

from kyso.adapters.db.engine import reading, transaction
from kyso.adapters.db.tables.blobs import blob_chunks, blobs
from kyso.adapters.db.tables.documents import documents
from kyso.adapters.db.tables.multisign import multisign_envelopes
from kyso.adapters.db.tables.onboarding import registrations
from kyso.adapters.db.tables.verify import signature_records, signing_receipts
from kyso.clock import Clock
from kyso.errors import InvalidInput
from kyso.secrets import Envelope, SealedValueError
from kyso.signing.source import CHUNK, Chunks

__all__ = ["BlobTooLarge", "DatabaseBlobStore", "FileBlobStore", "SealedBlobStore", "write_whole"]

log = logging.getLogger(__name__)

CHUNK_BYTES = 1024 * 1024


class BlobTooLarge(InvalidInput):
    code = "request_too_large"
    vi = "Tệp quá lớn để lưu trữ."
    en = "The file is too large to store."


class _Readable(Protocol):
    def get(self, sha256: str) -> bytes: ...


class DatabaseBlobStore:
    def __init__(self, engine: Engine, envelope: Envelope, clock: Clock, *,
                 max_bytes: int, legacy: Sequence[_Readable] = (),
                 chunk_bytes: int = CHUNK_BYTES) -> None:
        self._engine, self._envelope, self._clock = engine, envelope, clock
        self._max, self._chunk = max_bytes, chunk_bytes
        self._legacy = tuple(legacy)

    def __repr__(self) -> str:
        return f"DatabaseBlobStore({self._engine.url.render_as_string()!r})"

    def put(self, data: bytes) -> str:
        return self.put_chunks(lambda: (data,))

    def put_chunks(self, parts: Chunks) -> str:
        """Store the bytes ``parts()`` yields, read twice (the name first: each chunk's
        seal is bound to it), never held whole; a source that changed between the two
        readings is refused and nothing is stored."""
        digest, size = _hash(parts())
        if size > self._max:
            raise BlobTooLarge()
        now = self._clock.now()
        with transaction(self._engine) as conn:
            known = conn.execute(update(blobs).where(blobs.c.sha256 == digest)
                                 .values(stored_at=now)).rowcount
            if known:
                return digest  # the same bytes, stored before: younger for the clean-up
            again, count = hashlib.sha256(), 0
            for count, part in enumerate(_rechunk(parts(), self._chunk), 1):
                again.update(part)
                conn.execute(insert(blob_chunks).values(
                    sha256=digest, seq=count - 1,
                    sealed=self._envelope.seal(part, _chunk_purpose(digest, count - 1))))
            if again.hexdigest() != digest:
                raise ValueError("the blob changed while it was stored")
            conn.execute(insert(blobs).values(sha256=digest, size=size, chunks=count,
                                              stored_at=now))
        return digest

    def chunks(self, sha256: str) -> Iterator[bytes]:
        """The blob in its chunks, each opened (and so authenticated) as it is read, one
        chunk in memory at a time; ``KeyError`` at once when there is no such blob, or at
        the end when the whole does not match its name."""
        if not _SHA256.fullmatch(sha256):
            raise KeyError(sha256)
        with reading(self._engine) as conn:
            row = conn.execute(select(blobs.c.size, blobs.c.chunks)
                               .where(blobs.c.sha256 == sha256)).first()
        if row is None:
            return iter((self._legacy_get(sha256),))
        return self._stream(sha256, row.size, row.chunks)

    def _stream(self, sha256: str, size: int, count: int) -> Iterator[bytes]:
        digest, seen = hashlib.sha256(), 0
        for seq in range(count):
            with reading(self._engine) as conn:
                sealed = conn.execute(select(blob_chunks.c.sealed).where(
                    blob_chunks.c.sha256 == sha256, blob_chunks.c.seq == seq)).scalar()
            if sealed is None:
                raise KeyError(sha256)
            part = self._open(sha256, seq, sealed)
            digest.update(part)
            seen += len(part)
            yield part
        if seen != size or digest.hexdigest() != sha256:
            raise KeyError(sha256)

    def get(self, sha256: str) -> bytes:
        if not _SHA256.fullmatch(sha256):
            raise KeyError(sha256)
        with reading(self._engine) as conn:
            row = conn.execute(select(blobs.c.size, blobs.c.chunks)
                               .where(blobs.c.sha256 == sha256)).first()
            if row is None:
                return self._legacy_get(sha256)
            parts = [self._open(sha256, seq, sealed) for seq, sealed in conn.execute(
                select(blob_chunks.c.seq, blob_chunks.c.sealed)
                .where(blob_chunks.c.sha256 == sha256).order_by(blob_chunks.c.seq))]
        data = b"".join(parts)
        del parts
        if len(data) != row.size or hashlib.sha256(data).hexdigest() != sha256:
            raise KeyError(sha256)
        return data

    def sweep(self, retention: timedelta, limit: int = 500) -> int:
        """Remove blobs that no document or registration names, stored before the retention
        period; return how many."""
        before = self._clock.now() - retention
        with self._engine.connect() as conn:
            old = [d for (d,) in conn.execute(select(blobs.c.sha256)
                                              .where(blobs.c.stored_at < before)
                                              .order_by(blobs.c.stored_at).limit(limit))]
            if not old:
                return 0
            orphans = set(old) - _referenced(conn, old)
        removed = 0
        for digest in sorted(orphans):
            with transaction(self._engine) as conn:
                # again, in the deleting transaction: a put meanwhile made it young again
                if conn.execute(delete(blobs).where(blobs.c.sha256 == digest)
                                .where(blobs.c.stored_at < before)).rowcount:
                    conn.execute(delete(blob_chunks).where(blob_chunks.c.sha256 == digest))
                    removed += 1
        if removed:
            log.info("blob clean-up removed %d blobs no longer referenced", removed)
        return removed

    def _open(self, sha256: str, seq: int, sealed: bytes) -> bytes:
        try:
            return self._envelope.open(sealed, _chunk_purpose(sha256, seq))
        except SealedValueError:
            raise KeyError(sha256) from None

    def _legacy_get(self, sha256: str) -> bytes:
        for store in self._legacy:
            try:
                return store.get(sha256)
            except KeyError:
                continue
        raise KeyError(sha256)


def _hash(parts: Iterable[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for part in parts:
        digest.update(part)
        size += len(part)
    return digest.hexdigest(), size


def _rechunk(parts: Iterable[bytes], size: int) -> Iterator[bytes]:
    """``parts`` cut again into pieces of exactly ``size`` bytes (the last one shorter)."""
    buffer = bytearray()
    for part in parts:
        view = memoryview(part)
        while view:
            if not buffer and len(view) >= size:
                yield bytes(view[:size])
                view = view[size:]
                continue
            take = size - len(buffer)
            buffer += view[:take]
            view = view[take:]
            if len(buffer) == size:
                yield bytes(buffer)
                buffer.clear()
    if buffer:
        yield bytes(buffer)


def _chunk_purpose(sha256: str, seq: int) -> str:
    return f"blob:{sha256}:{seq}"


def _referenced(conn: Connection, digests: Iterable[str]) -> set[str]:
    """Which of ``digests`` a document (upload, output, stamp image), a signing receipt or a
    registration (ID images, contract, sealed contract: in its JSON body) names."""
    wanted = set(digests)
    c = documents.c
    named: set[str] = set()
    e = multisign_envelopes.c
    for column in (c.sha256, c.signed_sha256, c.stamp_image, e.sha256, e.current_sha256,
                   signature_records.c.receipt_sha256,  # the last two: signing receipts
                   signing_receipts.c.receipt_sha256):
        named |= {d for (d,) in conn.execute(select(column).where(column.in_(wanted)))}
    clauses = [registrations.c.body.contains(d) for d in wanted - named]
    for start in range(0, len(clauses), 50):
        for (body,) in conn.execute(select(registrations.c.body)
                                    .where(or_(*clauses[start:start + 50]))):
            named |= {d for d in wanted if d in body}
    return named & wanted


_SHA256 = re.compile(r"[0-9a-f]{64}")


class FileBlobStore:
    def __init__(self, root: Path) -> None:
        self._root = root

    def __repr__(self) -> str:
        return f"FileBlobStore({str(self._root)!r})"

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if path.exists() and path.stat().st_size == len(data):
            return digest
        _write(path, data)
        return digest

    def put_chunks(self, parts: Chunks) -> str:
        """One pass: written to a temporary file while hashed, then renamed to its name."""
        self._root.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self._root, prefix=".incoming-")
        try:
            digest, size = hashlib.sha256(), 0
            with os.fdopen(fd, "wb") as out:
                for part in parts():
                    digest.update(part)
                    size += len(part)
                    out.write(part)
                out.flush()
                os.fsync(out.fileno())
            path = self._path(digest.hexdigest())
            if path.exists() and path.stat().st_size == size:
                return digest.hexdigest()
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.replace(temporary, path)
            return digest.hexdigest()
        finally:
            Path(temporary).unlink(missing_ok=True)

    def get(self, sha256: str) -> bytes:
        try:
            data = self._path(sha256).read_bytes()
        except FileNotFoundError:
            raise KeyError(sha256) from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise KeyError(sha256)
        return data

    def chunks(self, sha256: str) -> Iterator[bytes]:
        """The file in chunks; ``KeyError`` at once when missing, at the end when damaged."""
        try:
            f = open(self._path(sha256), "rb")  # noqa: SIM115 - closed by the generator
        except FileNotFoundError:
            raise KeyError(sha256) from None
        return _read_checked(f, sha256)

    def _path(self, sha256: str) -> Path:
        return _path(self._root, sha256)


class SealedBlobStore:
    def __init__(self, root: Path, envelope: Envelope) -> None:
        self._root, self._envelope = root, envelope

    def __repr__(self) -> str:
        return f"SealedBlobStore({str(self._root)!r})"

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = _path(self._root, digest)
        if not path.exists():
            _write(path, self._envelope.seal(data, _purpose(digest)))
        return digest

    def put_chunks(self, parts: Chunks) -> str:
        """Sealed whole (the onboarding store's files are small)."""
        return self.put(b"".join(parts()))

    def chunks(self, sha256: str) -> Iterator[bytes]:
        return iter((self.get(sha256),))

    def get(self, sha256: str) -> bytes:
        try:
            raw = _path(self._root, sha256).read_bytes()
        except FileNotFoundError:
            raise KeyError(sha256) from None
        try:
            data = self._envelope.open(raw, _purpose(sha256))
        except SealedValueError:
            data = raw  # a plain blob from before the store was sealed
        if hashlib.sha256(data).hexdigest() != sha256:
            raise KeyError(sha256)
        return data


def _read_checked(f: BinaryIO, sha256: str) -> Iterator[bytes]:
    with f:
        digest = hashlib.sha256()
        while part := f.read(CHUNK):
            digest.update(part)
            yield part
    if digest.hexdigest() != sha256:
        raise KeyError(sha256)


def _purpose(sha256: str) -> str:
    return f"blob:{sha256}"


def _path(root: Path, sha256: str) -> Path:
    if not _SHA256.fullmatch(sha256):
        raise KeyError(sha256)
    return root / sha256[:2] / sha256


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` at ``path`` whole or not at all (temporary file, fsync, rename)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


write_whole = _write  # for rewriting a blob in place (adapters/db/rotation.py)
