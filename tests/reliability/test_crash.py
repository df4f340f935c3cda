"""A crash under signing load loses nothing, doubles nothing and wedges nothing (issue 11).

A real ``kyso serve --workers 2`` signs for four CSC clients; the server and its workers are
killed with SIGKILL mid-load (a bounded number of signatures in), then started again. Every
request whose answer was lost is sent again with the same SAD and hashes. Then:
signatures delivered + signatures retrieved by the retry = signatures consumed by the quota
ledger = the count of ``signing.signed`` audit records, the ledger adds up, the audit trail
verifies, and the credential still signs. SQLite, or PostgreSQL with KYSO_TEST_DATABASE_URL.
"""

from __future__ import annotations

import base64
import hashlib
import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from kyso.accounts.service import NewAccount
from kyso.audit.checkpoint import AuditAnchor
from kyso.bootstrap import Container, bootstrap, init_home
from kyso.config import Settings
from kyso.keys.model import HashAlgorithm, KeyAlgorithm, SignatureScheme
from kyso.pki.service import IssueRequest
from tests.conftest import FAST_HASHER
from tests.e2e.harness import _free_port
from tests.proofs import sms_proof
from tests.quota import give_signatures
from tests.reliability.serving import DEADLINE, children, gone, healthy, serve, until

PASSWORD, CLIENTS, SADS, KILL_AFTER = "Matkhau2026!", 4, 48, 12
ECDSA = SignatureScheme.ECDSA_SHA256.oid


@dataclass
class Load:
    """What the clients saw: signatures delivered, and SADs whose answer never came."""

    delivered: dict[str, list[str]] = field(default_factory=dict)
    lost: list[tuple[str, list[bytes]]] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    enough: threading.Event = field(default_factory=threading.Event)
    stopped: threading.Event = field(default_factory=threading.Event)


@dataclass(frozen=True)
class Customer:
    account_id: str
    credential_id: str
    token: str


def _customer(container: Container) -> Customer:
    container.pki.initialize(actor="test")
    account = container.accounts.sign_up(NewAccount(
        "crash1", PASSWORD, "246813", "Phạm Văn Bền", "0912000111", "ben@example.vn",
        id_number="001091000777"), actor="test")
    container.pki.issue(IssueRequest(account=account.id, province="Hà Nội",
                                     locality="Đống Đa", algorithm=KeyAlgorithm.EC_P256),
                        actor="test")
    [credential] = container.signing.credentials(account.id)
    give_signatures(container, credential.id, 500)
    _, token = container.accounts.login("crash1", PASSWORD)
    return Customer(account.id, credential.id, token)


def _sads(container: Container, who: Customer, count: int,
          per_sad: int = 2) -> list[tuple[str, list[bytes]]]:
    credential = container.signing.credential(who.account_id, who.credential_id)
    out, proof = [], sms_proof(container, who.account_id)
    for _ in range(count):
        digests = [hashlib.sha256(os.urandom(16)).digest() for _ in range(per_sad)]
        with container.uow() as uow:  # a SAD as authorize issues it, after an SMS code
            out.append((container.signing.grant(uow, credential, digests,
                                                HashAlgorithm.SHA256, proof).sad, digests))
            uow.commit()
    return out


def _sign(url: str, who: Customer, sad: str, digests: list[bytes]) -> httpx.Response:
    body = {"credentialID": who.credential_id, "SAD": sad, "signAlgo": ECDSA,
            "hashes": [base64.b64encode(d).decode() for d in digests]}
    return httpx.post(f"{url}/csc/v2/signatures/signHash", json=body, timeout=30,
                      headers={"Authorization": f"Bearer {who.token}"})


def _client(url: str, who: Customer, jobs: list[tuple[str, list[bytes]]], load: Load) -> None:
    for sad, digests in jobs:
        if load.stopped.is_set():  # the SADs not sent yet stay unused
            return
        try:
            r = _sign(url, who, sad, digests)
        except httpx.TransportError:
            with load.lock:
                load.lost.append((sad, digests))
            continue
        with load.lock:
            if r.status_code == 200:
                load.delivered[sad] = r.json()["signatures"]
                if len(load.delivered) >= KILL_AFTER:
                    load.enough.set()
            else:
                load.refused.append(r.status_code)


def _kill_all(parent: int) -> list[int]:
    workers = [p for p in children(parent) if not gone(p)]
    for pid in [*workers, parent]:
        os.kill(pid, signal.SIGKILL)
    return workers


@pytest.fixture
def node(tmp_path: Path, db_url: str) -> Settings:
    return Settings(home=tmp_path / "home", database_url=db_url, pki_ca_key="ec-p256",
                    pki_responder_key="ec-p256", pki_tsa_key="ec-p256")


def test_kill_9_under_signing_load(node: Settings, tmp_path: Path, db_url: str) -> None:
    init_home(node)
    container = bootstrap(node, hasher=FAST_HASHER)
    who = _customer(container)
    jobs = _sads(container, who, SADS)
    port, log = _free_port(), tmp_path / "serve.log"
    url = f"http://127.0.0.1:{port}"
    first = serve(node.home, db_url, port, log)
    second, load, workers = None, Load(), []
    try:
        assert until(lambda: healthy(port), DEADLINE), log.read_text()
        with ThreadPoolExecutor(CLIENTS) as pool:
            for n in range(CLIENTS):
                pool.submit(_client, url, who, jobs[n::CLIENTS], load)
            assert load.enough.wait(120), log.read_text()
            load.stopped.set()
            workers = _kill_all(first.pid)
        first.wait(10)
        assert until(lambda: all(gone(w) for w in workers), 10)
        second = serve(node.home, db_url, port, log)
        assert until(lambda: healthy(port), DEADLINE), log.read_text()
        retrieved = _retry(url, who, load)
        _check_books(container, who, load, retrieved)
        [(sad, digests)] = _sads(container, who, 1)
        assert _sign(url, who, sad, digests).status_code == 200  # the credential still signs
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(30)
        for pid in workers:
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)
        container.close()


def _retry(url: str, who: Customer, load: Load) -> int:
    """Each lost answer asked again: signatures come back if they were counted."""
    retrieved = 0
    for sad, digests in load.lost:
        r = _sign(url, who, sad, digests)
        if r.status_code == 200:
            retrieved += len(r.json()["signatures"])
        else:  # reserved, never signed: nothing counted; the SAD's hashes are spent
            assert r.status_code == 400, r.text
    return retrieved


def _check_books(container: Container, who: Customer, load: Load, retrieved: int) -> None:
    assert load.refused == [], load.refused  # nothing refused before the kill
    delivered = sum(len(s) for s in load.delivered.values())
    balance = container.quotas.balance(who.credential_id)
    with container.uow() as uow:
        signed = sum(int(r.event.details["count"] or 0) for r in uow.audit.records()
                     if r.event.action == "signing.signed"
                     and r.event.subject == who.credential_id)
    assert delivered >= KILL_AFTER * 2
    assert delivered + retrieved == balance.consumed == signed
    assert container.quotas.verify(who.credential_id)
    assert balance.available + balance.reserved + balance.consumed == 500
    anchor: AuditAnchor = container.audit_anchor
    assert anchor.verify()[0][0] > 0
