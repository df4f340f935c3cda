"""The customer's side up to eKYC: register with the card's data, pay, activate.

    start ─▶ draft ─submit─▶ awaiting_payment ─paid─▶ awaiting_activation (code sent)
          ─activate(code)─▶ awaiting_ekyc

Eligibility: an individual never issued a kyso certificate (no certificate on the account,
none for the same ID number anywhere, no other open registration for it) on a device never
activated by another account. A free offer is paid when ordered.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

from kyso.clock import Clock
from kyso.errors import KysoError, Text
from kyso.onboarding.activation import Activator
from kyso.onboarding.errors import AlreadyRegistered, InvalidField, NotEligible
from kyso.onboarding.form import RegistrationForm, checked, printable
from kyso.onboarding.identity import IdDocument
from kyso.onboarding.journal import move, owned, refused, renewed
from kyso.onboarding.model import ActivationCode, Registration
from kyso.onboarding.ports import Packages
from kyso.onboarding.states import TRANSITIONS, Event, State, wrong_state
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["STALE_DAYS", "RegistrationService"]

STALE_DAYS = 30  # a registration left this long before approval expires
_EXPIRABLE = TRANSITIONS[Event.EXPIRE][0]


class RegistrationService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, packages: Packages,
                 activator: Activator) -> None:
        self._uow, self._clock, self._packages, self._activator = (
            uow_factory, clock, packages, activator)

    def start(self, account_id: str, form: RegistrationForm) -> Registration:
        now = self._clock.now()
        owner, contact, mrz = checked(form, now.date())
        device = form.device_id.strip()
        if not 1 <= len(device) <= 128:
            raise InvalidField(field="device_id", reason=Text("từ 1 đến 128 ký tự",
                                                              "1..128 characters"))
        printable("device_id", device)
        with self._uow() as uow:  # refuse early, before any order is made
            self._eligible(uow, account_id, owner.document, device)
        order = self._packages.order(account_id, form.package, owner.document.number)
        with self._uow() as uow:
            self._eligible(uow, account_id, owner.document, device)
            draft = Registration(str(uuid.uuid4()), account_id, owner, contact, form.package,
                                 device, now, now, mrz=mrz)
            uow.onboarding.add(draft)
            current = move(uow, draft, Event.SUBMIT, now, actor=account_id,
                           order_id=order.order_id)
            if order.paid:
                current = self._paid(uow, current)
            uow.commit()
            return current

    def mine(self, account_id: str) -> Registration:
        with self._uow() as uow:
            return owned(uow, account_id, lock=False)

    def check_payment(self, account_id: str) -> Registration:
        with self._uow() as uow:
            current = owned(uow, account_id, lock=False)
        current.expect(State.AWAITING_PAYMENT, Event.PAID)
        assert current.order_id is not None
        if not self._packages.is_paid(account_id, current.order_id):
            return current
        with self._uow() as uow:
            current = owned(uow, account_id)
            current.expect(State.AWAITING_PAYMENT, Event.PAID)
            current = self._paid(uow, current)
            uow.commit()
            return current

    def payable(self, account_id: str) -> Registration:
        """An order the customer can pay now: the registration's own while it can be paid,
        else a new one for the same package (nothing to type again); moves on if paid."""
        with self._uow() as uow:
            current = owned(uow, account_id, lock=False)
        current.expect(State.AWAITING_PAYMENT, Event.PAID)
        assert current.order_id is not None
        order = self._packages.payable(account_id, current.order_id, current.package,
                                       current.owner.document.number)
        with self._uow() as uow:
            current = owned(uow, account_id)
            current.expect(State.AWAITING_PAYMENT, Event.PAID)
            if order.order_id != current.order_id:
                current = renewed(uow, current, order.order_id, self._clock.now())
            if order.paid:
                current = self._paid(uow, current)
            uow.commit()
            return current

    def resend_code(self, account_id: str) -> Registration:
        with self._uow() as uow:
            current = owned(uow, account_id)
            current.expect(State.AWAITING_ACTIVATION, Event.ACTIVATE)
            code = self._activator.send(uow, current, self._clock.now())
            current = _with_code(current, code)
            uow.onboarding.save(current)
            uow.commit()
            return current

    def activate(self, account_id: str, code: str) -> Registration:
        now = self._clock.now()
        with self._uow() as uow:
            current = owned(uow, account_id)
            current.expect(State.AWAITING_ACTIVATION, Event.ACTIVATE)
            try:
                self._activator.check(current, code, now)
            except KysoError as exc:
                if current.activation is not None:
                    uow.onboarding.save(_with_code(current,
                                                   self._activator.counted(current.activation)))
                refused(uow, current, now, actor=account_id, action="activate", error=exc)
                uow.commit()
                raise
            current = move(uow, current, Event.ACTIVATE, now, actor=account_id)
            uow.commit()
            return current

    def resubmit(self, account_id: str) -> Registration:
        """Back to eKYC after a rejection the officer marked correctable (fresh attempts)."""
        with self._uow() as uow:
            current = owned(uow, account_id)
            if current.state is State.REJECTED and not (current.review
                                                        and current.review.resubmittable):
                raise wrong_state(current.state, Event.RESUBMIT)
            current = move(uow, current, Event.RESUBMIT, self._clock.now(), actor=account_id,
                           ekyc_attempts=0)
            uow.commit()
            return current

    def expire_stale(self, *, days: int = STALE_DAYS, limit: int = 500) -> int:
        """Expire registrations left before approval for ``days``; how many expired."""
        now = self._clock.now()
        cutoff = now - timedelta(days=days)
        with self._uow() as uow:
            stale = uow.onboarding.stale(_EXPIRABLE, cutoff, limit)
        done = 0
        for found in stale:
            with self._uow() as uow:
                current = uow.onboarding.get(found.id, for_update=True)
                if current is None or current.state not in _EXPIRABLE \
                        or current.updated_at >= cutoff:
                    continue
                move(uow, current, Event.EXPIRE, now, actor="system")
                uow.commit()
                done += 1
        return done

    def cancel(self, account_id: str) -> Registration:
        with self._uow() as uow:
            current = move(uow, owned(uow, account_id), Event.CANCEL, self._clock.now(),
                           actor=account_id)
            uow.commit()
            return current

    def _paid(self, uow: UnitOfWork, current: Registration) -> Registration:
        now = self._clock.now()
        current = move(uow, current, Event.PAID, now, actor=current.account_id)
        code = self._activator.send(uow, current, now)
        current = _with_code(current, code)
        uow.onboarding.save(current)
        return current

    @staticmethod
    def _eligible(uow: UnitOfWork, account_id: str, document: IdDocument, device: str) -> None:
        # the account row serializes an account's registrations: with no registration yet
        # there is no row of its own to lock, and two first ones would both pass
        account = uow.accounts.get(account_id, for_update=True)
        _number_free(uow, account_id, account.id_number if account else None, document.number)
        uid = document.uid
        latest = uow.onboarding.latest(account_id, for_update=True)
        if latest is not None and latest.state.open:
            raise AlreadyRegistered()
        if uow.pki.certificates(account_id=account_id, limit=1):
            raise NotEligible(reason=Text("tài khoản này đã được cấp chứng thư số",
                                          "a kyso certificate was already issued to this account"))
        if uow.onboarding.identity_used(uid, account_id):
            raise NotEligible(reason=Text("số giấy tờ này đã được cấp chứng thư số",
                                          "a kyso certificate was already issued for this ID"))
        if uow.onboarding.device_used(device, account_id):
            raise NotEligible(reason=Text("thiết bị này đã từng được kích hoạt",
                                          "this device was already activated"))


def _number_free(uow: UnitOfWork, account_id: str, verified: str | None, number: str) -> None:
    """The ID number is the account's verified one (or it has none yet) and no other
    account holds it."""
    if verified not in (None, number):
        raise NotEligible(reason=Text("số giấy tờ khác với số đã xác minh của tài khoản",
                                      "the ID number differs from the account's verified one"))
    holder = uow.relying.account_by_id_number(number)
    if holder is not None and holder != account_id:
        raise NotEligible(reason=Text("số giấy tờ này thuộc một tài khoản khác",
                                      "this ID number belongs to another account"))


def _with_code(registration: Registration, code: ActivationCode) -> Registration:
    return replace(registration, activation=code)
