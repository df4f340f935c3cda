"""A content-addressed blob store on the file system (``KYSO_HOME/documents`` by default).

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
import os
import re
import tempfile
from pathlib import Path

from kyso.secrets import Envelope, SealedValueError

__all__ = ["FileBlobStore", "SealedBlobStore", "write_whole"]

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

    def get(self, sha256: str) -> bytes:
        try:
            data = self._path(sha256).read_bytes()
        except FileNotFoundError:
            raise KeyError(sha256) from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise KeyError(sha256)
        return data

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
