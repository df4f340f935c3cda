"""A customer charged for signatures never received can retry (issue 11): a CSC signHash
repeated with the same SAD and hashes after a lost response gets the same signatures back,
charged once, audited ``signing.redelivered``, while the SAD lives; other hashes, another
signAlgo and an expired SAD are still refused. SQLite, or PostgreSQL with
KYSO_TEST_DATABASE_URL."""

from __future__ import annotations

from kyso.keys.model import KeyAlgorithm, SignatureScheme
from tests.integration.csc.conftest import World
from tests.integration.csc.helpers import PSS, digests, pss_params, refused, sign, sign_hash


def _actions(world: World, credential: str) -> list[str]:
    with world.container.uow() as uow:
        return [r.event.action for r in uow.audit.records()
                if r.event.subject == credential and r.event.action.startswith("signing.")]


def _consumed(world: World, credential: str) -> int:
    assert world.container.quotas.verify(credential)
    return world.container.quotas.balance(credential).consumed


def test_a_lost_response_is_delivered_again_without_a_second_charge(world: World) -> None:
    signer = world.customer(signatures=10)
    batch = digests(3)
    sad = signer.authorize(batch)
    delivered = sign(signer, sad, batch)  # the response that the customer never received
    assert sign(signer, sad, batch) == delivered
    assert sign(signer, sad, batch[1:]) == delivered[1:]  # any of them, in the order asked
    assert _consumed(world, signer.credential_id) == 3
    actions = _actions(world, signer.credential_id)
    assert actions.count("signing.signed") == 1
    assert actions.count("signing.redelivered") == 2
    # never more than the SAD authorized: no other hash, nor an authorized one mixed in
    refused(sign_hash(signer, sad, digests(1)), 400, "invalid_request", "SAD")
    refused(sign_hash(signer, sad, [batch[0], *digests(1)]), 400, "invalid_request", "SAD")
    assert _consumed(world, signer.credential_id) == 3


def test_a_partly_signed_sad_redelivers_its_part_and_signs_the_rest(world: World) -> None:
    signer = world.customer(signatures=10)
    batch = digests(3)
    sad = signer.authorize(batch)
    first = sign(signer, sad, batch[:1])
    assert sign(signer, sad, batch[:1]) == first
    refused(sign_hash(signer, sad, batch[:2]), 400, "invalid_request", "SAD")  # mixed
    rest = sign(signer, sad, batch[1:])
    assert sign(signer, sad, batch[1:]) == rest
    assert _consumed(world, signer.credential_id) == 3


def test_no_redelivery_under_another_algorithm_or_after_the_sad_expired(world: World) -> None:
    signer = world.customer(signatures=10)
    batch = digests(1)
    sad = signer.authorize(batch)
    sign(signer, sad, batch)
    pss = {"signAlgo": PSS, "signAlgoParams": pss_params("sha256", 32)}
    refused(sign_hash(signer, sad, batch, **pss), 400, "invalid_request", "SAD")
    world.clock.advance(301)
    refused(sign_hash(signer, sad, batch), 400, "invalid_request", "SAD", "expired")
    assert world.container.signing.forget_delivered() >= 1
    assert _consumed(world, signer.credential_id) == 1
    assert _actions(world, signer.credential_id).count("signing.redelivered") == 0


def test_ecdsa_signatures_come_back_byte_for_byte(world: World) -> None:
    """ECDSA is randomized: a second signature would differ; the kept one is returned."""
    signer = world.customer(KeyAlgorithm.EC_P256, signatures=5)
    batch = digests(2)
    sad = signer.authorize(batch)
    algo = {"signAlgo": SignatureScheme.ECDSA_SHA256.oid}
    first = sign(signer, sad, batch, **algo)
    assert sign(signer, sad, batch, **algo) == first
    assert _consumed(world, signer.credential_id) == 2
