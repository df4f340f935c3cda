"""Each signer's turn on a multisign envelope gets a signing receipt, made by the worker
(issue 16 item 3): it binds the envelope, the file's name and SHA-256 (original, before
and after this signature), the signer's position and credential, the approved transaction
and the audit position; only that signer reads it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.integration.documents.conftest import World
from tests.integration.documents.test_multisign import (
    _customer,
    _download,
    _draft,
    _send,
    _sign,
)
from tests.receipt_check import openssl_claims


def test_each_multisign_signature_gets_a_receipt(world: World, tmp_path: Path) -> None:
    initiator, an, binh = (_customer(world, n) for n in ("Khởi Tạo", "Ký Trước", "Ký Sau"))
    envelope = _draft(world, initiator, "hop-dong-bien-nhan.pdf")
    assert _send(world, initiator, envelope, [an, binh]).status_code == 200
    assert _sign(world, an, envelope).status_code == 200
    first = _download(world, initiator, envelope)
    assert _sign(world, binh, envelope).status_code == 200
    final = _download(world, initiator, envelope)
    jobs = {who.account_id: world.container.receipts.jobs(who.account_id) for who in (an, binh)}
    assert [j.kind for j in jobs[an.account_id]] == ["multisign"]
    assert not jobs[an.account_id][0].ready
    world.container.outbox_worker().run_once()  # the worker's pass makes both
    for n, (who, after) in enumerate(((an, first), (binh, final)), 1):
        [job] = jobs[who.account_id]
        got = world.client.get(f"/api/v1/receipts/{job.id}", headers=who.headers)
        assert got.status_code == 200, got.text
        claims = openssl_claims(got.content, world.root_pem(), world.clock.now(), tmp_path)
        assert claims["kind"] == "multisign" and claims["envelope"] == envelope
        assert claims["document"]["name"] == "hop-dong-bien-nhan.pdf"
        assert claims["document"]["signed_sha256"] == hashlib.sha256(after).hexdigest()
        assert claims["signer"]["position"] in (n - 1, n)  # as the envelope counts them
        assert claims["document"]["sha256"] == claims_original(world, envelope)
        if who is binh:
            assert claims["document"]["signed_before_sha256"] == hashlib.sha256(
                first).hexdigest()
        assert claims["signer"]["credential"] == who.credential.id
        assert claims["challenge"]["kind"] == "sign_multisign" and claims["level"] == "B-T"
        with world.container.uow(read_only=True) as uow:
            [audited] = [r for r in uow.audit.records() if r.event.action == "multisign.signed"
                         and r.event.subject == envelope
                         and r.event.details.get("credential") == who.credential.id]
        assert (claims["audit"]["seq"], claims["audit"]["hash"]) == (audited.seq, audited.hash)
    # the second signature was made over the first one's output; the initiator, who did
    # not sign, does not read the signers' receipts
    [second] = jobs[binh.account_id]
    assert world.client.get(f"/api/v1/receipts/{second.id}",
                            headers=initiator.headers).status_code == 404


def claims_original(world: World, envelope: str) -> str:
    with world.container.uow(read_only=True) as uow:
        found = uow.multisign.get(envelope)
    assert found is not None
    return found.sha256
