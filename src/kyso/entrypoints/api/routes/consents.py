"""A customer's consents to relying parties (SP769): list the parties, grant (with the
account PIN), revoke."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel

from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller
from kyso.entrypoints.api.routes.smartotp import PinIn
from kyso.relying.consents import Granted
from kyso.relying.model import RelyingParty

router = APIRouter(prefix="/api/v1", tags=["consents"])


class PartyOut(BaseModel):
    sp_id: str
    name: str
    public_service: bool

    @classmethod
    def of(cls, party: RelyingParty) -> PartyOut:
        return cls(sp_id=party.sp_id, name=party.name, public_service=party.public_service)


class ConsentOut(PartyOut):
    granted_at: datetime

    @classmethod
    def granted(cls, g: Granted) -> ConsentOut:
        return cls(sp_id=g.party.sp_id, name=g.party.name,
                   public_service=g.party.public_service, granted_at=g.consent.granted_at)


@router.get("/relying-parties", response_model=list[PartyOut])
def parties(_caller: CurrentCaller, container: ContainerDep) -> list[PartyOut]:
    """The relying parties a customer may let in."""
    return [PartyOut.of(p) for p in container.consents.parties()]


@router.get("/consents", response_model=list[ConsentOut])
def consents(caller: CurrentCaller, container: ContainerDep) -> list[ConsentOut]:
    return [ConsentOut.granted(g) for g in container.consents.consents(caller.account.id)]


@router.put("/consents/{sp_id}", response_model=ConsentOut)
def grant(sp_id: str, body: PinIn, caller: CurrentCaller, container: ContainerDep
          ) -> ConsentOut:
    """Let the relying party see my certificates and ask me for signatures (account PIN)."""
    return ConsentOut.granted(container.consents.grant(caller.account.id, sp_id, body.pin))


@router.delete("/consents/{sp_id}", status_code=204)
def revoke(sp_id: str, caller: CurrentCaller, container: ContainerDep) -> Response:
    container.consents.revoke(caller.account.id, sp_id)
    return Response(status_code=204)
