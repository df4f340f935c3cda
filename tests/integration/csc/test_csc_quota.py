"""No signature without quota, through the CSC API: out of signatures is the CSC error shape,
and many concurrent signHash calls over real HTTP at a credential with N signatures left
make exactly N signatures (SQLite, or PostgreSQL with KYSO_TEST_DATABASE_URL)."""

from __future__ import annotations

import base64
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from kyso.keys.model import HashAlgorithm
from kyso.signing.service import Grant
from tests.integration.csc.conftest import EN, Signer, World
from tests.integration.csc.helpers import RSA_SHA256, b64, digests, refused, sign, sign_hash
from tests.proofs import sms_proof
from tests.quota import give_signatures

LEFT, CALLS = 5, 24


def _grant(signer: Signer, batch: list[bytes]) -> Grant:
    """A SAD as credentials/authorize would issue it (the OTP is tested elsewhere)."""
    container = signer.world.container
    assert signer.credential.account_id is not None
    proof = sms_proof(container, signer.credential.account_id, signer.device)
    with container.uow() as uow:
        grant = container.signing.grant(uow, signer.credential, batch, HashAlgorithm.SHA256,
                                        proof)
        uow.commit()
    return grant


def _balance(signer: Signer) -> tuple[int, int, int]:
    b = signer.world.container.quotas.balance(signer.credential_id)
    return b.available, b.reserved, b.consumed


def test_no_quota_no_signature(world: World) -> None:
    signer = world.customer(signatures=None)
    batch = digests(1)
    r = sign_hash(signer, signer.authorize(batch), batch)
    refused(r, 400, "invalid_request", "no signatures left")
    vi = signer.post("signatures/signHash", {
        "credentialID": signer.credential_id, "SAD": signer.authorize(batch),
        "hashes": b64(batch), "signAlgo": RSA_SHA256}, headers={"Accept-Language": "vi"})
    assert "hết lượt ký" in vi.json()["error_description"]
    give_signatures(world.container, signer.credential_id, 1)
    sign(signer, signer.authorize(batch), batch)  # a fresh SAD: the failed one was given back
    assert _balance(signer) == (0, 0, 1)


def test_a_batch_needs_a_signature_per_hash(world: World) -> None:
    signer = world.customer(signatures=2)
    batch = digests(3)
    refused(sign_hash(signer, signer.authorize(batch), batch), 400, "invalid_request",
            "no signatures left")
    sad = signer.authorize(batch)
    assert len(sign(signer, sad, batch[:2])) == 2  # what the quota allows, from the same SAD
    assert _balance(signer) == (0, 0, 2)


def test_concurrent_sign_hash_never_oversells(world: World) -> None:
    signer = world.customer(signatures=LEFT)
    batches = [digests(1) for _ in range(CALLS)]
    grants = [_grant(signer, batch) for batch in batches]
    start = threading.Barrier(CALLS)

    def call(i: int) -> httpx.Response:
        body = {"credentialID": signer.credential_id, "SAD": grants[i].sad,
                "hashes": b64(batches[i]), "signAlgo": RSA_SHA256}
        with httpx.Client(base_url=world.url, timeout=60) as client:
            start.wait()
            return client.post("/csc/v2/signatures/signHash", json=body,
                               headers={"Authorization": f"Bearer {signer.token}", **EN})

    with ThreadPoolExecutor(CALLS) as pool:
        answers = list(pool.map(call, range(CALLS)))
    outcomes = sorted((r.status_code, r.json().get("error", "signed")) for r in answers)
    assert outcomes.count((200, "signed")) == LEFT, outcomes
    assert outcomes.count((400, "invalid_request")) == CALLS - LEFT, outcomes
    for r in answers:
        if r.status_code != 200:
            assert "no signatures left" in r.json()["error_description"].lower()
    assert _balance(signer) == (0, 0, LEFT)
    assert world.container.quotas.verify(signer.credential_id)
    signed = [base64.b64decode(s) for r in answers if r.status_code == 200
              for s in r.json()["signatures"]]
    assert len(set(signed)) == LEFT
