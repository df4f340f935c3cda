"""An SP769 request the customer confirmed gets a signing receipt, made by the worker: it
binds the files' digests, the party and its references, the approved transaction and the
audit position; the party finds its id in the status call and fetches it with its own
sp_id/sp_password; another party gets 404."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from tests.integration.sp769.conftest import (
    SIGN,
    Env,
    confirm,
    new_party,
    new_signer,
    pending,
    sign_body,
    status,
)
from tests.receipt_check import openssl_claims


def _basic(sp_id: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{sp_id}:{password}".encode()).decode()}


def test_a_confirmed_request_gets_a_receipt_the_party_reads(env: Env, tmp_path: Path) -> None:
    signer, party, other = new_signer(env), new_party(env), new_party(env, "Ngân hàng Khác")
    contents = [os.urandom(500), "Đơn đề nghị cấp giấy phép".encode()]
    body = sign_body(party, signer, contents)
    assert env.client.post(SIGN, json=body).status_code == 200
    waiting = status(env, party, body["transaction_id"]).json()["data"]
    assert "receipt_id" not in waiting  # only a signed request has one
    [tx] = pending(env, signer)
    assert confirm(env, signer, tx).status_code == 200
    data = status(env, party, body["transaction_id"]).json()["data"]
    assert data["status"] == "signed"
    receipt_id = data["receipt_id"]
    url = f"/api/v1/rp/receipts/{receipt_id}"
    early = env.client.get(url, headers=_basic(party.party.sp_id, party.sp_password))
    assert early.status_code == 409 and early.json()["error"] == "receipt_pending"
    env.container.outbox_worker().run_once()  # the worker's pass makes it
    got = env.client.get(url, headers=_basic(party.party.sp_id, party.sp_password))
    assert got.status_code == 200, got.text
    claims = openssl_claims(got.content, env.root_pem, env.clock.now(), tmp_path)
    assert claims["kind"] == "sp769" and claims["id"] == receipt_id
    assert [f["sha256"] for f in claims["files"]] == [hashlib.sha256(c).hexdigest()
                                                      for c in contents]
    assert [f["doc_id"] for f in claims["files"]] == ["HS-001", "HS-002"]
    assert claims["relying_party"] == {"name": party.party.name, "sp_id": party.party.sp_id,
                                       "transaction_id": body["transaction_id"],
                                       "tran_code": data["tran_code"]}
    assert claims["challenge"] == {"id": tx["id"], "kind": "sp769_sign"}
    assert claims["signer"]["credential"] == signer.credential_id
    with env.container.uow(read_only=True) as uow:
        [audited] = [r for r in uow.audit.records() if r.event.action == "sp769.signed"
                     and r.event.subject == data["tran_code"]]
    assert (claims["audit"]["seq"], claims["audit"]["hash"]) == (audited.seq, audited.hash)
    # each signature's SHA-256 is bound too
    assert [f["signature_sha256"] for f in claims["files"]] == [
        hashlib.sha256(base64.b64decode(s["signature_value"])).hexdigest()
        for s in data["signatures"]]
    # another party: 404 (not 403); the customer: their own receipt
    assert env.client.get(url, headers=_basic(other.party.sp_id, other.sp_password)
                          ).status_code == 404
    mine = env.client.get(f"/api/v1/receipts/{receipt_id}",
                          headers={"Authorization": f"Bearer {signer.token}"})
    assert mine.status_code == 200 and mine.content == got.content
