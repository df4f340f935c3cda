"""Every way an SP769 call or its confirmation is refused: a clear 4xx in both shapes
(``error``/``error_description`` and ``status_code``/``message``), and nothing half-written."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from kyso.pki.model import RevocationReason
from kyso.relying.errors import DuplicateTransaction
from kyso.relying.orders import FileOrder, SignOrder, parse_files
from tests.integration.api.conftest import PIN
from tests.integration.sp769.conftest import (
    CERTS,
    SIGN,
    Env,
    Signer,
    auth,
    confirm,
    files,
    new_party,
    new_signer,
    pending,
    sign_body,
    sp,
    status,
)


def refused(response: Any, http: int, error: str, message: str | None = None) -> None:
    body = response.json()
    assert response.status_code == http, response.text
    assert body["error"] == error and body["error_description"]
    assert body["status_code"] == http and body["data"] is None
    if message:
        assert body["message"] == message


def requested(env: Env, signer: Signer, **options: Any) -> tuple[Any, dict[str, Any]]:
    party = new_party(env, **options)
    body = sign_body(party, signer, [os.urandom(64)])
    r = env.client.post(SIGN, json=body)
    assert r.status_code == 200, r.text
    return party, body


@pytest.fixture(scope="module")
def signer(env: Env) -> Signer:
    return new_signer(env)


def test_wrong_password_unknown_party_disabled_party_and_lockout(env: Env,
                                                                 signer: Signer) -> None:
    party = new_party(env)
    body = sign_body(party, signer, [b"x"])
    refused(env.client.post(SIGN, json=body | {"sp_password": "sai-mat-khau"}), 401,
            "invalid_client", "SP_CREDENTIAL_INVALID")
    refused(env.client.post(CERTS, json={"sp_id": "sp-khong-ton-tai", "sp_password": "x",
                                         "user_id": signer.id_number}), 401, "invalid_client")
    for _ in range(3):  # four failures in all slow this address down
        env.client.post(CERTS, json=sp(party) | {"sp_password": "sai", "user_id": "1"})
    waiting = env.client.post(SIGN, json=body)
    refused(waiting, 429, "too_many_requests", "SP_CREDENTIAL_LOCKED")
    assert int(waiting.headers["Retry-After"]) == 2
    env.clock.advance(2)
    assert env.client.post(SIGN, json=body).status_code == 200
    env.container.relying_parties.disable(party.party.sp_id, actor="test")
    refused(status(env, party, body["transaction_id"]), 401, "invalid_client")
    [tx] = pending(env, signer)
    env.client.post(f"/api/v1/transactions/{tx['id']}/reject", headers=auth(signer.token))


def test_unknown_user_and_missing_or_revoked_certificate(env: Env) -> None:
    party = new_party(env)
    bare = new_signer(env, certificate=False)
    refused(env.client.post(CERTS, json=sp(party) | {"user_id": "099999999999"}), 404,
            "user_not_found", "USER_NOT_FOUND")
    refused(env.client.post(SIGN, json=sign_body(party, bare, [b"a"]) | {"user_id": "0999"}),
            404, "user_not_found")
    refused(env.client.post(SIGN, json=sign_body(party, bare, [b"a"])), 404,
            "credential_not_found")
    revoked = new_signer(env)
    serial = int(revoked.credential_id.rsplit("-", 1)[1], 16)
    env.container.pki.revoke(serial, RevocationReason.KEY_COMPROMISE, actor="test")
    refused(env.client.post(SIGN, json=sign_body(party, revoked, [b"a"])), 409,
            "credential_unusable", "CREDENTIAL_STATUS_INVALID")
    assert pending(env, bare) == [] and pending(env, revoked) == []


@pytest.mark.parametrize("digest", ["zz" * 32, "ab" * 31, "ab" * 33, "q6s=", ""])
def test_bad_hex_digest(env: Env, signer: Signer, digest: str) -> None:
    party = new_party(env)
    body = sign_body(party, signer, [b"a"])
    body["sign_files"][0]["data_to_be_signed"] = digest
    refused(env.client.post(SIGN, json=body), 400, "invalid_request", "BAD_REQUEST")
    refused(status(env, party, body["transaction_id"]), 404, "transaction_not_found")


def test_malformed_bodies(env: Env, signer: Signer) -> None:
    party = new_party(env)
    before = pending(env, signer)
    base = sign_body(party, signer, [b"a", b"b"])
    too_many = base | {"sign_files": files(*(bytes([n]) for n in range(21)))}
    refused(env.client.post(SIGN, json=too_many), 400, "invalid_request")
    refused(env.client.post(SIGN, json=base | {"sign_files": []}), 400, "invalid_request")
    by_file = [dict(f, sign_type="file") for f in base["sign_files"]]
    refused(env.client.post(SIGN, json=base | {"sign_files": by_file}), 400, "invalid_request")
    same_doc = [dict(f, doc_id="HS-1") for f in base["sign_files"]]
    refused(env.client.post(SIGN, json=base | {"sign_files": same_doc}), 400, "invalid_request")
    refused(env.client.post(SIGN, json=base | {"transaction_id": "có dấu"}), 400,
            "invalid_request")
    refused(env.client.post(SIGN, json=base | {"bi_danh": 1}), 400, "invalid_request")
    refused(env.client.post(SIGN, content=b"{not json",
                            headers={"Content-Type": "application/json"}), 400, "invalid_request")
    refused(env.client.post(SIGN, json=[1, 2]), 400, "invalid_request")
    assert pending(env, signer) == before  # nothing half-written


def test_duplicate_and_unknown_transaction(env: Env, signer: Signer) -> None:
    party, body = requested(env, signer)
    refused(env.client.post(SIGN, json=body), 409, "duplicate_transaction")
    refused(status(env, party, "SP_khong_co"), 404, "transaction_not_found")
    refused(status(env, party, "x" * 65), 404, "transaction_not_found")
    other = new_party(env, "Cổng dịch vụ công tỉnh")
    refused(status(env, other, body["transaction_id"]), 404, "transaction_not_found")
    [tx] = pending(env, signer)
    env.client.post(f"/api/v1/transactions/{tx['id']}/reject", headers=auth(signer.token))


def test_another_customers_request(env: Env, signer: Signer) -> None:
    party, body = requested(env, signer)
    [tx] = pending(env, signer)
    intruder = new_signer(env, certificate=False)
    assert pending(env, intruder) == []
    seen = env.client.get(f"/api/v1/transactions/{tx['id']}", headers=auth(intruder.token))
    assert seen.status_code == 404
    r = env.client.post(f"/api/v1/transactions/{tx['id']}/confirm", headers=auth(intruder.token),
                        json={"otp": intruder.device.answer(tx)})
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = env.client.post(f"/api/v1/transactions/{tx['id']}/reject", headers=auth(intruder.token))
    assert r.status_code == 404
    assert status(env, party, body["transaction_id"]).json()["data"]["status"] == "waiting"
    env.client.post(f"/api/v1/transactions/{tx['id']}/reject", headers=auth(signer.token))


def test_expired_request(env: Env, signer: Signer) -> None:
    party, body = requested(env, signer)
    [tx] = pending(env, signer)
    env.clock.advance(299)
    assert status(env, party, body["transaction_id"]).json()["data"]["status"] == "waiting"
    env.clock.advance(2)
    late = confirm(env, signer, tx)
    assert late.status_code == 410 and late.json()["error"] == "transaction_expired"
    ended = status(env, party, body["transaction_id"]).json()
    assert ended["message"] == "sig_expired" and ended["data"]["status"] == "expired"
    assert ended["data"]["signatures"] == []


def test_wrong_and_replayed_codes(env: Env, signer: Signer) -> None:
    party, first = requested(env, signer)
    [tx1] = pending(env, signer)
    code1 = signer.device.answer(tx1)
    wrong = confirm(env, signer, tx1, f"{(int(code1) + 1) % 10**8:08d}")
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_otp"
    assert status(env, party, first["transaction_id"]).json()["data"]["status"] == "waiting"
    body2 = sign_body(party, signer, [os.urandom(64)])
    assert env.client.post(SIGN, json=body2).status_code == 200
    tx2 = next(t for t in pending(env, signer) if t["id"] != tx1["id"])
    crossed = confirm(env, signer, tx2, code1)  # tx1's code is worthless for tx2
    assert crossed.status_code == 400 and crossed.json()["error"] == "invalid_otp"
    assert confirm(env, signer, tx1, code1).status_code == 200
    replay = confirm(env, signer, tx1, code1)
    assert replay.status_code == 409 and replay.json()["error"] == "transaction_closed"
    assert status(env, party, first["transaction_id"]).json()["data"]["status"] == "signed"
    assert status(env, party, body2["transaction_id"]).json()["data"]["status"] == "waiting"
    env.client.post(f"/api/v1/transactions/{tx2['id']}/reject", headers=auth(signer.token))


def test_rejected_request(env: Env, signer: Signer) -> None:
    party, body = requested(env, signer)
    [tx] = pending(env, signer)
    r = env.client.post(f"/api/v1/transactions/{tx['id']}/reject", headers=auth(signer.token))
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    ended = status(env, party, body["transaction_id"]).json()
    assert ended["message"] == "sig_rejected_by_user" and ended["data"]["status"] == "rejected"
    late = confirm(env, signer, tx)
    assert late.status_code == 409 and late.json()["error"] == "transaction_closed"
    assert status(env, party, body["transaction_id"]).json()["data"]["status"] == "rejected"


def test_too_many_wrong_codes_fail_the_request(env: Env) -> None:
    signer = new_signer(env)  # its token locks
    party, body = requested(env, signer)
    [tx] = pending(env, signer)
    good = signer.device.answer(tx)
    for n in range(1, 6):
        confirm(env, signer, tx, f"{(int(good) + n) % 10**8:08d}")
    ended = status(env, party, body["transaction_id"]).json()
    assert ended["message"] == "sig_failed" and ended["data"]["status"] == "failed"


def test_certificate_revoked_before_confirmation_fails_cleanly(env: Env) -> None:
    signer = new_signer(env)
    party, body = requested(env, signer)
    [tx] = pending(env, signer)
    serial = int(signer.credential_id.rsplit("-", 1)[1], 16)
    env.container.pki.suspend(serial, actor="test")
    r = confirm(env, signer, tx)
    assert r.status_code == 409 and r.json()["error"] == "credential_unusable"
    ended = status(env, party, body["transaction_id"]).json()
    assert ended["data"]["status"] == "failed" and ended["data"]["signatures"] == []
    with env.container.uow() as uow:
        challenge = uow.challenges.get(tx["id"])
        assert challenge is not None and challenge.status.value == "failed"


def test_concurrent_requests_with_one_transaction_id(env: Env) -> None:
    signer, party = new_signer(env), new_party(env)
    signer.allow(party)
    order = SignOrder(signer.id_number, f"SP-{os.urandom(4).hex()}", "Đồng thời",
                      parse_files([FileOrder("HS-1", "pdf", "ab" * 32, "hash")], 20))

    def attempt(_: int) -> str:
        try:
            return env.container.sp769.sign(party.party.sp_id, party.sp_password, order).id
        except DuplicateTransaction:
            return "duplicate"

    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(attempt, range(4)))
    assert outcomes.count("duplicate") == 3
    [tx] = pending(env, signer)  # one request, one transaction: nothing half-written
    env.client.post(f"/api/v1/transactions/{tx['id']}/reject", headers=auth(signer.token))


HOSTILE = [b"{not json", b"[]", b"null", b'"\xff\xfe"', b'{"sp_id": 5, "sp_password": ["x"]}',
           b'{"sp_id": "a", "sp_password": "b", "sign_files": "x"}', b"", b"{}" * 10]
ENDPOINTS = [SIGN, CERTS, "/sca/sp769/v1/signatures/sign/SP-1/status"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_hostile_bodies_get_a_clear_400(env: Env, path: str) -> None:
    for raw in HOSTILE:
        r = env.client.post(path, content=raw, headers={"Content-Type": "application/json"})
        refused(r, 400, "invalid_request", "BAD_REQUEST")
    big = b'{"sp_id": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    r = env.client.post(path, content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"] == "request_too_large"
    r = env.client.get(path)
    assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"


def test_a_customer_who_has_not_consented_looks_unknown(env: Env) -> None:
    party, other = new_party(env), new_party(env, "Sàn giao dịch hợp đồng điện tử")
    customer = new_signer(env)
    customer.allow(other)  # consent to another party changes nothing for this one
    body = sign_body(other, customer, [b"hop-dong"]) | sp(party)
    nobody = {"user_id": "099999999999"}
    for path, probe in ((CERTS, sp(party) | {"user_id": customer.id_number}), (SIGN, body)):
        unknown = env.client.post(path, json=probe | nobody)
        silent = env.client.post(path, json=probe)
        refused(silent, 404, "user_not_found", "USER_NOT_FOUND")
        assert silent.json() == unknown.json()
    assert pending(env, customer) == []
    customer.allow(party)
    assert env.client.post(CERTS, json=sp(party) | {"user_id": customer.id_number}
                           ).status_code == 200
    r = env.client.delete(f"/api/v1/consents/{party.party.sp_id}", headers=auth(customer.token))
    assert r.status_code == 204
    refused(env.client.post(CERTS, json=sp(party) | {"user_id": customer.id_number}), 404,
            "user_not_found")


def test_consents_are_listed_and_audited(env: Env) -> None:
    party, customer = new_party(env, public_service=True), new_signer(env)
    headers = auth(customer.token) | {"Accept-Language": "en"}
    listed = env.client.get("/api/v1/relying-parties", headers=headers).json()
    assert {"sp_id": party.party.sp_id, "name": party.party.name,
            "public_service": True} in listed
    assert env.client.get("/api/v1/consents", headers=headers).json() == []
    customer.allow(party)
    customer.allow(party)  # again: one consent, the first time kept
    [consent] = env.client.get("/api/v1/consents", headers=headers).json()
    assert consent["sp_id"] == party.party.sp_id and consent["granted_at"]
    assert env.client.delete(f"/api/v1/consents/{party.party.sp_id}",
                             headers=headers).status_code == 204
    again = env.client.delete(f"/api/v1/consents/{party.party.sp_id}", headers=headers)
    assert again.status_code == 404 and again.json()["error"] == "not_found"
    unknown = env.client.put("/api/v1/consents/sp-khong-co", headers=headers,
                             json={"pin": PIN})
    assert unknown.status_code == 404
    env.container.relying_parties.disable(party.party.sp_id, actor="test")
    assert env.client.put(f"/api/v1/consents/{party.party.sp_id}", headers=headers,
                          json={"pin": PIN}).status_code == 404
    with env.container.uow() as uow:
        actions = [r.event.action for r in uow.audit.records()
                   if r.event.subject == party.party.sp_id and r.event.actor == customer.account_id]
    assert actions == ["rp.consent_granted", "rp.consent_revoked"]
