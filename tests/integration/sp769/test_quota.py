"""SP769 and the quota: a request the balance cannot cover is refused at signatures/sign
(advice); a confirmation that finds no signatures left (the rule) ends the request failed
with ``error: out_of_signatures`` and takes nothing; a public-service portal's requests are
signed for free."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from tests.integration.sp769.conftest import (
    SIGN,
    Env,
    Signer,
    confirm,
    new_party,
    new_signer,
    pending,
    sign_body,
    status,
)


def _request(env: Env, signer: Signer, files: int, **party_options: Any) -> tuple[Any, str]:
    party = new_party(env, **party_options)
    body = sign_body(party, signer, [os.urandom(32) for _ in range(files)])
    r = env.client.post(SIGN, json=body)
    assert r.status_code == 200, r.text
    return party, body["transaction_id"]


def _balance(env: Env, signer: Signer) -> tuple[int, int, int]:
    b = env.container.quotas.balance(signer.credential_id)
    return b.available, b.reserved, b.consumed


def test_a_request_the_quota_cannot_cover_is_refused_at_sign(env: Env) -> None:
    """The early check (advice): 2 files, 1 signature left → refused at signatures/sign,
    audited, nothing for the customer to confirm; what is left still signs."""
    signer = new_signer(env, signatures=1)
    party = new_party(env)
    r = env.client.post(SIGN, json=sign_body(party, signer, [b"to-khai-1", b"to-khai-2"]))
    assert r.status_code == 409, r.text
    assert (r.json()["error"], r.json()["message"]) == ("out_of_signatures", "OUT_OF_SIGNATURES")
    assert "hết lượt ký" in r.json()["error_description"] and r.json()["data"] is None
    assert pending(env, signer) == []
    with env.container.uow() as uow:
        assert [e.event.details["wanted"] for e in uow.audit.records()
                if e.event.action == "sp769.refused" and e.event.subject == signer.account_id
                ] == [2]
    _request(env, signer, files=1)
    [tx] = pending(env, signer)
    assert confirm(env, signer, tx).status_code == 200
    assert _balance(env, signer) == (0, 0, 1)


def test_no_signatures_left_at_confirmation_fails_the_request_with_a_reason(env: Env) -> None:
    """The ledger is the rule: two requests each covered when made, then the first confirmed
    takes the signatures the second needed."""
    signer = new_signer(env, signatures=2)
    party, ref = _request(env, signer, files=2)
    [first] = pending(env, signer)
    _request(env, signer, files=1)
    [other] = [tx for tx in pending(env, signer) if tx["id"] != first["id"]]
    assert confirm(env, signer, other).status_code == 200
    r = confirm(env, signer, first)
    assert (r.status_code, r.json()["error"]) == (409, "out_of_signatures")
    assert "hết lượt ký" in r.json()["error_description"]
    ended = status(env, party, ref).json()
    assert ended["message"] == "sig_failed"
    assert ended["data"] | {"expires_at": None, "tran_code": None} == {
        "transaction_id": ref, "tran_code": None, "status": "failed", "expires_at": None,
        "signatures": [], "error": "out_of_signatures"}
    assert _balance(env, signer) == (1, 0, 1)


def test_a_public_service_portal_signs_for_free(env: Env) -> None:
    signer = new_signer(env, signatures=0)
    party, ref = _request(env, signer, files=3, public_service=True)
    [tx] = pending(env, signer)
    assert confirm(env, signer, tx).status_code == 200
    done = status(env, party, ref).json()["data"]
    assert done["status"] == "signed" and len(done["signatures"]) == 3 and done["error"] is None
    assert _balance(env, signer) == (0, 0, 0)


def test_an_unlimited_certificate_is_not_refused_at_sign(env: Env) -> None:
    signer = new_signer(env, signatures=0)
    until = env.clock.now() + timedelta(days=30)
    env.container.quotas.grant_unlimited(signer.credential_id, until, actor="test")
    _request(env, signer, files=2)
    [tx] = pending(env, signer)
    assert confirm(env, signer, tx).status_code == 200
