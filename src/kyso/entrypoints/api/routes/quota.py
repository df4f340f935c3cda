"""The caller's signatures: what each of their certificates may still sign
("lượt ký khả dụng")."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from kyso.billing.quota import Balance
from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller

router = APIRouter(prefix="/api/v1/quota", tags=["quota"])


class BalanceOut(BaseModel):
    credential_id: str
    available: int
    reserved: int
    consumed: int
    credited: int
    unlimited_until: datetime | None
    unlimited: bool

    @classmethod
    def of(cls, credential_id: str, b: Balance, now: datetime) -> BalanceOut:
        return cls(credential_id=credential_id, available=b.available, reserved=b.reserved,
                   consumed=b.consumed, credited=b.credited, unlimited_until=b.unlimited_until,
                   unlimited=b.unlimited_at(now))


@router.get("", response_model=list[BalanceOut])
def balances(caller: CurrentCaller, container: ContainerDep) -> list[BalanceOut]:
    now = container.clock.now()
    return [BalanceOut.of(c, b, now) for c, b in container.quotas.balances(caller.account.id)]


@router.get("/{credential_id}", response_model=BalanceOut)
def balance(credential_id: str, caller: CurrentCaller, container: ContainerDep) -> BalanceOut:
    balance = container.quotas.balance_of(caller.account.id, credential_id)
    return BalanceOut.of(credential_id, balance, container.clock.now())
