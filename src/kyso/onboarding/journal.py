"""Every transition of a registration is audited: ``onboarding.<event>`` with the states it
left and reached, the actor (customer or officer) and the registration."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from kyso.audit.model import AuditEvent, Outcome
from kyso.errors import KysoError
from kyso.onboarding.errors import RegistrationNotFound
from kyso.onboarding.model import Registration
from kyso.onboarding.states import Event, State
from kyso.uow import UnitOfWork

__all__ = ["move", "owned", "refused", "renewed"]

Detail = str | int | bool | None


def move(uow: UnitOfWork, registration: Registration, event: Event, at: datetime, *,
         actor: str, **changes: object) -> Registration:
    """Apply ``event``, save the registration and audit the transition, in ``uow``."""
    moved = registration.moved(event, at, **changes)
    uow.onboarding.save(moved)
    _append(uow, f"onboarding.{event.value}", moved, at, actor, registration.state,
            Outcome.SUCCESS)
    return moved


def refused(uow: UnitOfWork, registration: Registration, at: datetime, *, actor: str,
            action: str, error: KysoError) -> None:
    _append(uow, f"onboarding.{action}_refused", registration, at, actor, registration.state,
            Outcome.FAILURE, error=error.code)


def renewed(uow: UnitOfWork, registration: Registration, order_id: str,
            at: datetime) -> Registration:
    """A new order for the registration's package (the old one can no longer be paid)."""
    changed = replace(registration, order_id=order_id, updated_at=at)
    uow.onboarding.save(changed)
    _append(uow, "onboarding.order_renewed", changed, at, registration.account_id,
            registration.state, Outcome.SUCCESS, order=order_id,
            previous=registration.order_id)
    return changed


def _append(uow: UnitOfWork, action: str, registration: Registration, at: datetime,
            actor: str, before: State, outcome: Outcome, **extra: Detail) -> None:
    details: dict[str, Detail] = {"registration": registration.id, "from": before.value,
                                  "to": registration.state.value, **extra}
    uow.audit.append(AuditEvent(action, outcome, actor=actor, subject=registration.account_id,
                                details=details), at)


def owned(uow: UnitOfWork, account_id: str, *, lock: bool = True) -> Registration:
    """The account's newest registration."""
    found = uow.onboarding.latest(account_id, for_update=lock)
    if found is None:
        raise RegistrationNotFound()
    return found
