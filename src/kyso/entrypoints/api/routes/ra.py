"""The RA officers' review queue: list, show (with checks and images), approve, reject."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import Field

from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller
from kyso.entrypoints.api.routes.onboarding import RegistrationOut
from kyso.entrypoints.api.schemas import Strict
from kyso.entrypoints.bounds import Limit, Offset
from kyso.onboarding.model import Registration
from kyso.onboarding.search import MAX_QUERY
from kyso.onboarding.states import State

__all__ = ["CaseOut", "case_out", "router"]

router = APIRouter(prefix="/api/v1/ra", tags=["ra"])


class CaseOut(RegistrationOut):
    account_id: str
    email: str
    phone: str
    address: str
    mrz: str | None
    issue_date: date  # the ID document's, with its expiry (none for an old CMND)
    expiry_date: date | None


class RejectIn(Strict):
    reason: str = Field(min_length=3, max_length=500)
    resubmittable: bool = False


@router.get("/registrations", response_model=list[CaseOut])
def queue(caller: CurrentCaller, container: ContainerDep,
          state: State = State.UNDER_REVIEW,
          q: Annotated[str, Query(max_length=MAX_QUERY)] = "",
          limit: Annotated[Limit, Query()] = 100,
          offset: Annotated[Offset, Query()] = 0) -> list[CaseOut]:
    """A page of the cases in ``state`` (under review: oldest first; decided: newest first);
    ``q`` finds them by a part of the holder's name (diacritics optional) or ID number."""
    return [_case(r) for r in container.review.queue(caller.account.id, state, limit, offset,
                                                     q)]


@router.get("/registrations/{registration_id}", response_model=CaseOut)
def show(registration_id: str, caller: CurrentCaller, container: ContainerDep) -> CaseOut:
    return _case(container.review.show(caller.account.id, registration_id))


@router.get("/registrations/{registration_id}/images/{which}", response_class=Response)
def image(registration_id: str, which: Literal["front", "back", "portrait"],
          caller: CurrentCaller, container: ContainerDep) -> Response:
    data = container.review.image(caller.account.id, registration_id, which)
    kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return Response(data, media_type=kind)


@router.get("/registrations/{registration_id}/contract", response_class=Response)
def contract(registration_id: str, caller: CurrentCaller, container: ContainerDep) -> Response:
    """The contract the customer accepted, as a PDF (404 before the acceptance)."""
    data = container.review.contract(caller.account.id, registration_id)
    return Response(data, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="hop-dong-{registration_id[:8]}.pdf"'})


@router.post("/registrations/{registration_id}/approve", response_model=CaseOut)
def approve(registration_id: str, caller: CurrentCaller, container: ContainerDep) -> CaseOut:
    return _case(container.review.approve(caller.account.id, registration_id))


@router.post("/registrations/{registration_id}/reject", response_model=CaseOut)
def reject(registration_id: str, body: RejectIn, caller: CurrentCaller,
           container: ContainerDep) -> CaseOut:
    return _case(container.review.reject(caller.account.id, registration_id, body.reason,
                                         resubmittable=body.resubmittable))


def case_out(r: Registration) -> CaseOut:
    """A registration as an officer reads it (identity recovery shows the approved one)."""
    return _case(r)


def _case(r: Registration) -> CaseOut:
    c = r.contact
    return CaseOut(**RegistrationOut.of(r).model_dump(), account_id=r.account_id,
                   email=c.email, phone=c.phone,
                   address=f"{c.address}, {c.locality}, {c.province}", mrz=r.mrz,
                   issue_date=r.owner.document.issued, expiry_date=r.owner.document.expires)
