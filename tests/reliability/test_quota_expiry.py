"""Forgotten quota reservations expire any number of times (issue 11).

Every expired hold is released with the source ``expired``; the ledger once let a source
appear only once per credential, so the second expiry raised IntegrityError in the sweep and
in every signHash of that credential, for good. SQLite, or PostgreSQL with
KYSO_TEST_DATABASE_URL."""

from __future__ import annotations

from datetime import timedelta

from kyso.billing.ledger import QuotaLedger
from kyso.billing.quota import EntryKind
from kyso.uow import UnitOfWork
from tests.integration.csc.conftest import World
from tests.integration.csc.helpers import digests, sign
from tests.quota import give_signatures

TTL = timedelta(minutes=10)


def _step(world: World, action):  # type: ignore[no-untyped-def]  # a one-line helper
    with world.container.uow() as uow:
        result = action(uow)
        uow.commit()
        return result


def _forget(world: World, credential: str, holds: int) -> None:
    """``holds`` reservations that no one commits or releases (a crash after each)."""
    ledger: QuotaLedger = world.container.quota
    for _ in range(holds):
        _step(world, lambda u: ledger.reserve(u, credential, 1))


def _expired_releases(uow: UnitOfWork, credential: str) -> int:
    return sum(1 for e in uow.quota.entries(credential)
               if e.kind is EntryKind.RELEASE and e.source == "expired")


def test_reserve_expire_reserve_expire_sweep(world: World) -> None:
    signer = world.customer(signatures=5)
    ledger, credential = world.container.quota, signer.credential_id
    _forget(world, credential, 1)
    world.clock.advance(TTL.total_seconds())
    _forget(world, credential, 1)  # this reserve expires the first hold
    world.clock.advance(TTL.total_seconds())
    assert _step(world, lambda u: ledger.sweep(u)) == 1  # the second expiry
    batch = digests(2)
    assert len(sign(signer, signer.authorize(batch), batch)) == 2
    with world.container.uow() as uow:
        assert _expired_releases(uow, credential) == 2
    assert world.container.quotas.verify(credential)
    b = world.container.quotas.balance(credential)
    assert (b.available, b.reserved, b.consumed) == (3, 0, 2)


def test_many_holds_expire_in_one_sweep_and_the_credential_signs(world: World) -> None:
    signer, other = world.customer(signatures=None), world.customer(signatures=None)
    give_signatures(world.container, signer.credential_id, 12)
    give_signatures(world.container, other.credential_id, 3)
    _forget(world, signer.credential_id, 10)
    _forget(world, other.credential_id, 3)
    world.clock.advance(TTL.total_seconds())
    assert _step(world, lambda u: world.container.quota.sweep(u)) == 13
    _forget(world, signer.credential_id, 4)  # a second crash on the same credential
    world.clock.advance(TTL.total_seconds())
    batch = digests(3)  # signHash expires the four itself (no sweep ran)
    assert len(sign(signer, signer.authorize(batch), batch)) == 3
    assert world.container.quotas.sweep() == 0
    with world.container.uow() as uow:
        assert _expired_releases(uow, signer.credential_id) == 14
        assert _expired_releases(uow, other.credential_id) == 3
    for who, left in ((signer, 9), (other, 3)):
        assert world.container.quotas.verify(who.credential_id)
        assert world.container.quotas.balance(who.credential_id).available == left
