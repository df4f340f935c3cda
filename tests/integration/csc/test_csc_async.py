"""Asynchronous ``signHash`` (``operationMode: "A"``), ``signatures/signPolling`` and
``credentials/getChallenge``: with a SAD the signatures wait under a responseID; without one
the customer approves a signing transaction in the app (the same pending-approval list the
web app shows), and polling returns signatures that ``cryptography`` verifies against the
certificate."""

from __future__ import annotations

import base64
from typing import Any

from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from tests.integration.api.conftest import last_code
from tests.integration.csc.conftest import Signer, World
from tests.integration.csc.helpers import (
    HASHES,
    RSA_SHA256,
    SHA256,
    b64,
    digests,
    public_key,
    refused,
)


def _verify(signer: Signer, batch: list[bytes], signatures: list[str]) -> None:
    key = public_key(signer)
    assert len(signatures) == len(batch)
    for digest, sig in zip(batch, signatures, strict=True):
        key.verify(base64.b64decode(sig), digest, padding.PKCS1v15(),
                   Prehashed(HASHES[SHA256]))  # raises if wrong


def _async(signer: Signer, batch: list[bytes], **extra: Any) -> dict[str, Any]:
    r = signer.post("signatures/signHash", {"credentialID": signer.credential_id,
                                            "hashes": b64(batch), "signAlgo": RSA_SHA256,
                                            "operationMode": "A"} | extra)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"responseID", "validity_period", "response_uri"}
    assert body["response_uri"].endswith("/csc/v2/signatures/signPolling")
    return dict(body)


def _poll(signer: Signer, response_id: str) -> Any:
    return signer.post("signatures/signPolling", {"responseID": response_id})


def _pending(world: World, signer: Signer) -> list[dict[str, Any]]:
    r = world.client.get("/api/v1/transactions",
                         headers={"Authorization": f"Bearer {signer.token}"})
    assert r.status_code == 200, r.text
    return [tx for tx in r.json() if tx["kind"] == "csc_sign_hash"]


def test_async_with_a_sad_signs_and_polling_returns_the_signatures(world: World) -> None:
    signer = world.customer()
    batch = digests(2)
    sad = signer.authorize(batch)
    accepted = _async(signer, batch, SAD=sad)
    r = _poll(signer, accepted["responseID"])
    assert r.status_code == 200, r.text
    _verify(signer, batch, r.json()["signatures"])
    assert _poll(signer, accepted["responseID"]).json()["signatures"] == r.json()["signatures"]


def test_async_without_a_sad_waits_for_the_customers_approval(world: World) -> None:
    signer = world.customer()
    batch = digests(3)
    accepted = _async(signer, batch)
    assert _poll(signer, accepted["responseID"]).json()["status"] == "pending"
    [tx] = _pending(world, signer)  # what the app's pending-approval screen shows
    assert tx["details"]["num_signatures"] == "3"
    assert tx["details"]["hashes"].split("\n") == b64(batch)
    assert signer.device is not None
    bearer = {"Authorization": f"Bearer {signer.token}"}
    wrong = world.client.post(f"/api/v1/transactions/{tx['id']}/confirm",
                              json={"otp": "000000"}, headers=bearer)
    assert wrong.status_code == 400
    assert _poll(signer, accepted["responseID"]).json()["status"] == "pending"
    r = world.client.post(f"/api/v1/transactions/{tx['id']}/confirm",
                          json={"otp": signer.device.answer(tx)}, headers=bearer)
    assert r.status_code == 200, r.text
    r = _poll(signer, accepted["responseID"])
    assert r.status_code == 200 and r.json()["status"] == "signed", r.text
    _verify(signer, batch, r.json()["signatures"])


def test_a_rejected_request_ends_and_others_cannot_poll_it(world: World) -> None:
    signer, other = world.customer(), world.customer()
    accepted = _async(signer, digests(1))
    refused(_poll(other, accepted["responseID"]), 400, "invalid_request", "responseID")
    refused(_poll(signer, "no-such-response"), 400, "invalid_request", "responseID")
    [tx] = _pending(world, signer)
    r = world.client.post(f"/api/v1/transactions/{tx['id']}/reject",
                          headers={"Authorization": f"Bearer {signer.token}"})
    assert r.status_code == 200, r.text
    refused(_poll(signer, accepted["responseID"]), 400, "invalid_request", "rejected")


def test_async_with_a_wrong_sad_is_refused_at_once(world: World) -> None:
    signer = world.customer()
    batch = digests(1)
    signer.authorize(digests(1))
    r = signer.post("signatures/signHash", {"credentialID": signer.credential_id,
                                            "hashes": b64(batch), "signAlgo": RSA_SHA256,
                                            "operationMode": "A", "SAD": "forged"})
    refused(r, 400, "invalid_request", "SAD")
    r = signer.post("signatures/signHash", {"credentialID": signer.credential_id,
                                            "hashes": b64(batch), "signAlgo": RSA_SHA256})
    refused(r, 400, "invalid_request", "SAD")  # synchronous mode still needs one


def test_get_challenge_says_where_the_code_is(world: World) -> None:
    smartotp = world.customer()
    r = smartotp.post("credentials/getChallenge", {"credentialID": smartotp.credential_id})
    assert r.status_code == 200, r.text
    assert r.json() | {"description": ""} == {"credentialID": smartotp.credential_id,
                                              "type": "offline", "method": "smartotp",
                                              "sent": False, "description": ""}
    assert "SmartOTP" in r.json()["description"]
    sms = world.customer(smartotp=False)
    r = sms.post("credentials/getChallenge", {"credentialID": sms.credential_id,
                                              "lang": "vi"})
    assert r.status_code == 200 and r.json()["sent"] is True, r.text
    assert "SMS" in r.json()["description"] and "đã được gửi" in r.json()["description"]
    code = last_code(world.container, sms.account_id, "SIGN")
    batch = digests(1)
    r = sms.post("credentials/authorize", {"credentialID": sms.credential_id,
                                           "numSignatures": 1, "hashes": b64(batch),
                                           "authData": [{"id": "OTP", "value": code}]})
    assert r.status_code == 200, r.text
    refused(sms.post("credentials/getChallenge", {"credentialID": "nope"}), 400,
            "invalid_request", "credentialID")
