"""One confirmation signs once; the key is reached only through a SAD; failures leave the
document failed, never half-way. Also the CSC ``signDoc`` entry point (a SAD bound to the
PDF's SHA-256)."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select

from kyso.adapters.db.tables.audit import audit_records
from kyso.audit.sequencer import chain_pending
from kyso.errors import KysoError, NotFound
from kyso.keys.model import HashAlgorithm
from kyso.otp.token import Challenge
from kyso.pki.model import RevocationReason
from kyso.signing.document import Level, SignOptions
from kyso.signing.document_errors import AlreadySigned, EncryptedPdf
from kyso.signing.errors import InvalidSad, SadExpired
from tests.integration.api.conftest import last_code
from tests.integration.documents.conftest import Customer, World
from tests.integration.documents.pdfs import sample_pdf
from tests.proofs import confirmation

SHA256 = HashAlgorithm.SHA256


def _challenge(world: World, transaction: dict[str, Any]) -> Challenge:
    with world.container.uow() as uow:
        found = uow.challenges.get(transaction["id"])
    assert found is not None
    return found


def _count(world: World, action: str) -> int:
    chain_pending(world.container.uow)  # a reader of the trail: pending events first
    with world.container.engine.connect() as conn:
        query = (select(func.count()).select_from(audit_records)
                 .where(audit_records.c.action == action))
        return int(conn.execute(query).scalar_one())


def test_the_same_confirmation_cannot_sign_again(world: World, customer: Customer) -> None:
    uploaded = customer.upload(sample_pdf()).json()
    assert customer.confirm(uploaded["transaction"]).status_code == 200
    first = customer.get(f"/documents/{uploaded['id']}").json()
    assert first["status"] == "signed"
    signed_before = _count(world, "signing.signed")
    with pytest.raises(AlreadySigned):  # the after hook run again with the same confirmation
        challenge = _challenge(world, uploaded["transaction"])
        assert customer.device is not None
        world.container.document_signer.sign_confirmed(
            challenge, confirmation(world.container, challenge, customer.device.seed))
    assert _count(world, "signing.signed") == signed_before
    again = customer.confirm(uploaded["transaction"])  # and the transaction is closed
    assert again.status_code == 409 and again.json()["error"] == "transaction_closed"
    assert customer.get(f"/documents/{uploaded['id']}").json() == first


def test_concurrent_attempts_sign_exactly_once(world: World, customer: Customer) -> None:
    uploaded = customer.upload(sample_pdf(), level="B-T").json()
    challenge = _challenge(world, uploaded["transaction"])
    signed_before = _count(world, "signing.signed")

    assert customer.device is not None
    proof = confirmation(world.container, challenge, customer.device.seed)

    def attempt(_: int) -> str:
        try:
            world.container.document_signer.sign_confirmed(challenge, proof)
            return "signed"
        except AlreadySigned:
            return "refused"

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(attempt, range(4)))
    assert sorted(outcomes) == ["refused"] * 3 + ["signed"]
    assert _count(world, "signing.signed") == signed_before + 1
    assert customer.get(f"/documents/{uploaded['id']}").json()["status"] == "signed"


def test_a_rejected_transaction_signs_nothing(customer: Customer, world: World) -> None:
    uploaded = customer.upload(sample_pdf()).json()
    r = world.client.post(f"/api/v1/transactions/{uploaded['transaction']['id']}/reject",
                          headers=customer.headers)
    assert r.status_code == 200
    assert customer.get(f"/documents/{uploaded['id']}").json()["status"] == "pending"
    assert customer.get(f"/documents/{uploaded['id']}/download").status_code == 409


def test_a_wrong_code_signs_nothing(customer: Customer) -> None:
    uploaded = customer.upload(sample_pdf()).json()
    tx = uploaded["transaction"]
    wrong = customer.world.client.post(f"/api/v1/transactions/{tx['id']}/confirm",
                                       json={"otp": "00000000"}, headers=customer.headers)
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_otp"
    assert customer.get(f"/documents/{uploaded['id']}").json()["status"] == "pending"


def test_a_revoked_certificate_fails_the_document_cleanly(world: World) -> None:
    revoked = world.customer("Đặng Thị Giang")
    uploaded = revoked.upload(sample_pdf(), level="B-LT").json()
    world.container.pki.revoke(revoked.credential.certificate.serial,
                               RevocationReason.KEY_COMPROMISE, actor="test")
    r = revoked.confirm(uploaded["transaction"])
    assert r.status_code == 409 and r.json()["error"] == "credential_unusable"
    document = revoked.get(f"/documents/{uploaded['id']}").json()
    assert document["status"] == "failed" and document["error"] == "credential_unusable"
    tx = revoked.get(f"/transactions/{uploaded['transaction']['id']}").json()
    assert tx["status"] == "failed"


def test_an_sms_customer_confirms_with_the_sms_code(world: World) -> None:
    sms = world.customer("Trịnh Văn Khoa", smartotp=False)
    uploaded = sms.upload(sample_pdf(), level="B-T").json()
    assert uploaded["transaction"]["method"] == "sms"
    code = last_code(world.container, sms.account_id, "SIGN")
    assert sms.confirm(uploaded["transaction"], otp=code).status_code == 200
    assert sms.validate(sms.get(f"/documents/{uploaded['id']}/download").content)["valid"]


# -- CSC signatures/signDoc ---------------------------------------------------------------

def _authorize(world: World, customer: Customer, pdf: bytes) -> str:
    world.clock.advance(30)  # a fresh TOTP step for the replay guard
    grant = world.container.signing.authorize(
        customer.account_id, customer.credential.id, [hashlib.sha256(pdf).digest()], SHA256,
        customer.device.code())
    return grant.sad


def test_sign_pdf_with_a_sad_for_the_document_hash(world: World, customer: Customer) -> None:
    pdf = sample_pdf("Bien ban nghiem thu")
    sad = _authorize(world, customer, pdf)
    signer = world.container.document_signer
    signed = signer.sign_pdf(customer.account_id, customer.credential.id, sad, pdf,
                             SignOptions(Level.B_LT, visible=True, reason="Nghiệm thu"))
    report = customer.validate(signed)
    assert report["valid"] and report["signatures"][0]["level"] == "B-LT"
    with pytest.raises(SadExpired):  # used up: one authorization, one signature
        signer.sign_pdf(customer.account_id, customer.credential.id, sad, pdf, SignOptions())


def test_sign_pdf_refuses_a_sad_for_another_document(world: World, customer: Customer) -> None:
    sad = _authorize(world, customer, sample_pdf("Van ban A"))
    signer = world.container.document_signer
    with pytest.raises(InvalidSad):
        signer.sign_pdf(customer.account_id, customer.credential.id, sad,
                        sample_pdf("Van ban B"), SignOptions())
    with pytest.raises(EncryptedPdf):
        signer.sign_pdf(customer.account_id, customer.credential.id, sad,
                        sample_pdf(password="x"), SignOptions())


def test_sign_pdf_refuses_another_customers_sad_or_credential(world: World,
                                                              customer: Customer) -> None:
    stranger = world.customer("Bùi Văn Hùng")
    pdf = sample_pdf("Van ban C")
    sad = _authorize(world, customer, pdf)
    signer = world.container.document_signer
    with pytest.raises(KysoError) as refused:
        signer.sign_pdf(stranger.account_id, customer.credential.id, sad, pdf, SignOptions())
    assert isinstance(refused.value, InvalidSad | NotFound)
    # the SAD is still good for its owner: nothing was consumed by the refusal
    signed = signer.sign_pdf(customer.account_id, customer.credential.id, sad, pdf,
                             SignOptions())
    assert customer.validate(signed)["valid"]
