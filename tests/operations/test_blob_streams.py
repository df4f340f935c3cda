"""The blob stores in chunks: a blob written from pieces of any size is the blob written
whole (same name, same 1 MiB rows), read back a chunk at a time and checked; a source that
changes between the store's two readings, or a damaged chunk or file, is refused."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from sqlalchemy import select, update

from kyso.adapters.blobs import BlobTooLarge, DatabaseBlobStore, FileBlobStore
from kyso.adapters.db.tables.blobs import blob_chunks, blobs
from kyso.signing.storage import blob_file
from tests.integration.documents.conftest import World, open_world

CHUNK = 64 * 1024


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with ExitStack() as stack:
        yield open_world(tmp_path_factory.mktemp("blob-streams"), stack)


def pieces(data: bytes, sizes: tuple[int, ...]) -> Iterator[bytes]:
    """``data`` cut into pieces of the given sizes, in turn (odd sizes, across chunks)."""
    start, n = 0, 0
    while start < len(data):
        size = sizes[n % len(sizes)]
        yield data[start:start + size]
        start, n = start + size, n + 1


def store(world: World, max_bytes: int = 1 << 20) -> DatabaseBlobStore:
    c = world.container
    return DatabaseBlobStore(c.engine, c.envelope, world.clock, max_bytes=max_bytes,
                             chunk_bytes=CHUNK)


def rows(world: World, digest: str) -> list[tuple[int, int]]:
    """(seq, length of the sealed chunk) of a blob's rows."""
    with world.container.engine.connect() as conn:
        return [(seq, len(sealed)) for seq, sealed in conn.execute(
            select(blob_chunks.c.seq, blob_chunks.c.sealed)
            .where(blob_chunks.c.sha256 == digest).order_by(blob_chunks.c.seq))]


def test_pieces_of_any_size_make_the_same_blob(world: World) -> None:
    s = store(world)
    data = os.urandom(5 * CHUNK + 777)
    digest = s.put_chunks(lambda: pieces(data, (1, 70_000, 3, 131_072, 5_000)))
    assert [seq for seq, _ in rows(world, digest)] == list(range(6))
    assert s.get(digest) == data
    again = os.urandom(3 * CHUNK)  # exactly whole chunks
    assert s.put(again) == s.put_chunks(lambda: pieces(again, (CHUNK,)))
    assert len(rows(world, s.put(again))) == 3
    parts = list(s.chunks(digest))
    assert [len(p) for p in parts] == [CHUNK] * 5 + [777] and b"".join(parts) == data
    with blob_file(s, digest) as path:
        assert path.read_bytes() == data
    assert not path.exists()


def test_a_source_that_changes_between_readings_stores_nothing(world: World) -> None:
    s = store(world)
    readings = iter([os.urandom(2 * CHUNK), os.urandom(2 * CHUNK)])
    with pytest.raises(ValueError, match="changed"):
        s.put_chunks(lambda: (next(readings),))
    with world.container.engine.connect() as conn:  # no chunk without its blob
        named = {d for (d,) in conn.execute(select(blobs.c.sha256))}
        chunked = {d for (d,) in conn.execute(select(blob_chunks.c.sha256))}
    assert chunked <= named
    with pytest.raises(BlobTooLarge):
        store(world, max_bytes=CHUNK).put_chunks(lambda: pieces(b"x" * (CHUNK + 1), (999,)))


def test_a_damaged_chunk_stops_the_reading(world: World) -> None:
    s = store(world)
    data = os.urandom(3 * CHUNK)
    digest = s.put(data)
    with world.container.engine.begin() as conn:
        sealed = conn.execute(select(blob_chunks.c.sealed).where(
            blob_chunks.c.sha256 == digest, blob_chunks.c.seq == 0)).scalar()
        conn.execute(update(blob_chunks).where(blob_chunks.c.sha256 == digest)
                     .where(blob_chunks.c.seq == 2).values(sealed=sealed))
    reading = s.chunks(digest)
    assert next(reading) == data[:CHUNK]
    with pytest.raises(KeyError):
        list(reading)
    with pytest.raises(KeyError):
        s.chunks("0" * 64)


def test_the_file_store_in_chunks(world: World) -> None:
    root = world.files / "file-store"
    s = FileBlobStore(root)
    data = os.urandom(2 * 1024 * 1024 + 5)
    digest = s.put_chunks(lambda: pieces(data, (100_000, 1)))
    assert digest == s.put(data) and b"".join(s.chunks(digest)) == data
    assert [p.name for p in root.rglob(".incoming-*")] == []  # no temporary file left
    path = root / digest[:2] / digest
    damaged = bytearray(path.read_bytes())
    damaged[-1] ^= 1
    path.write_bytes(bytes(damaged))
    with pytest.raises(KeyError):
        list(s.chunks(digest))
    with pytest.raises(KeyError):
        s.chunks("1" * 64)
