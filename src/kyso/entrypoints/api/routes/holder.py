"""The holder suspends or resumes their own certificate with the account PIN."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller
from kyso.entrypoints.api.schemas import Strict
from kyso.pki.model import IssuedCertificate

router = APIRouter(prefix="/api/v1/certificates", tags=["certificates"])


class PinIn(Strict):
    pin: str = Field(min_length=1, max_length=12)


class HoldOut(BaseModel):
    credential_id: str
    status: str

    @classmethod
    def of(cls, credential_id: str, c: IssuedCertificate) -> HoldOut:
        return cls(credential_id=credential_id, status=c.status.value)


@router.post("/{credential_id}/suspend", response_model=HoldOut)
def suspend(credential_id: str, body: PinIn, caller: CurrentCaller,
            container: ContainerDep) -> HoldOut:
    """At once (a lost phone): every signature with it is refused until it is resumed."""
    done = container.holder.suspend(caller.account.id, credential_id, body.pin)
    return HoldOut.of(credential_id, done)


@router.post("/{credential_id}/resume", response_model=HoldOut)
def resume(credential_id: str, body: PinIn, caller: CurrentCaller,
           container: ContainerDep) -> HoldOut:
    """Only a suspension the holder made; one made by the staff stays."""
    done = container.holder.resume(caller.account.id, credential_id, body.pin)
    return HoldOut.of(credential_id, done)
