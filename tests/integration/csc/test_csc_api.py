"""The CSC API v2 over HTTP: what each method answers, checked against independent parsers
(``cryptography`` for certificates and signatures, OpenSSL for time stamps)."""

from __future__ import annotations

import base64
import hashlib
import subprocess
from pathlib import Path

import httpx
import pytest
from asn1crypto import pem, tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding

from kyso.keys.model import KeyAlgorithm
from kyso.pki.service import IssueRequest
from tests.integration.api.conftest import PASSWORD, last_code
from tests.integration.csc.conftest import EN, World, basic
from tests.integration.csc.helpers import (
    ECDSA_SHA256,
    HASHES,
    PSS,
    RSA,
    RSA_SHA256,
    SHA256,
    SHA384,
    b64,
    digests,
    pss_params,
    public_key,
    refused,
    sign,
)


def test_info_needs_no_token_and_names_methods_and_algorithms(world: World) -> None:
    r = world.client.post("/csc/v2/info", json={}, headers=EN)
    assert r.status_code == 200
    body = r.json()
    assert body["specs"].startswith("2.") and body["authType"] == ["basic", "oauth2code"]
    assert set(body["methods"]) == {
        "info", "auth/login", "auth/revoke", "oauth2/authorize", "oauth2/token",
        "oauth2/revoke", "credentials/list", "credentials/info", "credentials/authorize",
        "credentials/extendTransaction", "credentials/sendOTP", "credentials/getChallenge",
        "signatures/signHash", "signatures/signPolling", "signatures/signDoc",
        "signatures/timestamp"}
    for method in body["methods"]:  # every method listed answers (none is the 501 catch-all)
        call = world.client.get if method == "oauth2/authorize" else world.client.post
        assert call(f"/csc/v2/{method}").status_code in (200, 204, 400, 401), method
    algos = body["signAlgorithms"]["algos"]
    params = body["signAlgorithms"]["algoParams"]
    assert {RSA_SHA256, PSS, RSA, ECDSA_SHA256} <= set(algos) and len(params) == len(algos)
    pss = {params[n] for n, oid in enumerate(algos) if oid == PSS}
    assert {pss_params("sha256", 32), pss_params("sha384", 48), pss_params("sha512", 64),
            pss_params("sha256", 222), pss_params("sha256", 350)} <= pss  # RSA-2048, -3072
    assert all(params[n] == "" for n, oid in enumerate(algos) if oid != PSS)
    logo = httpx.get(body["logo"])  # an absolute URL of kyso's own, a real PNG
    assert body["logo"].startswith(world.url) and logo.status_code == 200
    assert logo.content.startswith(b"\x89PNG") and logo.headers["content-type"] == "image/png"
    assert body["oauth2"] == f"{world.url}/csc/v2/"


def test_lang_picks_the_language_of_descriptions_and_errors(world: World) -> None:
    vi = world.client.post("/csc/v2/info", json={"lang": "vi-VN"}, headers=EN).json()
    en = world.client.post("/csc/v2/info", json={"lang": "en-US"}).json()
    assert (vi["lang"], en["lang"]) == ("vi-VN", "en-US")
    assert "Ký số từ xa" in vi["description"] and "Remote signing" in en["description"]
    signer = world.customer()
    info = signer.post("credentials/info", {"credentialID": signer.credential_id,
                                            "lang": "vi"}).json()
    assert info["lang"] == "vi-VN" and "Chứng thư số" in info["description"]
    info = signer.post("credentials/info", {"credentialID": signer.credential_id,
                                            "lang": "en-GB"}, headers={"Accept-Language": "vi"})
    assert "certificate" in info.json()["description"]
    wrong = {"credentialID": "nope", "lang": "vi"}
    refused(signer.post("credentials/info", wrong), 400, "invalid_request", "không hợp lệ")
    refused(signer.post("credentials/info", wrong | {"lang": "en"},
                        headers={"Accept-Language": "vi"}), 400, "invalid_request", "Invalid")


def test_basic_login_gives_a_bearer_token_and_revoke_ends_it(world: World) -> None:
    signer = world.customer()
    r = world.client.post("/csc/v2/auth/login", headers=basic(signer.username, PASSWORD))
    assert r.status_code == 200
    token = r.json()["access_token"]
    assert r.json()["expires_in"] == world.container.settings.session_idle_seconds
    bearer = {"Authorization": f"Bearer {token}"}
    assert world.client.post("/csc/v2/credentials/list", headers=bearer).status_code == 200
    r = world.client.post("/csc/v2/auth/revoke", json={"token": token}, headers=bearer)
    assert r.status_code == 204
    r = world.client.post("/csc/v2/credentials/list", headers=bearer)
    assert (r.status_code, r.json()["error"]) == (401, "invalid_token")


def test_credentials_list_shows_only_the_callers_own(world: World) -> None:
    first, second = world.customer(), world.customer()
    extra = world.container.pki.issue(IssueRequest(account=first.account_id, province="Huế",
                                                   locality="Phú Hội"), actor="test")
    world.container.pki.suspend(extra.serial, actor="test")
    listed = first.post("credentials/list", {"credentialInfo": True}).json()
    assert len(listed["credentialIDs"]) == 2 and first.credential_id in listed["credentialIDs"]
    assert second.credential_id not in listed["credentialIDs"]
    statuses = {i["credentialID"]: i["cert"]["status"] for i in listed["credentialInfos"]}
    assert sorted(statuses.values()) == ["suspended", "valid"]
    valid = first.post("credentials/list", {"onlyValid": True}).json()
    assert valid == {"credentialIDs": [first.credential_id], "onlyValid": True}
    assert second.post("credentials/list", {}).json()["credentialIDs"] == [
        second.credential_id]


@pytest.mark.parametrize("algorithm", [KeyAlgorithm.RSA_2048, KeyAlgorithm.EC_P256],
                         ids=["rsa", "ec"])
def test_credentials_info_describes_key_certificate_and_authorization(
        world: World, algorithm: KeyAlgorithm) -> None:
    signer = world.customer(algorithm)
    info = signer.post("credentials/info", {"credentialID": signer.credential_id,
                                            "certificates": "chain", "certInfo": True,
                                            "authInfo": True}).json()
    certs = [x509.load_der_x509_certificate(base64.b64decode(c))
             for c in info["cert"]["certificates"]]
    assert [c.issuer for c in certs[:-1]] == [c.subject for c in certs[1:]]  # signer first
    assert certs[0].public_bytes(Encoding.DER) == signer.credential.chain[0]
    assert info["cert"]["serialNumber"] == f"{certs[0].serial_number:X}"
    assert info["cert"]["subjectDN"] == certs[0].subject.rfc4514_string()
    assert info["cert"]["validTo"] == certs[0].not_valid_after_utc.strftime("%Y%m%d%H%M%SZ")
    assert info["key"]["status"] == "enabled" and info["cert"]["status"] == "valid"
    assert info["SCAL"] == "2" and info["multisign"] == 100 and info["authMode"] == "explicit"
    assert info["OTP"]["type"] == "offline" and info["auth"]["expression"] == "OTP"
    assert info["auth"]["objects"][0]["generator"] == "totp"
    if algorithm is KeyAlgorithm.EC_P256:
        assert info["key"] == {"status": "enabled", "len": 256, "curve": "1.2.840.10045.3.1.7",
                               "algo": [ECDSA_SHA256, "1.2.840.10045.4.3.3",
                                        "1.2.840.10045.4.3.4"]}
    else:
        assert info["key"]["len"] == 2048 and "curve" not in info["key"]
        assert {RSA_SHA256, PSS, RSA} <= set(info["key"]["algo"])
    def certificates(wanted: str) -> list[str] | None:
        cert = signer.post("credentials/info", {"credentialID": signer.credential_id,
                                                "certificates": wanted}).json()["cert"]
        return cert.get("certificates")

    assert certificates("none") is None
    assert certificates("single") == info["cert"]["certificates"][:1]


def test_a_batch_of_50_hashes_signed_in_two_requests(world: World) -> None:
    signer = world.customer()
    batch = digests(50)
    sad = signer.authorize(batch)
    signatures = sign(signer, sad, batch[:25]) + sign(signer, sad, batch[25:])
    key = public_key(signer)
    for digest, signature in zip(batch, signatures, strict=True):
        key.verify(signature, digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))


def test_the_v1_spellings_pyhanko_sends(world: World) -> None:
    signer = world.customer()
    batch = digests(2)
    r = signer.post("credentials/authorize", {"credentialID": signer.credential_id,
                                              "numSignatures": 2, "hash": b64(batch),
                                              "OTP": signer.otp()})
    assert r.status_code == 200 and r.json()["expiresIn"] == 300
    signatures = sign(signer, r.json()["SAD"], batch, signAlgo=RSA, hashAlgo=SHA256)
    for digest, signature in zip(batch, signatures, strict=True):
        public_key(signer).verify(signature, digest, padding.PKCS1v15(),
                                  Prehashed(hashes.SHA256()))


@pytest.mark.parametrize(("oid", "name", "salt"), [(SHA256, "sha256", 32),
                                                   (SHA384, "sha384", 48)])
def test_rsa_pss_with_sign_algo_params(world: World, oid: str, name: str, salt: int) -> None:
    signer = world.customer()
    batch = digests(3, oid)
    sad = signer.authorize(batch, hashAlgorithmOID=oid)
    signatures = sign(signer, sad, batch, signAlgo=PSS, signAlgoParams=pss_params(name, salt))
    for digest, signature in zip(batch, signatures, strict=True):
        public_key(signer).verify(signature, digest, padding.PSS(
            mgf=padding.MGF1(HASHES[oid]), salt_length=salt), Prehashed(HASHES[oid]))


def test_ecdsa_signatures_are_der(world: World) -> None:
    signer = world.customer(KeyAlgorithm.EC_P256)
    batch = digests(4)
    signatures = sign(signer, signer.authorize(batch), batch, signAlgo=ECDSA_SHA256)
    key = public_key(signer)
    assert isinstance(key, ec.EllipticCurvePublicKey)
    for digest, signature in zip(batch, signatures, strict=True):
        r_s = decode_dss_signature(signature)  # raises unless DER Ecdsa-Sig-Value
        assert all(v > 0 for v in r_s)
        key.verify(signature, digest, ec.ECDSA(Prehashed(hashes.SHA256())))


def test_extend_transaction_renews_the_sad_for_what_is_left(world: World) -> None:
    signer = world.customer()
    batch = digests(2)
    sad = signer.authorize(batch)
    sign(signer, sad, batch[:1])
    r = signer.post("credentials/extendTransaction", {"credentialID": signer.credential_id,
                                                      "SAD": sad, "hashes": b64(batch[1:]),
                                                      "hashAlgorithmOID": SHA256})
    assert r.status_code == 200 and r.json()["expiresIn"] == 300
    old = signer.post("signatures/signHash", {"credentialID": signer.credential_id, "SAD": sad,
                                              "hashes": b64(batch[1:]), "signAlgo": RSA_SHA256})
    assert old.status_code == 400 and "SAD" in old.json()["error_description"]
    [signature] = sign(signer, r.json()["SAD"], batch[1:])
    again = signer.post("credentials/extendTransaction", {"credentialID": signer.credential_id,
                                                          "SAD": r.json()["SAD"]})
    assert (again.status_code, again.json()["error"]) == (400, "invalid_request")
    assert "hashes" in again.json()["error_description"]  # SCAL2: the hashes are required
    key = public_key(signer)
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(signature, batch[1], padding.PKCS1v15(), Prehashed(hashes.SHA256()))


def test_timestamp_token_verifies_with_openssl(world: World, tmp_path: Path) -> None:
    signer = world.customer()
    data = b"van ban can danh dau thoi gian"
    digest = hashlib.sha256(data).digest()
    r = signer.post("signatures/timestamp", {"hash": b64([digest])[0], "hashAlgo": SHA256,
                                             "nonce": "0a1b2c3d4e5f"})
    assert r.status_code == 200, r.text
    token = base64.b64decode(r.json()["timestamp"])
    info = tsp.ContentInfo.load(token)["content"]["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == digest
    assert info["nonce"].native == 0x0a1b2c3d4e5f
    (tmp_path / "data").write_bytes(data)
    (tmp_path / "token").write_bytes(token)
    chain = b"".join(pem.armor("CERTIFICATE", world.container.pki_publisher.ca_certificate(n))
                     for n in ("root", "kyso-ca"))
    (tmp_path / "chain.pem").write_bytes(chain)
    done = subprocess.run(["openssl", "ts", "-verify", "-data", str(tmp_path / "data"),
                           "-in", str(tmp_path / "token"), "-token_in",
                           "-CAfile", str(tmp_path / "chain.pem")],
                          capture_output=True, text=True, timeout=60, check=False)
    assert "Verification: OK" in done.stdout + done.stderr, done.stdout + done.stderr


def test_sms_customers_ask_for_the_code_with_send_otp(world: World) -> None:
    signer = world.customer(smartotp=False)
    info = signer.post("credentials/info", {"credentialID": signer.credential_id,
                                            "authInfo": True}).json()
    assert info["OTP"]["type"] == "online" and "generator" not in info["auth"]["objects"][0]
    r = signer.post("credentials/sendOTP", {"credentialID": signer.credential_id})
    assert r.status_code == 204, r.text
    batch = digests(1)
    code = last_code(world.container, signer.account_id, "SIGN")
    r = signer.post("credentials/authorize", {"credentialID": signer.credential_id,
                                              "numSignatures": 1, "hashes": b64(batch),
                                              "authData": [{"id": "OTP", "value": code}]})
    assert r.status_code == 200, r.text
    assert len(sign(signer, r.json()["SAD"], batch)) == 1
    smartotp = world.customer()
    r = smartotp.post("credentials/sendOTP", {"credentialID": smartotp.credential_id})
    assert r.status_code == 400 and "SmartOTP" in r.json()["error_description"]
