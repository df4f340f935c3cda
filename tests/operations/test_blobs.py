"""Nodes share nothing but the database and the key store: two kyso instances with their own
KYSO_HOME on one database serve one customer's document journey interchangeably (upload on
A, sign on B, download on A). The database blob store seals each chunk, refuses what is too
large or altered, reads what the folders held before, and cleans up what nothing names."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from kyso.adapters.blobs import BlobTooLarge, DatabaseBlobStore, FileBlobStore
from kyso.adapters.db.tables.blobs import blob_chunks
from kyso.bootstrap import Container, bootstrap, init_home
from kyso.clock import ManualClock
from kyso.config import Settings
from kyso.entrypoints.api.app import create_app
from tests.conftest import FAST_HASHER
from tests.integration.documents.conftest import World, open_world
from tests.integration.documents.pdfs import sample_pdf


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with ExitStack() as stack:
        yield open_world(tmp_path_factory.mktemp("node-a"), stack)


@pytest.fixture(scope="module")
def node_b(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    """Another node: its own KYSO_HOME, the same database and master key."""
    a = world.container.settings
    settings = Settings(home=tmp_path_factory.mktemp("node-b") / "home",
                        database_url=a.database_url, public_base_url=a.public_base_url,
                        master_key_file=a.master_key_path, pki_ca_key=a.pki_ca_key)
    init_home(settings)
    node = bootstrap(settings, clock=world.clock, hasher=FAST_HASHER)
    yield node
    node.close()


def test_upload_on_a_sign_on_b_download_on_a(world: World, node_b: Container) -> None:
    customer = world.customer()
    with TestClient(create_app(node_b), raise_server_exceptions=False) as b:
        uploaded = customer.upload(sample_pdf("Hop dong hai nut"), level="B-B")  # on A
        assert uploaded.status_code == 201, uploaded.text
        document = uploaded.json()
        answer = customer.device.answer(document["transaction"])  # type: ignore[union-attr]
        confirmed = b.post(f"/api/v1/transactions/{document['transaction']['id']}/confirm",
                           json={"otp": answer}, headers=customer.headers)
        assert confirmed.status_code == 200, confirmed.text  # signed on B
        on_b = b.get(f"/api/v1/documents/{document['id']}/download", headers=customer.headers)
    on_a = customer.get(f"/documents/{document['id']}/download")
    assert on_a.status_code == 200 and on_a.content == on_b.content
    assert customer.validate(on_a.content)["valid"]
    for home in (world.container.settings.home, node_b.settings.home):
        assert not (home / "documents").exists()  # nothing on either node's disk


def test_the_store_seals_chunks_and_refuses_what_does_not_match(world: World) -> None:
    c = world.container
    store = DatabaseBlobStore(c.engine, c.envelope, world.clock, max_bytes=300_000,
                              chunk_bytes=64 * 1024)
    data = os.urandom(200_000) + b"Nguyen Van An 001190000123"
    digest = store.put(data)
    assert store.get(digest) == data and store.put(data) == digest
    with c.engine.begin() as conn:
        chunks = conn.execute(select(blob_chunks.c.seq, blob_chunks.c.sealed)
                              .where(blob_chunks.c.sha256 == digest)
                              .order_by(blob_chunks.c.seq)).all()
        assert [seq for seq, _ in chunks] == [0, 1, 2, 3]
        assert all(b"001190000123" not in sealed and data[:32] not in sealed
                   for _, sealed in chunks)
        conn.execute(update(blob_chunks).where(blob_chunks.c.sha256 == digest)
                     .where(blob_chunks.c.seq == 1).values(sealed=chunks[2].sealed))  # swapped
    with pytest.raises(KeyError):
        store.get(digest)
    with pytest.raises(BlobTooLarge):
        store.put(b"x" * 300_001)
    for bad in ("0" * 64, "../../etc/passwd"):
        with pytest.raises(KeyError):
            store.get(bad)


def test_blobs_from_the_folders_still_read(world: World) -> None:
    old = FileBlobStore(world.container.settings.home / "legacy-documents")
    digest = old.put(b"%PDF-1.7 uploaded before the store moved")
    c = world.container
    store = DatabaseBlobStore(c.engine, c.envelope, world.clock, max_bytes=1 << 20,
                              legacy=[old])
    assert store.get(digest).startswith(b"%PDF-1.7")


def test_the_worker_removes_only_what_nothing_names(world: World, node_b: Container) -> None:
    customer = world.customer("Phạm Minh Châu")
    document = customer.upload(sample_pdf("Giu lai"), level="B-B").json()
    assert customer.confirm(document["transaction"]).status_code == 200
    assert world.container.receipts.make_due() >= 1  # the worker makes the signing receipt
    unsigned = sample_pdf("Chua ky")
    draft = customer.upload(unsigned).json()  # uploaded, never signed
    orphan = world.container.blobs.put(b"an upload whose document was never recorded")
    later = bootstrap(node_b.settings, clock=ManualClock(world.clock.now() + timedelta(days=31)),
                      hasher=FAST_HASHER)
    try:
        assert later.sweep_blobs() >= 1
        assert later.sweep_blobs() == 0
    finally:
        later.close()
    with pytest.raises(KeyError):
        world.container.blobs.get(orphan)
    signed = customer.get(f"/documents/{document['id']}/download")
    assert signed.status_code == 200 and customer.validate(signed.content)["valid"]
    assert world.container.blobs.get(draft["sha256"]) == unsigned
    [record] = customer.get("/receipts").json()  # the signing receipt is kept too
    assert customer.get(f"/receipts/{record['id']}").status_code == 200


def test_a_document_limit_the_store_cannot_hold_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="blob_max_bytes"):
        Settings(home=tmp_path, document_max_bytes=64 << 20, blob_max_bytes=32 << 20)
    assert Settings(home=tmp_path, document_max_bytes=64 << 20, blob_max_bytes=32 << 20,
                    blob_store="files").blob_store == "files"
