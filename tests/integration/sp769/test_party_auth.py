"""Relying-party authentication: argon2 once, then a short memory of the verified pair that
never outlives a rotation, a disablement or a lock, and never remembers a failure."""

from __future__ import annotations

import pytest

from kyso.accounts.rules import SecretHasher
from kyso.clock import ManualClock
from kyso.errors import TooManyRequests
from kyso.relying.errors import InvalidSpCredentials
from kyso.relying.parties import RelyingPartyService
from kyso.relying.verified import VerifiedCredentials
from kyso.secrets import Envelope
from kyso.throttle import Throttle, ThrottlePolicy
from tests.conftest import FAST_HASHER


class CountingHasher(SecretHasher):
    """The fast test hasher, counting argon2 verifications."""

    def __init__(self) -> None:
        super().__init__(FAST_HASHER.time_cost, FAST_HASHER.memory_kib, FAST_HASHER.parallelism)
        object.__setattr__(self, "verified", 0)

    def verify(self, encoded: str, secret: str) -> bool:
        object.__setattr__(self, "verified", self.verified + 1)
        return super().verify(encoded, secret)


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
def parties(uow_factory, clock: ManualClock, hasher: CountingHasher,  # type: ignore[no-untyped-def]
            envelope: Envelope) -> RelyingPartyService:
    return RelyingPartyService(uow_factory, clock, hasher, Throttle(ThrottlePolicy(), clock),
                               envelope)


def test_a_verified_pair_skips_argon2_for_a_minute(parties: RelyingPartyService,
                                                   hasher: CountingHasher,
                                                   clock: ManualClock) -> None:
    issued = parties.create("Cổng dịch vụ công", actor="test")
    sp_id = issued.party.sp_id
    for _ in range(3):
        assert parties.authenticate(sp_id, issued.sp_password).id == issued.party.id
    assert hasher.verified == 1
    clock.advance(60)
    parties.authenticate(sp_id, issued.sp_password)
    assert hasher.verified == 2


def test_failures_are_never_remembered_and_slow_the_address_down(parties: RelyingPartyService,
                                                      hasher: CountingHasher,
                                                      uow_factory) -> None:  # type: ignore[no-untyped-def]
    issued = parties.create("Sàn hợp đồng", actor="test")
    sp_id = issued.party.sp_id
    parties.authenticate(sp_id, issued.sp_password)
    for attempt in range(4):
        with pytest.raises(InvalidSpCredentials):
            parties.authenticate(sp_id, "sai-mat-khau", "203.0.113.9")
        assert hasher.verified == attempt + 2
    with pytest.raises(TooManyRequests):  # that address waits, even with the right pair
        parties.authenticate(sp_id, issued.sp_password, "203.0.113.9")
    assert parties.authenticate(sp_id, issued.sp_password, "198.51.100.7")  # the party's own
    with uow_factory() as uow:
        actions = [r.event.action for r in uow.audit.records()]
    assert actions.count("rp.auth_failed") == 4 and actions.count("rp.throttled") == 1


def test_rotation_and_disabling_take_effect_at_once(parties: RelyingPartyService,
                                                    hasher: CountingHasher) -> None:
    issued = parties.create("Ngân hàng", actor="test")
    sp_id = issued.party.sp_id
    parties.authenticate(sp_id, issued.sp_password)
    rotated = parties.rotate_secret(sp_id, actor="test")
    with pytest.raises(InvalidSpCredentials):
        parties.authenticate(sp_id, issued.sp_password)
    parties.authenticate(sp_id, rotated.sp_password)
    parties.disable(sp_id, actor="test")
    with pytest.raises(InvalidSpCredentials):
        parties.authenticate(sp_id, rotated.sp_password)


def test_the_memory_is_keyed_by_the_whole_pair_and_bounded(clock: ManualClock) -> None:
    memory = VerifiedCredentials(clock, ttl_seconds=60, max_entries=2)
    memory.remember("sp-a", "pw", "party-a", "hash-a")
    assert memory.knows("sp-a", "pw", "party-a", "hash-a")
    assert not memory.knows("sp-a", "pw2", "party-a", "hash-a")
    assert not memory.knows("sp-a", "pw", "party-a", "hash-b")  # the secret was rotated
    assert not memory.knows("sp-b", "pw", "party-a", "hash-a")
    memory.remember("sp-b", "pw", "party-b", "hash-b")
    memory.remember("sp-c", "pw", "party-c", "hash-c")
    assert not memory.knows("sp-a", "pw", "party-a", "hash-a")  # the oldest went
    assert memory.knows("sp-c", "pw", "party-c", "hash-c")
