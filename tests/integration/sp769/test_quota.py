"""SP769 and the quota: a confirmation that finds no signatures left ends the request failed
with ``error: out_of_signatures`` and takes nothing; a public-service portal's requests are
signed for free."""

from __future__ import annotations

import os
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


def test_no_signatures_left_fails_the_request_with_a_reason(env: Env) -> None:
    signer = new_signer(env, signatures=1)
    party, ref = _request(env, signer, files=2)
    [tx] = pending(env, signer)
    r = confirm(env, signer, tx)
    assert (r.status_code, r.json()["error"]) == (409, "out_of_signatures")
    assert "hết lượt ký" in r.json()["error_description"]
    ended = status(env, party, ref).json()
    assert ended["message"] == "sig_failed"
    assert ended["data"] | {"expires_at": None, "tran_code": None} == {
        "transaction_id": ref, "tran_code": None, "status": "failed", "expires_at": None,
        "signatures": [], "error": "out_of_signatures"}
    assert _balance(env, signer) == (1, 0, 0)

    party, ref = _request(env, signer, files=1)  # what is left still signs
    [tx] = pending(env, signer)
    assert confirm(env, signer, tx).status_code == 200
    assert status(env, party, ref).json()["data"]["status"] == "signed"
    assert _balance(env, signer) == (0, 0, 1)


def test_a_public_service_portal_signs_for_free(env: Env) -> None:
    signer = new_signer(env, signatures=0)
    party, ref = _request(env, signer, files=3, public_service=True)
    [tx] = pending(env, signer)
    assert confirm(env, signer, tx).status_code == 200
    done = status(env, party, ref).json()["data"]
    assert done["status"] == "signed" and len(done["signatures"]) == 3 and done["error"] is None
    assert _balance(env, signer) == (0, 0, 0)
