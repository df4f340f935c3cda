"""Signatures recorded in groups (``SigningService.record_signed``, signHash's group commit in
``csc/front.py``): one transaction for the group, and for each of its signings every
guarantee of a signing's own transaction — the SAD spent once, the quota debited once and
never oversold, an audit record, a refusal undone alone (the others still recorded), and, if
the transaction fails, nothing recorded and no signature answered."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from kyso.adapters.db.uow import SqlUnitOfWork
from kyso.bootstrap import Container
from kyso.keys.model import HashAlgorithm, SignatureScheme
from kyso.signing.errors import OutOfSignatures, SadExpired
from kyso.signing.model import Credential
from kyso.signing.receipt_jobs import ReceiptKind, ReceiptOrder
from kyso.signing.service import PendingSignatures
from tests.proofs import sms_proof
from tests.quota import give_signatures

SCHEME = SignatureScheme.ECDSA_SHA256


def granted(container: Container, credential: Credential, n: int = 1,
            ) -> tuple[str, list[bytes]]:
    batch = [hashlib.sha256(os.urandom(8)).digest() for _ in range(n)]
    assert credential.account_id is not None
    proof = sms_proof(container, credential.account_id)
    with container.uow() as uow:
        grant = container.signing.grant(uow, credential, batch, HashAlgorithm.SHA256, proof)
        uow.commit()
    return grant.sad, batch


def signed(container: Container, credential: Credential, sad: str,
           batch: list[bytes], *, later: bool = False) -> PendingSignatures:
    """A signHash up to its recording: the SAD read, the key's signatures made (``later``:
    left to the group's recording, as the front of signHash asks)."""
    assert credential.account_id is not None

    def receipt(found: Credential, scheme: SignatureScheme) -> ReceiptOrder:
        return ReceiptOrder(ReceiptKind.SIGN_HASH, {"hashes": [d.hex() for d in batch]})
    made = container.signing.signed_hashes(credential.account_id, credential.id, sad, batch,
                                           lambda found: SCHEME, receipt_of=receipt,
                                           sign_later=later)
    assert isinstance(made, PendingSignatures)
    assert made.receipt is not None and not made.receipt.queued
    return made


def verifies(credential: Credential, digest: bytes, signature: bytes) -> None:
    key = x509.load_der_x509_certificate(credential.chain[0]).public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    key.verify(signature, digest, ec.ECDSA(Prehashed(hashes.SHA256())))


def totals(container: Container, credential: Credential) -> tuple[int, int, int]:
    b = container.quotas.balance(credential.id)
    assert container.quotas.verify(credential.id)
    return b.available, b.reserved, b.consumed


def actions(container: Container) -> list[str]:
    with container.uow() as uow:
        return [r.event.action for r in uow.audit.records()]


@pytest.fixture
def commits(container: Container) -> Iterator[list[object]]:
    seen: list[object] = []

    def committed(conn: Any) -> None:
        seen.append(conn)
    event.listen(container.engine, "commit", committed)
    yield seen
    event.remove(container.engine, "commit", committed)


def test_a_group_is_recorded_in_one_transaction(container: Container, credential: Credential,
                                                commits: list[object]) -> None:
    give_signatures(container, credential.id, 10)
    grants = [granted(container, credential, n) for n in (1, 2, 1)]
    group = [signed(container, credential, sad, batch) for sad, batch in grants]
    before = actions(container)
    commits.clear()
    answers = container.signing.record_signed(group)
    assert len(commits) == 1
    for (_, batch), pending, answer in zip(grants, group, answers, strict=True):
        assert isinstance(answer, list) and len(answer) == len(batch)
        for digest, signature in zip(batch, answer, strict=True):
            verifies(credential, digest, signature)
        assert pending.receipt is not None and pending.receipt.queued  # in that transaction
    assert totals(container, credential) == (6, 0, 4)
    assert actions(container)[len(before):].count("signing.signed") == 3
    for (sad, batch), answer in zip(grants, answers, strict=True):  # each SAD spent: a
        # repeated call only gets the same signatures back, uncharged
        assert container.signing.sign_digests(credential.account_id or "", credential.id,
                                              sad, batch, SCHEME) == answer
    assert totals(container, credential) == (6, 0, 4)


def test_the_same_signing_twice_in_a_group_is_charged_once(container: Container,
                                                            credential: Credential) -> None:
    """Two calls with the same SAD and hashes, both signed before either is recorded (a
    relying party that sent its request again at once): the second sees the first's spend
    and answers with the first's signatures, as a concurrent call does."""
    give_signatures(container, credential.id, 5)
    sad, batch = granted(container, credential, 2)
    twice = [signed(container, credential, sad, batch) for _ in range(2)]
    assert twice[0].signatures != twice[1].signatures  # ECDSA: each signing its own
    first, second = container.signing.record_signed(twice)
    assert first == twice[0].signatures and second == first
    assert twice[1].receipt is not None and not twice[1].receipt.queued  # only redelivered
    assert totals(container, credential) == (3, 0, 2)
    assert actions(container).count("signing.redelivered") == 1


def test_a_refusal_in_a_group_is_undone_alone(container: Container,
                                              credential: Credential) -> None:
    """Three signings and quota for two: the third is refused (and audited), the first two
    are recorded, and the third's SAD is left unspent."""
    give_signatures(container, credential.id, 2)
    grants = [granted(container, credential) for _ in range(3)]
    group = [signed(container, credential, sad, batch) for sad, batch in grants]
    answers = container.signing.record_signed(group)
    assert isinstance(answers[0], list) and isinstance(answers[1], list)
    assert isinstance(answers[2], OutOfSignatures)
    assert group[2].receipt is not None and not group[2].receipt.queued
    assert totals(container, credential) == (0, 0, 2)
    audited = actions(container)
    assert audited.count("signing.signed") == 2
    assert audited.count("signing.out_of_signatures") == 1
    give_signatures(container, credential.id, 1, source="a second pack")
    sad, batch = grants[2]  # unspent: it signs once there is quota
    [again] = container.signing.record_signed([signed(container, credential, sad, batch)])
    assert isinstance(again, list) and len(again) == 1
    assert totals(container, credential) == (0, 0, 3)


def test_a_sad_revoked_meanwhile_is_refused_and_the_others_recorded(
        container: Container, credential: Credential) -> None:
    give_signatures(container, credential.id, 5)
    grants = [granted(container, credential, 2) for _ in range(2)]
    group = [signed(container, credential, sad, batch) for sad, batch in grants]
    sad, batch = grants[0]  # extended after it was signed: the old SAD is dead
    container.signing.extend(credential.account_id or "", credential.id, sad, batch,
                             HashAlgorithm.SHA256)
    answers = container.signing.record_signed(group)
    assert isinstance(answers[0], SadExpired) and isinstance(answers[1], list)
    assert totals(container, credential) == (3, 0, 2)


def test_one_alone_and_refused_is_rolled_back_and_audited(container: Container,
                                                          credential: Credential,
                                                          commits: list[object]) -> None:
    sad, batch = granted(container, credential, 2)  # no quota at all
    pending = signed(container, credential, sad, batch)
    commits.clear()
    [answer] = container.signing.record_signed([pending])
    assert isinstance(answer, OutOfSignatures)
    assert len(commits) == 1  # the refusal's audit record, nothing else
    assert totals(container, credential) == (0, 0, 0)
    assert actions(container).count("signing.out_of_signatures") == 1
    give_signatures(container, credential.id, 2)
    [again] = container.signing.record_signed([signed(container, credential, sad, batch)])
    assert isinstance(again, list) and len(again) == 2  # the SAD was left unspent


def test_a_failed_transaction_records_nothing_and_answers_no_signature(
        container: Container, credential: Credential, monkeypatch: pytest.MonkeyPatch) -> None:
    give_signatures(container, credential.id, 5)
    grants = [granted(container, credential) for _ in range(3)]
    group = [signed(container, credential, sad, batch) for sad, batch in grants]
    before = actions(container)

    def lost(uow: SqlUnitOfWork) -> None:  # the database gone at the commit
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))
    with monkeypatch.context() as patched:
        patched.setattr(SqlUnitOfWork, "commit", lost)
        with pytest.raises(OperationalError):
            container.signing.record_signed(group)
    assert totals(container, credential) == (5, 0, 0)
    assert actions(container) == before
    assert all(p.receipt is not None and not p.receipt.queued for p in group)
    answers = container.signing.record_signed(  # every SAD unspent: recorded once now
        [signed(container, credential, sad, batch) for sad, batch in grants])
    assert all(isinstance(a, list) for a in answers)
    assert totals(container, credential) == (2, 0, 3)


def test_signings_left_to_the_group_are_signed_there_then_recorded_in_its_transaction(
        container: Container, credential: Credential, commits: list[object]) -> None:
    give_signatures(container, credential.id, 10)
    grants = [granted(container, credential, n) for n in (2, 1)]
    group = [signed(container, credential, sad, batch, later=True) for sad, batch in grants]
    for pending, (_, batch) in zip(group, grants, strict=True):
        assert pending.signatures == [] and pending.digests == batch  # nothing signed yet
    assert totals(container, credential) == (10, 0, 0)
    commits.clear()
    answers = container.signing.record_signed(group)
    assert len(commits) == 1
    for (_, batch), pending, answer in zip(grants, group, answers, strict=True):
        assert isinstance(answer, list) and answer == pending.signatures
        assert pending.digests is None
        for digest, signature in zip(batch, answer, strict=True):
            verifies(credential, digest, signature)
    assert totals(container, credential) == (7, 0, 3)
    assert actions(container).count("signing.signed") == 2


def test_a_key_that_fails_in_a_group_fails_that_signing_alone_audited_once(
        container: Container, credential: Credential, commits: list[object],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The second of three signings left to the group: its key fails. It answers the
    failure (audited once, its SAD unspent, nothing charged); the other two are recorded
    in one transaction; asked again, the failed one is not signed or audited again."""
    give_signatures(container, credential.id, 10)
    grants = [granted(container, credential) for _ in range(3)]
    group = [signed(container, credential, sad, batch, later=True) for sad, batch in grants]
    keystore = container.signing._keystore
    sign_digests, tries = keystore.sign_digests, []

    def failing(handle: Any, digests: list[bytes], scheme: SignatureScheme) -> list[bytes]:
        tries.append(digests)
        if digests == grants[1][1]:
            raise RuntimeError("the token was pulled out")
        return sign_digests(handle, digests, scheme)
    monkeypatch.setattr(keystore, "sign_digests", failing)
    commits.clear()
    answers = container.signing.record_signed(group)
    assert isinstance(answers[0], list) and isinstance(answers[2], list)
    assert isinstance(answers[1], RuntimeError)
    assert len(commits) == 2  # the failure's audit record, then the group's transaction
    assert totals(container, credential) == (8, 0, 2)
    audited = actions(container)
    assert audited.count("signing.failed") == 1 and audited.count("signing.signed") == 2
    assert container.signing.record_signed([group[1]]) == [answers[1]]
    assert len(tries) == 3 and actions(container).count("signing.failed") == 1
    monkeypatch.setattr(keystore, "sign_digests", sign_digests)
    sad, batch = grants[1]  # unspent: it signs once the key does
    [again] = container.signing.record_signed([signed(container, credential, sad, batch)])
    assert isinstance(again, list) and len(again) == 1
    assert totals(container, credential) == (7, 0, 3)
