"""The signing path and the ledger together: a failed signature gives its reservation back,
a signed one is counted once, public-service portals and unlimited terms consume nothing,
and many threads signing at once never take more than what is left."""

from __future__ import annotations

import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from kyso.billing.quota import Basis, EntryKind
from kyso.bootstrap import Container
from kyso.keys.model import HashAlgorithm, SignatureScheme
from kyso.signing.errors import OutOfSignatures
from kyso.signing.model import Credential
from kyso.signing.service import SigningService
from tests.proofs import sms_proof
from tests.quota import give_signatures

SCHEME = SignatureScheme.ECDSA_SHA256


def sign(container: Container, credential: Credential, n: int = 1,
         service: SigningService | None = None, **kw: Any) -> list[bytes]:
    batch = [hashlib.sha256(os.urandom(8)).digest() for _ in range(n)]
    assert credential.account_id is not None
    proof = sms_proof(container, credential.account_id)
    with container.uow() as uow:  # a SAD as authorize issues it (the OTP is tested elsewhere)
        grant = container.signing.grant(uow, credential, batch, HashAlgorithm.SHA256, proof)
        uow.commit()
    return (service or container.signing).sign_digests(credential.account_id, credential.id,
                                                       grant.sad, batch, SCHEME, **kw)


def totals(container: Container, credential: Credential) -> tuple[int, int, int]:
    b = container.quotas.balance(credential.id)
    assert container.quotas.verify(credential.id)
    return b.available, b.reserved, b.consumed


class BrokenKeyStore:
    def __getattr__(self, name: str) -> Any:
        raise AssertionError(name)

    def sign_digests(self, *args: Any) -> list[bytes]:
        raise OSError("the HSM went away")


def test_a_failed_signature_charges_nothing(container: Container,
                                           credential: Credential) -> None:
    give_signatures(container, credential.id, 2)
    broken = SigningService(container.uow, container.clock,
                            BrokenKeyStore(),  # type: ignore[arg-type]  # a stand-in
                            container.factors, container.quota,
                            container.signing.policy)
    with pytest.raises(OSError):
        sign(container, credential, 2, service=broken)
    assert totals(container, credential) == (2, 0, 0)
    assert len(sign(container, credential, 2)) == 2
    assert totals(container, credential) == (0, 0, 2)
    with pytest.raises(OutOfSignatures):
        sign(container, credential)
    kinds = [e.kind for e in container.quotas.history(credential.id)]
    # the key signs before the quota is touched: a failure reserves nothing to give back,
    # and the signatures are counted by one entry that holds nothing
    assert sorted(kinds) == [EntryKind.CONSUME, EntryKind.CREDIT]


def test_public_service_portals_sign_for_free(container: Container,
                                              credential: Credential) -> None:
    portal = container.relying_parties.create("Cổng DVC", public_service=True, actor="test")
    broker = container.relying_parties.create("Công ty chứng khoán", actor="test")
    assert len(sign(container, credential, 3, relying_party=portal.party.id)) == 3
    with pytest.raises(OutOfSignatures):
        sign(container, credential, relying_party=broker.party.id)
    assert totals(container, credential) == (0, 0, 0)
    [used] = [e for e in container.quotas.history(credential.id) if e.kind is EntryKind.CONSUME]
    assert (used.basis, used.count, used.relying_party) == (Basis.PUBLIC_SERVICE, 3,
                                                            portal.party.id)


def test_an_unlimited_term_consumes_nothing(container: Container,
                                            credential: Credential) -> None:
    end = container.clock.now() + timedelta(days=365)
    container.quotas.grant_unlimited(credential.id, end, actor="test")
    for _ in range(3):
        sign(container, credential, 2)
    assert totals(container, credential) == (0, 0, 0)
    used = [e.basis for e in container.quotas.history(credential.id)
            if e.kind is EntryKind.CONSUME]
    assert used == [Basis.UNLIMITED] * 3


def test_concurrent_signatures_take_exactly_what_is_left(container: Container,
                                                         credential: Credential) -> None:
    left, calls = 4, 16
    give_signatures(container, credential.id, left)
    start = threading.Barrier(calls)

    def attempt(_: int) -> str:
        start.wait()
        try:
            sign(container, credential)
        except OutOfSignatures:
            return "out"
        return "signed"

    with ThreadPoolExecutor(calls) as pool:
        results = list(pool.map(attempt, range(calls)))
    assert results.count("signed") == left and results.count("out") == calls - left
    assert totals(container, credential) == (0, 0, left)


def test_an_out_of_signatures_refusal_is_audited(container: Container,
                                                 credential: Credential) -> None:
    """The refusal rolls back with the signing transaction; its audit record does not."""
    give_signatures(container, credential.id, 1)
    with pytest.raises(OutOfSignatures):
        sign(container, credential, 2)
    with container.uow() as uow:
        [record] = [r.event for r in uow.audit.records()
                    if r.event.action == "signing.out_of_signatures"]
    assert (record.actor, record.subject) == (credential.account_id, credential.id)
    assert record.outcome.value == "failure" and record.details["wanted"] == 2
    assert totals(container, credential) == (1, 0, 0)  # nothing else written
