"""signHash on the event loop's own thread (SQLite, keys in process: ``api/hot.py``) while
another process holds SQLite's one write lock for a second — a backup, a long sweep: the
loop gives the wait up to the lane's thread, answers other requests meanwhile, and the
request signs once the lock is free, charged and recorded once."""

from __future__ import annotations

import base64
import fcntl
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from kyso.adapters.db.engine import is_sqlite
from kyso.entrypoints.api.hot import threads_for
from tests.integration.csc.conftest import EN, World
from tests.integration.csc.helpers import b64, digests, public_key

RSA_SHA256 = "1.2.840.113549.1.1.11"


def test_a_long_held_write_lock_holds_up_neither_the_worker_nor_the_signature(
        world: World) -> None:
    if not is_sqlite(world.container.engine):
        pytest.skip("SQLite's one write lock (PostgreSQL's hot routes run on threads)")
    assert threads_for(world.container) == 0  # the event loop's thread, by default
    signer = world.customer()
    batch = digests(1)
    sad = signer.authorize(batch)
    before = world.container.quotas.balance(signer.credential_id).consumed
    lock_file = f"{world.container.engine.url.database}-writer"
    other = os.open(lock_file, os.O_RDWR | os.O_CREAT)  # another open file: a process
    fcntl.flock(other, fcntl.LOCK_EX)
    released = threading.Event()

    def release() -> None:
        fcntl.flock(other, fcntl.LOCK_UN)
        released.set()

    threading.Timer(1.0, release).start()
    try:
        with httpx.Client(base_url=world.url, timeout=30) as http, \
                ThreadPoolExecutor(1) as pool:
            signing = pool.submit(http.post, "/csc/v2/signatures/signHash", json={
                "credentialID": signer.credential_id, "SAD": sad, "hashes": b64(batch),
                "signAlgo": RSA_SHA256},
                headers={"Authorization": f"Bearer {signer.token}", **EN})
            time.sleep(0.2)  # the request is waiting for the lock by now
            started = time.perf_counter()
            health = http.get("/healthz")
            answered_in = time.perf_counter() - started
            assert not released.is_set(), "the machine was too slow to tell"
            assert health.status_code == 200
            assert answered_in < 0.5  # the worker's loop was not held up by the wait
            assert not signing.done()  # …which the signature does, until the lock is free
            r = signing.result()
    finally:
        released.wait(5)
        os.close(other)
    assert r.status_code == 200, r.text
    [signature] = r.json()["signatures"]
    public_key(signer).verify(base64.b64decode(signature), batch[0],
                              padding.PKCS1v15(), Prehashed(hashes.SHA256()))
    assert world.container.quotas.balance(signer.credential_id).consumed == before + 1
    again = signer.post("signatures/signHash", {"credentialID": signer.credential_id,
                                                "SAD": sad, "hashes": b64(batch),
                                                "signAlgo": RSA_SHA256})
    assert again.json()["signatures"] == [signature]  # kept once, redelivered, not recharged
    assert world.container.quotas.balance(signer.credential_id).consumed == before + 1
