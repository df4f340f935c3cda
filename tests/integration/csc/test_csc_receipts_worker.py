"""Signing receipts made by the worker, not in the signing request (issue 16 item 3): a CSC
signHash's receipt binds the hashes, the algorithm, the credential, the relying party, the
SAD's SHA-256 and the audit record's position; the relying party whose token signed reads it
with its own credentials, another party gets 404; a receipt is made exactly once, after a
worker that died holding it, and a failure is retried, never lost."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from asn1crypto import pem

from kyso.pki.model import Authority
from kyso.signing.receipt_jobs import ReceiptJob
from kyso.signing.receipts import LEASE, ReceiptPending, ReceiptService
from tests.integration.csc.conftest import World, basic
from tests.integration.csc.helpers import digests, sign_hash
from tests.integration.csc.oauth_flow import (
    approve,
    credential_params,
    page_id,
    rp_client,
    start,
)
from tests.integration.csc.test_csc_sign_doc_xades import sign_doc as sign_xml
from tests.integration.documents.xml_oracles import INVOICE
from tests.receipt_check import openssl_claims


def _root(world: World, tmp: Path) -> Path:
    root = tmp / "root.pem"
    root.write_bytes(pem.armor("CERTIFICATE",
                               world.container.pki_publisher.ca_certificate("root")))
    return root


def _job(world: World, receipt_id: str) -> ReceiptJob:
    with world.container.uow(read_only=True) as uow:
        job = uow.receipts.get(receipt_id)
    assert job is not None
    return job


def test_a_sign_hash_receipt_is_made_by_the_worker_and_binds_the_sad(
        world: World, tmp_path: Path) -> None:
    signer = world.customer()
    batch = digests(2)
    sad = signer.authorize(batch)
    r = sign_hash(signer, sad, batch)
    assert r.status_code == 200, r.text
    receipt_id = r.json()["receiptID"]
    assert len(r.json()["signatures"]) == 2
    # answered before the receipt exists
    assert _job(world, receipt_id).receipt_sha256 is None
    with pytest.raises(ReceiptPending):
        world.container.receipts.receipt(signer.account_id, receipt_id)
    # a repeated call (a lost answer) redelivers the signatures and queues no second receipt
    again = sign_hash(signer, sad, batch)
    assert again.status_code == 200 and "receiptID" not in again.json()
    bearer = {"Authorization": f"Bearer {signer.token}"} | {"Accept-Language": "vi"}
    [entry] = _history(world, bearer, receipt_id)  # in the customer's history, being made
    assert (entry["status"], entry["receipt"], entry["receipt_pending"]) == (
        "pending", None, True)
    assert entry["label"] == "Biên nhận ký số" and entry["outcome"] == "Đang tạo biên nhận"
    assert entry["description"] == "Ký dữ liệu theo yêu cầu của bên tin cậy"
    assert world.container.outbox_worker().run_once() >= 0  # the worker's pass makes it
    [entry] = _history(world, bearer, receipt_id)
    assert (entry["status"], entry["receipt"], entry["verify"]) == (
        "ready", f"/api/v1/receipts/{receipt_id}", None)
    got = world.client.get(f"/api/v1/receipts/{receipt_id}", headers=bearer)
    assert got.status_code == 200, got.text
    claims = openssl_claims(got.content, _root(world, tmp_path), world.clock.now(), tmp_path)
    assert claims["kind"] == "signHash" and claims["id"] == receipt_id
    assert claims["hashes"] == [d.hex() for d in batch]
    assert claims["hash_algorithm"] == "sha256"
    assert claims["sign_algorithm"] == "rsa-pkcs1v15-sha256"
    assert claims["signer"]["credential"] == signer.credential_id
    assert claims["sad_sha256"] == hashlib.sha256(sad.encode()).hexdigest()
    assert claims["relying_party"] == "CSC API"
    with world.container.uow(read_only=True) as uow:
        [audited] = [a for a in uow.audit.records() if a.event.action == "signing.signed"
                     and a.event.details.get("sad") == claims["sad"]]
    assert (claims["audit"]["seq"], claims["audit"]["hash"]) == (audited.seq, audited.hash)
    # the customer's list names it, ready; a session of the signer only
    listed = world.client.get("/api/v1/signing-receipts", headers=bearer).json()
    assert {"id": receipt_id, "kind": "signHash", "status": "ready"}.items() <= next(
        x for x in listed if x["id"] == receipt_id).items()
    other = world.customer()
    assert world.client.get(f"/api/v1/receipts/{receipt_id}",
                            headers={"Authorization": f"Bearer {other.token}"}
                            ).status_code == 404


def _history(world: World, bearer: dict[str, str], receipt_id: str) -> list[dict[str, Any]]:
    r = world.client.get("/api/v1/history", params={"category": "signature"}, headers=bearer)
    assert r.status_code == 200, r.text
    return [e for e in r.json() if e["reference"] == receipt_id]


def _party_get(world: World, receipt_id: str, sp_id: str, password: str) -> httpx.Response:
    return world.client.get(f"/api/v1/rp/receipts/{receipt_id}",
                            headers=basic(sp_id, password) | {"Accept-Language": "vi"})


def test_the_relying_party_reads_its_own_receipts_only(world: World, tmp_path: Path) -> None:
    signer, rp, stranger = world.customer(), rp_client(world), rp_client(world, "Bên khác")
    batch = digests(1)
    flow = start(world.url, rp.party.sp_id, "credential", **credential_params(signer, batch))
    token = flow.token(approve(world, signer, page_id(world, flow)))["access_token"]
    r = httpx.post(f"{world.url}/csc/v2/signatures/signHash", timeout=60, json={
        "credentialID": signer.credential_id, "signAlgo": "1.2.840.113549.1.1.11",
        "hashes": [base64.b64encode(d).decode() for d in batch]},
        headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    receipt_id = r.json()["receiptID"]
    party_id, secret = rp.party.sp_id, rp.sp_password
    early = _party_get(world, receipt_id, party_id, secret)
    assert early.status_code == 409 and early.json()["error"] == "receipt_pending"
    assert "đang được tạo" in early.json()["error_description"]
    assert _party_get(world, receipt_id, stranger.party.sp_id,
                      stranger.sp_password).status_code == 404
    world.container.receipts.make_due()
    got = _party_get(world, receipt_id, party_id, secret)
    assert got.status_code == 200 and got.headers["content-type"] == "application/pkcs7-mime"
    claims = openssl_claims(got.content, _root(world, tmp_path), world.clock.now(), tmp_path)
    assert claims["relying_party"] == rp.party.name and claims["hashes"] == [batch[0].hex()]
    # another party: 404 (never 403), whatever the id; bad or missing credentials: 401
    assert _party_get(world, receipt_id, stranger.party.sp_id,
                      stranger.sp_password).status_code == 404
    assert _party_get(world, "aaaaaaaaaaaa", party_id, secret).status_code == 404
    assert _party_get(world, receipt_id, party_id, "sai-mat-khau").status_code == 401
    bare = world.client.get(f"/api/v1/rp/receipts/{receipt_id}")
    assert bare.status_code == 401 and set(bare.json()) == {"error", "error_description"}
    # the customer reads it too
    assert world.client.get(f"/api/v1/receipts/{receipt_id}",
                            headers={"Authorization": f"Bearer {signer.token}"}
                            ).status_code == 200


def _signed_hash(world: World) -> str:
    signer = world.customer()
    batch = digests(1)
    r = sign_hash(signer, signer.authorize(batch), batch)
    assert r.status_code == 200, r.text
    return str(r.json()["receiptID"])


def _made_once(world: World) -> None:
    while world.container.receipts.make_due():  # nothing else pending is left behind
        pass


def test_a_worker_that_died_holding_a_receipt_leaves_it_to_the_next_once(world: World) -> None:
    _made_once(world)
    receipt_id = _signed_hash(world)
    # the signing transaction committed the job; a worker claims it and dies before sealing
    now = world.clock.now()
    with world.container.uow() as uow:
        claimed = uow.receipts.claim_due(now, now + LEASE, 50)
        uow.commit()
    assert receipt_id in [j.id for j in claimed]
    assert world.container.receipts.make_due() == 0  # still leased: nobody doubles it
    world.clock.advance(LEASE.total_seconds() + 1)
    assert world.container.receipts.make_due() == 1
    made = _job(world, receipt_id)
    assert made.receipt_sha256 is not None and made.made_at is not None
    assert world.container.receipts.make_due() == 0  # made exactly once
    assert _job(world, receipt_id).receipt_sha256 == made.receipt_sha256


def test_a_receipt_that_failed_is_retried_later_not_lost(world: World) -> None:
    _made_once(world)
    receipt_id = _signed_hash(world)
    c = world.container
    calls: list[int] = []

    def seal_away() -> Authority:  # the key store or HSM away for a while
        calls.append(1)
        raise ConnectionError("HSM unreachable")

    failing = ReceiptService(c.uow, c.clock, seal_away, c.keystore, c.document_trust,
                             c.blobs, c.settings.public_base_url)
    assert failing.make_due() == 0 and calls
    job = _job(world, receipt_id)
    assert (job.attempts, job.error, job.receipt_sha256) == (1, "ConnectionError", None)
    assert job.due_at > world.clock.now()
    assert c.receipts.make_due() == 0  # not due yet: back-off
    world.clock.advance((job.due_at - world.clock.now()).total_seconds() + 1)
    assert c.receipts.make_due() == 1
    done = _job(world, receipt_id)
    assert done.receipt_sha256 is not None and done.error is None and done.attempts == 1




def test_an_asynchronous_sign_hash_names_its_receipt_when_polled(world: World,
                                                                  tmp_path: Path) -> None:
    signer = world.customer()
    batch = digests(2)
    r = signer.post("signatures/signHash", {
        "credentialID": signer.credential_id, "hashes": [base64.b64encode(d).decode()
                                                         for d in batch],
        "signAlgo": "1.2.840.113549.1.1.11", "operationMode": "A"})
    assert r.status_code == 200, r.text
    response_id = r.json()["responseID"]
    assert "receiptID" not in signer.post("signatures/signPolling",
                                          {"responseID": response_id}).json()
    bearer = {"Authorization": f"Bearer {signer.token}"}
    [tx] = [t for t in world.client.get("/api/v1/transactions", headers=bearer).json()
            if t["kind"] == "csc_sign_hash"]
    assert signer.device is not None
    assert world.client.post(f"/api/v1/transactions/{tx['id']}/confirm", headers=bearer,
                             json={"otp": signer.device.answer(tx)}).status_code == 200
    polled = signer.post("signatures/signPolling", {"responseID": response_id}).json()
    assert polled["status"] == "signed"
    world.container.receipts.make_due()
    got = world.client.get(f"/api/v1/receipts/{polled['receiptID']}", headers=bearer)
    assert got.status_code == 200, got.text
    claims = openssl_claims(got.content, _root(world, tmp_path), world.clock.now(), tmp_path)
    assert claims["hashes"] == [d.hex() for d in batch]
    assert claims["challenge"] == {"id": tx["id"], "kind": "csc_sign_hash"}


def test_an_xml_sign_doc_gets_a_receipt_too(world: World, tmp_path: Path) -> None:
    signer = world.customer()
    xml = INVOICE.read_bytes()
    sad = signer.authorize([hashlib.sha256(xml).digest()])
    r = sign_xml(signer, sad, xml, conformance_level="Ades-B-B",
                 signed_envelope_property="Enveloped")
    assert r.status_code == 200, r.text
    [receipt_id] = r.json()["receiptIDs"]
    signed = base64.b64decode(r.json()["DocumentWithSignature"][0])
    world.container.receipts.make_due()
    got = world.client.get(f"/api/v1/receipts/{receipt_id}",
                           headers={"Authorization": f"Bearer {signer.token}"})
    assert got.status_code == 200, got.text
    claims = openssl_claims(got.content, _root(world, tmp_path), world.clock.now(), tmp_path)
    assert claims["kind"] == "signDoc" and claims["document"] == {
        "name": "signDoc.xml", "sha256": hashlib.sha256(xml).hexdigest(),
        "signed_sha256": hashlib.sha256(signed).hexdigest(), "format": "xades"}
    assert claims["challenge"]["sad_sha256"] == hashlib.sha256(sad.encode()).hexdigest()


def test_kyso_serve_makes_receipts_in_its_own_outbox_thread(world: World) -> None:
    """No ``kyso worker`` in development: each ``kyso serve`` process's outbox thread (the
    app's lifespan, as ``create_app_from_env`` builds it) makes the receipts."""
    from fastapi.testclient import TestClient

    from kyso.entrypoints.api.app import create_app

    _made_once(world)
    signer, batch = world.customer(), digests(1)  # (its enrolment reads the outbox: before)
    sad = signer.authorize(batch)
    with TestClient(create_app(world.container, run_worker=True)):
        r = sign_hash(signer, sad, batch)
        assert r.status_code == 200, r.text
        receipt_id = r.json()["receiptID"]
        deadline = time.monotonic() + 60
        while _job(world, receipt_id).receipt_sha256 is None and time.monotonic() < deadline:
            time.sleep(0.2)
    assert _job(world, receipt_id).receipt_sha256 is not None


def _rp_sign_hash(world: World, signer: Any, rp: Any) -> str:
    batch = digests(1)
    flow = start(world.url, rp.party.sp_id, "credential", **credential_params(signer, batch))
    token = flow.token(approve(world, signer, page_id(world, flow)))["access_token"]
    r = httpx.post(f"{world.url}/csc/v2/signatures/signHash", timeout=60, json={
        "credentialID": signer.credential_id, "signAlgo": "1.2.840.113549.1.1.11",
        "hashes": [base64.b64encode(d).decode() for d in batch]},
        headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    return str(r.json()["receiptID"])


def test_sign_hash_receipts_of_one_account_share_one_cms_never_two_accounts(
        world: World, tmp_path: Path) -> None:
    """A claim pass seals the due signHash jobs of one account and relying party as ONE
    batch receipt listing every job's claims; another account, or the same account through
    a relying party, never shares it."""
    _made_once(world)
    alice, bob, rp = world.customer(), world.customer(), rp_client(world)
    mine = [_signed_by(alice) for _ in range(5)]
    bobs = [_signed_by(bob) for _ in range(2)]
    through_rp = _rp_sign_hash(world, alice, rp)
    # one small claim (limit 1) still finds alice's whole group: the batch's claim is larger
    assert world.container.receipts.make_due(limit=1, batch_limit=3) == 3
    assert world.container.receipts.make_due(limit=50) == 2 + 2 + 1
    assert world.container.receipts.make_due() == 0
    jobs = {rid: _job(world, rid) for rid in [*mine, *bobs, through_rp]}
    blobs = {j.receipt_sha256 for j in jobs.values()}
    assert None not in blobs
    # alice's five in two CMS (3 + 2), bob's two in one, the relying party's alone: 4, not 8
    assert len(blobs) == 4
    assert {jobs[r].receipt_sha256 for r in mine}.isdisjoint(
        {jobs[r].receipt_sha256 for r in [*bobs, through_rp]})
    assert jobs[bobs[0]].receipt_sha256 == jobs[bobs[1]].receipt_sha256
    root = _root(world, tmp_path)
    seen: set[str] = set()
    for who, ids in ((alice, mine), (bob, bobs)):
        bearer = {"Authorization": f"Bearer {who.token}"}
        for rid in ids:
            got = world.client.get(f"/api/v1/receipts/{rid}", headers=bearer)
            assert got.status_code == 200, got.text
            claims = openssl_claims(got.content, root, world.clock.now(), tmp_path)
            assert claims["batch"] is True and claims["kind"] == "signHash"
            assert rid in claims["ids"] and len(claims["ids"]) == len(claims["receipts"])
            assert set(claims["ids"]) <= set(ids)  # never another account's job
            entry = claims["receipts"][claims["ids"].index(rid)]
            assert entry == json.loads(jobs[rid].claims)  # exactly what it would carry alone
            assert entry["id"] == rid and entry["audit"]["seq"] > 0
            assert entry["signer"]["credential"] == who.credential_id
            assert {e["relying_party"] for e in claims["receipts"]} == {"CSC API"}
            seen.add(rid)
        other = world.client.get(f"/api/v1/receipts/{ids[0]}", headers={
            "Authorization": f"Bearer {(bob if who is alice else alice).token}"})
        assert other.status_code == 404
    assert seen == {*mine, *bobs}
    got = _party_get(world, through_rp, rp.party.sp_id, rp.sp_password)
    assert got.status_code == 200, got.text
    alone = openssl_claims(got.content, root, world.clock.now(), tmp_path)
    assert "batch" not in alone and alone["id"] == through_rp
    assert alone["relying_party"] == rp.party.name
    assert _party_get(world, mine[0], rp.party.sp_id, rp.sp_password).status_code == 404


def test_a_batch_that_failed_is_retried_whole_then_recorded_once(world: World) -> None:
    _made_once(world)
    signer = world.customer()
    ids = [_signed_by(signer) for _ in range(3)]
    c = world.container

    def seal_away() -> Authority:
        raise ConnectionError("HSM unreachable")

    failing = ReceiptService(c.uow, c.clock, seal_away, c.keystore, c.document_trust,
                             c.blobs, c.settings.public_base_url)
    assert failing.make_due() == 0
    assert {(_job(world, r).attempts, _job(world, r).error) for r in ids} == {
        (1, "ConnectionError")}
    assert c.receipts.make_due() == 0  # back-off
    world.clock.advance(6)
    assert c.receipts.make_due() == 3
    assert len({_job(world, r).receipt_sha256 for r in ids}) == 1
    assert c.receipts.make_due() == 0


def _signed_by(signer: Any) -> str:
    batch = digests(1)
    r = sign_hash(signer, signer.authorize(batch), batch)
    assert r.status_code == 200, r.text
    return str(r.json()["receiptID"])


def test_a_group_larger_than_the_batch_limit_is_split_and_one_per_job_stays_possible(
        world: World) -> None:
    _made_once(world)
    signer = world.customer()
    ids = [_signed_by(signer) for _ in range(5)]
    assert world.container.receipts.make_due(limit=10, batch_limit=2) == 5
    made = [_job(world, r).receipt_sha256 for r in ids]
    assert len(set(made)) == 3 and made[0] == made[1] and made[2] == made[3] != made[4]
    more = [_signed_by(signer) for _ in range(2)]
    assert world.container.receipts.make_due(batch_limit=1) == 2  # one per job, as before
    assert len({_job(world, r).receipt_sha256 for r in more}) == 2


def test_a_pass_that_claimed_all_it_could_says_more_may_be_due(world: World) -> None:
    """The worker's chore: a pass that made receipts and filled a batch, or claimed its
    limit over several accounts, tells the worker to come again soon (an account signing
    faster than a batch a poll); one that took all one account had, or made none (the seal
    away), does not: the next batch fills meanwhile."""
    _made_once(world)
    signer, other = world.customer(), world.customer()
    ids = [_signed_by(signer) for _ in range(7)]
    receipts = world.container.receipts
    assert receipts.pass_due(limit=20, batch_limit=3) == (7, False)  # all claimed at once
    assert {_job(world, r).receipt_sha256 is not None for r in ids} == {True}
    [_signed_by(signer) for _ in range(7)]
    passes = [receipts.pass_due(limit=2, batch_limit=3) for _ in range(4)]
    assert passes == [(3, True), (3, True), (1, False), (0, False)]
    [_signed_by(signer) for _ in range(3)]  # the claim's limit reached, one account's all
    assert receipts.pass_due(limit=2, batch_limit=5) == (3, False)
    [_signed_by(who) for who in (signer, other, signer)]  # the limit, over two accounts
    assert receipts.pass_due(limit=2, batch_limit=5) == (3, True)
    assert receipts.pass_due(limit=2, batch_limit=5) == (0, False)
    c = world.container

    def seal_away() -> Authority:
        raise ConnectionError("HSM unreachable")

    [_signed_by(signer) for _ in range(4)]
    failing = ReceiptService(c.uow, c.clock, seal_away, c.keystore, c.document_trust,
                             c.blobs, c.settings.public_base_url)
    assert failing.pass_due(limit=2, batch_limit=3) == (0, False)  # no hurry: back-off
    world.clock.advance(6)
    assert receipts.make_due(limit=20) == 4  # the three it held, due again, and the fourth
    _made_once(world)


def test_two_workers_batching_at_once_record_every_job_once(world: World) -> None:
    """SKIP LOCKED (PostgreSQL) or one writer at a time (SQLite): two workers' batches of one
    account are disjoint; every job is recorded, none twice."""
    from concurrent.futures import ThreadPoolExecutor

    _made_once(world)
    signer = world.customer()
    ids = [_signed_by(signer) for _ in range(8)]
    receipts = world.container.receipts

    def drain() -> int:
        total = 0
        while step := receipts.make_due(limit=1, batch_limit=3):
            total += step
        return total

    with ThreadPoolExecutor(2) as pool:
        counts = list(pool.map(lambda _: drain(), range(2)))
    assert sum(counts) == 8
    made = [_job(world, r).receipt_sha256 for r in ids]
    assert None not in made and 3 <= len(set(made)) <= 8
