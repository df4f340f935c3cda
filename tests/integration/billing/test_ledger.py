"""The quota ledger on a real database: credits once per source, reserve → commit | release,
expiry of forgotten reservations, free signatures, and totals that the ledger recomputes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kyso.billing.errors import InvalidQuantity, InvalidSource, UnknownReservation
from kyso.billing.ledger import QuotaLedger
from kyso.billing.quota import Basis, EntryKind
from kyso.clock import ManualClock
from kyso.relying.model import RelyingParty
from kyso.signing.errors import OutOfSignatures
from kyso.uow import UnitOfWork, UnitOfWorkFactory

CRED = "kyso-issuing-ca-1a2b"
TTL = timedelta(minutes=10)
END = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
def ledger(clock: ManualClock) -> QuotaLedger:
    return QuotaLedger(clock, TTL)


def run(uow_factory: UnitOfWorkFactory, step):  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        result = step(uow)
        uow.commit()
        return result


def check_totals(uow_factory: UnitOfWorkFactory, ledger: QuotaLedger) -> None:
    """The stored totals are exactly what the ledger's entries add up to."""
    with uow_factory() as uow:
        stored = uow.quota.account(CRED)
        derived = ledger.recompute(uow, CRED)
    assert stored is not None
    assert (derived.credited, derived.consumed, derived.reserved, derived.unlimited_until) == (
        stored.credited, stored.consumed, stored.reserved, stored.unlimited_until)


def test_a_credit_counts_once_per_source(uow_factory: UnitOfWorkFactory,
                                         ledger: QuotaLedger) -> None:
    run(uow_factory, lambda u: ledger.credit(u, CRED, 10, source="order:1"))
    run(uow_factory, lambda u: ledger.credit(u, CRED, 10, source="order:1"))
    run(uow_factory, lambda u: ledger.credit(u, CRED, 5, source="admin:op"))
    balance = run(uow_factory, lambda u: ledger.balance(u, CRED))
    assert (balance.available, balance.reserved, balance.consumed) == (15, 0, 0)
    with uow_factory() as uow:
        actions = [r.event.action for r in uow.audit.records()]
    assert actions.count("quota.credited") == 2
    check_totals(uow_factory, ledger)


@pytest.mark.parametrize("count", [0, -1, 1_000_001])
def test_a_credit_is_a_positive_number(uow_factory: UnitOfWorkFactory, ledger: QuotaLedger,
                                       count: int) -> None:
    with pytest.raises(InvalidQuantity):
        run(uow_factory, lambda u: ledger.credit(u, CRED, count, source="admin:op"))


@pytest.mark.parametrize("source", ["", "x" * 121, "order:\n1"])
def test_a_credit_names_a_printable_source(uow_factory: UnitOfWorkFactory, ledger: QuotaLedger,
                                           source: str) -> None:
    with pytest.raises(InvalidSource):
        run(uow_factory, lambda u: ledger.credit(u, CRED, 1, source=source))
    with pytest.raises(InvalidSource):
        run(uow_factory, lambda u: ledger.grant_unlimited(u, CRED, END, source=source))


def test_an_unknown_credential_has_nothing(uow_factory: UnitOfWorkFactory,
                                           ledger: QuotaLedger) -> None:
    balance = run(uow_factory, lambda u: ledger.balance(u, CRED))
    assert (balance.available, balance.reserved, balance.consumed) == (0, 0, 0)
    with pytest.raises(OutOfSignatures):
        run(uow_factory, lambda u: ledger.reserve(u, CRED, 1))


def test_reserve_commit_release(uow_factory: UnitOfWorkFactory, ledger: QuotaLedger) -> None:
    run(uow_factory, lambda u: ledger.credit(u, CRED, 3, source="order:1"))
    first = run(uow_factory, lambda u: ledger.reserve(u, CRED, 2))
    held = run(uow_factory, lambda u: ledger.balance(u, CRED))
    assert (held.available, held.reserved, held.consumed) == (1, 2, 0)
    with pytest.raises(OutOfSignatures):
        run(uow_factory, lambda u: ledger.reserve(u, CRED, 2))
    run(uow_factory, lambda u: ledger.commit(u, first))
    run(uow_factory, lambda u: ledger.commit(u, first))  # counted once
    run(uow_factory, lambda u: ledger.release(u, first))  # no refund after a commit
    second = run(uow_factory, lambda u: ledger.reserve(u, CRED, 1))
    run(uow_factory, lambda u: ledger.release(u, second))
    run(uow_factory, lambda u: ledger.release(u, second))
    balance = run(uow_factory, lambda u: ledger.balance(u, CRED))
    assert (balance.available, balance.reserved, balance.consumed) == (1, 0, 2)
    check_totals(uow_factory, ledger)
    with pytest.raises(UnknownReservation):
        run(uow_factory, lambda u: ledger.commit(u, "no-such-reservation"))


def test_a_forgotten_reservation_expires(uow_factory: UnitOfWorkFactory, ledger: QuotaLedger,
                                         clock: ManualClock) -> None:
    run(uow_factory, lambda u: ledger.credit(u, CRED, 2, source="order:1"))
    forgotten = run(uow_factory, lambda u: ledger.reserve(u, CRED, 2))
    clock.advance(TTL.total_seconds() - 1)
    assert run(uow_factory, lambda u: ledger.balance(u, CRED)).available == 0
    clock.advance(1)
    assert run(uow_factory, lambda u: ledger.balance(u, CRED)).available == 2  # read: no write
    assert run(uow_factory, lambda u: ledger.sweep(u)) == 1
    assert run(uow_factory, lambda u: ledger.sweep(u)) == 0
    again = run(uow_factory, lambda u: ledger.reserve(u, CRED, 2))
    run(uow_factory, lambda u: ledger.commit(u, again))
    # the forgotten signature finally reports signed: counted, once, as a debt
    run(uow_factory, lambda u: ledger.commit(u, forgotten))
    run(uow_factory, lambda u: ledger.commit(u, forgotten))
    balance = run(uow_factory, lambda u: ledger.balance(u, CRED))
    assert (balance.available, balance.consumed) == (0, 4)
    run(uow_factory, lambda u: ledger.credit(u, CRED, 3, source="order:2"))
    assert run(uow_factory, lambda u: ledger.balance(u, CRED)).available == 1
    check_totals(uow_factory, ledger)


def test_reserve_expires_stale_holds_of_its_credential(uow_factory: UnitOfWorkFactory,
                                                       ledger: QuotaLedger,
                                                       clock: ManualClock) -> None:
    run(uow_factory, lambda u: ledger.credit(u, CRED, 1, source="order:1"))
    run(uow_factory, lambda u: ledger.reserve(u, CRED, 1))
    clock.advance(TTL.total_seconds())
    run(uow_factory, lambda u: ledger.reserve(u, CRED, 1))  # no sweep ran
    with uow_factory() as uow:
        kinds = [(e.kind, e.source) for e in uow.quota.entries(CRED)]
    assert (EntryKind.RELEASE, "expired") in kinds
    check_totals(uow_factory, ledger)


def test_debit_counts_at_once_and_falls_back_when_it_must(uow_factory: UnitOfWorkFactory,
                                                          ledger: QuotaLedger,
                                                          clock: ManualClock) -> None:
    """The signing path's debit: one statement while nothing is held; the locked path when a
    hold is open (expired ones released first), under an unlimited term, or when short."""
    run(uow_factory, lambda u: ledger.credit(u, CRED, 3, source="order:1"))
    run(uow_factory, lambda u: ledger.debit(u, CRED, 2))            # the one-statement path
    assert run(uow_factory, lambda u: ledger.balance(u, CRED)).available == 1
    with pytest.raises(OutOfSignatures):
        run(uow_factory, lambda u: ledger.debit(u, CRED, 2))        # short: nothing written
    run(uow_factory, lambda u: ledger.reserve(u, CRED, 1))          # a hold, then forgotten
    clock.advance(TTL.total_seconds())
    run(uow_factory, lambda u: ledger.debit(u, CRED, 1))            # releases it, then counts
    balance = run(uow_factory, lambda u: ledger.balance(u, CRED))
    assert (balance.available, balance.reserved, balance.consumed) == (0, 0, 3)
    run(uow_factory, lambda u: ledger.grant_unlimited(u, CRED, END, source="order:2"))
    run(uow_factory, lambda u: ledger.debit(u, CRED, 5))            # recorded, not counted
    with uow_factory() as uow:
        entries = uow.quota.entries(CRED)
    consumes = [e for e in entries if e.kind is EntryKind.CONSUME]
    assert sorted((e.count, e.basis.value) for e in consumes) == [
        (1, "quota"), (2, "quota"), (5, "unlimited")]
    # a debit's entry holds nothing and settles nothing: the one reserve is the forgotten
    # hold, which its expiry released
    assert all(e.reservation is None for e in consumes)
    assert sorted(e.kind for e in entries if e.kind is not EntryKind.CONSUME) == [
        EntryKind.CREDIT, EntryKind.RELEASE, EntryKind.RESERVE, EntryKind.UNLIMITED]
    assert run(uow_factory, lambda u: ledger.balance(u, CRED)).consumed == 3
    check_totals(uow_factory, ledger)


def test_unlimited_term_records_without_counting(uow_factory: UnitOfWorkFactory,
                                                 ledger: QuotaLedger,
                                                 clock: ManualClock) -> None:
    end = clock.now() + timedelta(days=365)
    run(uow_factory, lambda u: ledger.grant_unlimited(u, CRED, end, source="order:1"))
    run(uow_factory, lambda u: ledger.grant_unlimited(u, CRED, end - timedelta(days=1),
                                                      source="order:0"))  # never shortens
    for _ in range(3):
        r = run(uow_factory, lambda u: ledger.reserve(u, CRED, 5))
        run(uow_factory, lambda u, r=r: ledger.commit(u, r))
    balance = run(uow_factory, lambda u: ledger.balance(u, CRED))
    assert (balance.consumed, balance.unlimited_until) == (0, end)
    with uow_factory() as uow:
        used = [e for e in uow.quota.entries(CRED) if e.kind is EntryKind.CONSUME]
    assert [(e.basis, e.count) for e in used] == [(Basis.UNLIMITED, 5)] * 3
    clock.set(end)
    with pytest.raises(OutOfSignatures):  # the term is over
        run(uow_factory, lambda u: ledger.reserve(u, CRED, 1))
    check_totals(uow_factory, ledger)


def _party(uow: UnitOfWork, clock: ManualClock, public: bool) -> str:
    party_id = f"party-{int(public)}"
    uow.relying.add_party(RelyingParty(party_id, f"sp-{int(public)}", "Cổng DVC",
                                       "x", clock.now(), public_service=public))
    return party_id


def test_a_public_service_portal_signs_for_free(uow_factory: UnitOfWorkFactory,
                                                ledger: QuotaLedger,
                                                clock: ManualClock) -> None:
    public = run(uow_factory, lambda u: _party(u, clock, True))
    private = run(uow_factory, lambda u: _party(u, clock, False))
    r = run(uow_factory, lambda u: ledger.reserve(u, CRED, 2, relying_party=public))
    run(uow_factory, lambda u: ledger.commit(u, r))
    with pytest.raises(OutOfSignatures):
        run(uow_factory, lambda u: ledger.reserve(u, CRED, 1, relying_party=private))
    balance = run(uow_factory, lambda u: ledger.balance(u, CRED))
    assert (balance.available, balance.consumed) == (0, 0)
    with uow_factory() as uow:
        [used] = [e for e in uow.quota.entries(CRED) if e.kind is EntryKind.CONSUME]
    assert (used.basis, used.count) == (Basis.PUBLIC_SERVICE, 2)
