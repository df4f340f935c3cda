"""SP769 round trip over HTTP: sign → confirm in the app (OCRA over the details) → status →
detached CMS per file that OpenSSL verifies over the original data, whose messageDigest is
the submitted SHA-256."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

from asn1crypto import cms
from sqlalchemy import select

from kyso.adapters.db.tables.signing import signature_activations
from kyso.otp.ocra import transaction_challenge
from tests.integration.sp769.conftest import (
    CERTS,
    SIGN,
    Env,
    confirm,
    message_digest,
    new_party,
    new_signer,
    openssl_verify,
    pending,
    sign_body,
    sp,
    status,
)


def test_sign_confirm_status_yields_verifiable_cms(env: Env, tmp_path: Path) -> None:
    signer, party = new_signer(env), new_party(env)
    contents = [os.urandom(2000), "Tờ khai đăng ký hộ kinh doanh".encode()]
    body = sign_body(party, signer, contents)
    r = env.client.post(SIGN, json=body)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["status_code"] == 200 and answer["message"] == "sig_wait_for_user_confirm"
    assert answer["data"]["transaction_id"] == body["transaction_id"]
    tran_code = answer["data"]["tran_code"]

    waiting = status(env, party, body["transaction_id"]).json()
    assert waiting["message"] == "sig_wait_for_user_confirm"
    assert waiting["data"]["status"] == "waiting" and waiting["data"]["signatures"] == []

    [tx] = pending(env, signer)
    details = tx["details"]
    assert details["relying_party"] == party.party.name
    assert details["transaction_desc"] == body["transaction_desc"]
    assert details["doc_ids"].split("\n") == ["HS-001", "HS-002"]
    bound = {"transaction_id": tx["id"], "kind": tx["kind"], **details}
    assert tx["question"] == transaction_challenge(bound, length=64, fmt="H")
    done = confirm(env, signer, tx)
    assert done.status_code == 200 and done.json()["status"] == "confirmed", done.text

    signed = status(env, party, tran_code).json()
    assert signed["status_code"] == 200 and signed["message"] == "SUCCESS", signed
    assert signed["data"]["status"] == "signed"
    sigs = signed["data"]["signatures"]
    assert [s["doc_id"] for s in sigs] == ["HS-001", "HS-002"]
    for sig, content, item in zip(sigs, contents, body["sign_files"], strict=True):
        openssl_verify(env, sig["signature_value"], content, tmp_path)
        assert message_digest(sig["signature_value"]).hex() == item["data_to_be_signed"]
    info = cms.ContentInfo.load(base64.b64decode(sigs[0]["signature_value"]))
    assert info["content"]["encap_content_info"]["content"].native is None  # detached
    by_id = status(env, party, body["transaction_id"]).json()
    assert by_id["data"]["signatures"] == sigs
    assert sad_hashes(env, signer.account_id) == [signed_attrs_digest(s["signature_value"])
                                                  for s in sigs]


def signed_attrs_digest(signature_b64: str) -> str:
    """Base64 of SHA-256 over the DER SET OF signed attributes: what the key signed."""
    info = cms.ContentInfo.load(base64.b64decode(signature_b64))
    tagged = info["content"]["signer_infos"][0]["signed_attrs"].dump()
    return base64.b64encode(hashlib.sha256(b"\x31" + tagged[1:]).digest()).decode()


def sad_hashes(env: Env, account_id: str) -> list[str]:
    """The one SAD issued for this customer: bound to exactly those hashes, all used."""
    with env.container.engine.connect() as conn:
        [row] = conn.execute(select(signature_activations).where(
            signature_activations.c.account_id == account_id)).all()
    assert json.loads(row.signed) == json.loads(row.hashes)
    return list(json.loads(row.hashes))


def test_get_certificate_returns_the_chain(env: Env) -> None:
    signer, party = new_signer(env), new_party(env)
    signer.allow(party)
    r = env.client.post(CERTS, json=sp(party) | {"user_id": signer.id_number,
                                                 "transaction_id": "SP_CA_1"})
    assert r.status_code == 200, r.text
    [cert] = r.json()["data"]["user_certificates"]
    assert cert["cert_id"] == signer.credential_id and cert["cert_status"] == "active"
    assert f"CCCD:{signer.id_number}" in cert["cert_subject"]
    assert len(cert["chain"]) == 3 and cert["chain_data"]["root_cert"] == cert["chain"][2]
    assert cert["transaction_id"] == "SP_CA_1"
    wrong = env.client.post(CERTS, json=sp(party) | {"user_id": signer.id_number,
                                                     "serial_number": "abcdef"})
    assert wrong.json()["data"]["user_certificates"] == []
    by_serial = env.client.post(CERTS, json=sp(party) | {"user_id": signer.id_number,
                                                         "serial_number": cert["serial_number"]})
    assert len(by_serial.json()["data"]["user_certificates"]) == 1
