"""What the CSC API refuses, each in the CSC error shape with the right status — and that a
refusal never spends what it should not (a SAD, an OTP)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from kyso.keys.model import KeyAlgorithm
from kyso.pki.model import RevocationReason
from tests.integration.api.conftest import PASSWORD
from tests.integration.csc.conftest import EN, Signer, World, basic
from tests.integration.csc.helpers import (
    ECDSA_SHA256,
    PSS,
    RSA_SHA256,
    SHA256,
    SHA384,
    authorize,
    b64,
    digests,
    pss_params,
    refused,
    sign,
    sign_hash,
)


@pytest.fixture(scope="module")
def shared(world: World) -> Signer:
    return world.customer()


@pytest.fixture
def customer(world: World, shared: Signer) -> Signer:
    """One customer for the tests whose requests change no state of theirs, with a fresh
    session (another test moves the clock past the idle timeout)."""
    r = world.client.post("/csc/v2/auth/login", headers=basic(shared.username, PASSWORD))
    assert r.status_code == 200, r.text
    shared.token = r.json()["access_token"]
    return shared


def test_a_sad_signs_once(world: World) -> None:
    signer = world.customer()
    batch = digests(1)
    sad = signer.authorize(batch)
    first = sign(signer, sad, batch)
    assert sign(signer, sad, batch) == first  # a repeat gets the same signature back
    refused(sign_hash(signer, sad, digests(1)), 400, "invalid_request", "SAD", "already used")
    assert world.container.quotas.balance(signer.credential_id).consumed == 1


def test_a_sad_signs_only_the_hashes_it_was_issued_for(world: World) -> None:
    signer = world.customer()
    authorized, other = digests(2), digests(1)
    sad = signer.authorize(authorized)
    refused(sign_hash(signer, sad, other), 400, "invalid_request", "SAD", "not for this")
    refused(sign_hash(signer, sad, [authorized[0], *other]), 400, "invalid_request", "SAD")
    assert len(sign(signer, sad, authorized)) == 2  # the refusals spent nothing


def test_a_sad_expires_after_five_minutes(world: World) -> None:
    signer = world.customer()
    batch = digests(1)
    sad = signer.authorize(batch)
    world.clock.advance(301)
    refused(sign_hash(signer, sad, batch), 400, "invalid_request", "SAD", "expired")
    r = signer.post("credentials/extendTransaction", {"credentialID": signer.credential_id,
                                                      "SAD": sad, "hashes": b64(batch)})
    refused(r, 400, "invalid_request", "expired")


def test_wrong_or_replayed_otp_gives_no_sad(world: World) -> None:
    signer = world.customer()
    code = signer.otp()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    refused(authorize(signer, digests(1), wrong), 400, "invalid_otp")
    assert authorize(signer, digests(1), code).status_code == 200
    refused(authorize(signer, digests(1), code), 400, "invalid_otp")  # the same time step
    refused(authorize(signer, digests(1), None), 400, "invalid_request", "OTP")


def test_a_locked_smartotp_authorizes_nothing(world: World) -> None:
    signer = world.customer()
    for attempt in range(5):  # the fifth failure locks the token
        refused(authorize(signer, digests(1), "000000"), 400,
                "invalid_otp" if attempt < 4 else "invalid_request")
    refused(authorize(signer, digests(1), signer.otp()), 400, "invalid_request", "locked")


def test_another_customers_credential_is_unknown(world: World) -> None:
    owner, other = world.customer(), world.customer()
    batch = digests(1)
    sad = owner.authorize(batch)
    as_other = Signer(world, other.account_id, other.username, other.token, other.device,
                      owner.credential)  # the other customer, naming the owner's credential
    refused(as_other.post("credentials/info", {"credentialID": owner.credential_id}), 400,
            "invalid_request", "credentialID")
    refused(authorize(as_other, batch, other.otp()), 400, "invalid_request", "credentialID")
    refused(sign_hash(as_other, sad, batch), 400, "invalid_request", "credentialID")
    refused(as_other.post("credentials/extendTransaction",
                          {"credentialID": owner.credential_id, "SAD": sad,
                           "hashes": b64(batch)}),
            400, "invalid_request", "SAD")
    assert len(sign(owner, sad, batch)) == 1  # still the owner's


@pytest.mark.parametrize("change", ["revoked", "suspended"])
def test_a_revoked_or_suspended_certificate_cannot_sign(world: World, change: str) -> None:
    signer = world.customer()
    batch = digests(1)
    sad = signer.authorize(batch)
    serial = signer.credential.certificate.serial
    if change == "revoked":
        world.container.pki.revoke(serial, RevocationReason.KEY_COMPROMISE, actor="test")
    else:
        world.container.pki.suspend(serial, actor="test")
    refused(sign_hash(signer, sad, batch), 400, "invalid_request", change)
    refused(authorize(signer, batch, signer.otp()), 400, "invalid_request", change)
    info = signer.post("credentials/info", {"credentialID": signer.credential_id}).json()
    assert info["key"]["status"] == "disabled" and info["cert"]["status"] == change


def test_bearer_token_missing_wrong_or_expired(world: World) -> None:
    signer = world.customer()
    for headers in ({}, {"Authorization": "Bearer not-a-token"},
                    {"Authorization": "Basic eDp5"}):
        r = world.client.post("/csc/v2/credentials/list", json={}, headers=headers | EN)
        refused(r, 401, "invalid_token")
        assert r.headers["WWW-Authenticate"] == "Bearer"
    world.clock.advance(world.container.settings.session_idle_seconds + 1)
    expired = signer.post("credentials/list", {})
    refused(expired, 401, "expired_token")
    assert expired.headers["WWW-Authenticate"] == "Bearer"


def test_login_failures(world: World) -> None:
    signer = world.customer()
    login = "/csc/v2/auth/login"

    def basic(raw: bytes) -> dict[str, str]:
        return {"Authorization": "Basic " + base64.b64encode(raw).decode()} | EN

    refused(world.client.post(login, headers=basic(f"{signer.username}:sai-mat-khau".encode())),
            400, "authentication_error")
    refused(world.client.post(login, headers=basic(b"no-colon")), 400, "invalid_request",
            "Authorization")
    for header in ("", "Basic", "Basic !!!", "Bearer abc", b"Basic \xe9"):
        refused(world.client.post(login, headers={"Authorization": header, **EN}), 401,
                "invalid_request", "Malformed")
    # an unknown refresh token (it stands for the password: the header is not looked at)
    refused(world.client.post(login, json={"refresh_token": "x"},
                              headers=basic(b"csc0:whatever")), 400, "invalid_grant",
            "refresh token")


BAD_SIGN_HASH = [
    ({"signAlgo": "1.2.3.4"}, "signAlgo"),
    ({"signAlgo": "not an oid"}, "signAlgo"),
    ({"signAlgo": RSA_SHA256, "hashAlgorithmOID": SHA384}, "contradicts"),
    ({"signAlgo": RSA_SHA256, "hashAlgorithmOID": "1.3.14.3.2.26"}, "hashAlgorithmOID"),
    ({"signAlgo": "1.2.840.113549.1.1.1"}, "hashAlgorithmOID"),
    ({"signAlgo": PSS}, "signAlgoParams"),
    ({"signAlgo": PSS, "signAlgoParams": "AAAA"}, "signAlgoParams"),
    ({"signAlgo": PSS, "signAlgoParams": pss_params("sha256", 100)}, "salt"),
    ({"signAlgo": PSS, "signAlgoParams": pss_params("sha256", 350)}, "salt"),  # RSA-3072's
    ({"signAlgo": PSS, "signAlgoParams": pss_params("sha1", 20)}, "signAlgoParams"),
    ({"signAlgo": PSS, "signAlgoParams": pss_params("sha384", 48),
      "hashAlgorithmOID": SHA256}, "contradicts"),
    ({"signAlgo": ECDSA_SHA256}, "rsa-2048"),  # an ECDSA signature from an RSA key
    ({"operationMode": "X"}, "operationMode"),
    ({"hashes": []}, "empty"),
    ({"hashes": ["***"]}, "Base64"),
    ({"hashes": "abc"}, "array parameter hashes"),
    ({"hashes": [base64.b64encode(bytes(48)).decode()]}, "length"),
    ({"SAD": 12}, "string parameter SAD"),
]


@pytest.mark.parametrize(("change", "words"), BAD_SIGN_HASH,
                         ids=[w for _, w in BAD_SIGN_HASH])
def test_bad_sign_hash_requests_spend_nothing(customer: Signer, change: dict[str, Any],
                                              words: str) -> None:
    signer = customer
    batch = digests(1)
    sad = signer.authorize(batch)
    refused(sign_hash(signer, sad, batch, **change), 400, "invalid_request", words)
    assert len(sign(signer, sad, batch)) == 1


BAD_BODIES = [
    ("credentials/authorize", b"{not json", "JSON"),
    ("credentials/authorize", b"[1, 2]", "JSON object"),
    ("credentials/authorize", b'{"credentialID": 7}', "string parameter credentialID"),
    ("credentials/authorize", b'{"credentialID": "x", "numSignatures": "1"}',
     "integer parameter numSignatures"),
    ("credentials/authorize", b'{"credentialID": "x", "numSignatures": 1}',
     "array parameter hashes"),
    ("credentials/list", b'{"userID": "someone"}', "userID"),
    ("credentials/list", b'{"certInfo": "yes"}', "boolean parameter certInfo"),
    ("credentials/info", b'{"credentialID": "x", "certificates": "all"}', "certificates"),
    ("credentials/info", b'{"credentialID": "x"}', "credentialID"),
    ("signatures/timestamp", b'{"hash": "AAAA", "hashAlgo": "2.16.840.1.101.3.4.2.1"}',
     "length"),
    ("signatures/timestamp", b'{"hash": "AAAA", "hashAlgo": "1.3.14.3.2.26"}', "hashAlgo"),
    ("signatures/timestamp", b'{"hash": "' + base64.b64encode(bytes(32)) +
     b'", "hashAlgo": "2.16.840.1.101.3.4.2.1", "nonce": "xyz"}', "nonce"),
]


@pytest.mark.parametrize(("method", "raw", "words"), BAD_BODIES,
                         ids=[f"{m}-{w}" for m, _, w in BAD_BODIES])
def test_malformed_requests_are_400_never_500(customer: Signer, method: str, raw: bytes,
                                              words: str) -> None:
    r = customer.post(method, None, content=raw, headers={"Content-Type": "application/json"})
    refused(r, 400, "invalid_request", words)


def test_authorize_checks_count_and_algorithm(world: World) -> None:
    signer = world.customer()
    batch = digests(2)
    code = signer.otp()
    refused(authorize(signer, batch, code, numSignatures=3), 400, "invalid_request",
            "numSignatures")
    refused(authorize(signer, batch, code, hashAlgorithmOID=SHA384), 400, "invalid_request",
            "hashes")  # 32-byte digests are no SHA-384
    refused(authorize(signer, digests(101), code), 400, "invalid_request", "100")
    assert authorize(signer, batch, code).status_code == 200  # none of those spent the OTP


def test_oversized_bodies_and_unknown_methods(world: World, customer: Signer) -> None:
    signer = customer
    limit = world.container.settings.max_body_bytes
    r = signer.post("signatures/signHash", None, content=b"{" + b" " * limit + b"}",
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and set(r.json()) == {"error", "error_description"}
    refused(signer.post("signatures/signPolling", {}), 400, "invalid_request", "responseID")
    refused(signer.post("signatures/signFaster", {}), 501, "invalid_request", "signFaster")


def test_ecdsa_key_refuses_rsa_algorithms(world: World) -> None:
    signer = world.customer(KeyAlgorithm.EC_P256)
    batch = digests(1)
    sad = signer.authorize(batch)
    refused(sign_hash(signer, sad, batch, signAlgo=RSA_SHA256), 400, "invalid_request",
            "ec-p256")
    assert len(sign(signer, sad, batch, signAlgo=ECDSA_SHA256)) == 1
