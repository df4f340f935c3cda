"""Several signers on one PDF (docs/DOCUMENTS.md, "Several signers").

The initiator: ``POST /multisign`` (the PDF, as ``POST /documents/drafts`` takes it) → a
draft; ``GET /multisign/{id}/layout`` and ``/pages/{n}.png`` to place each signer's field;
``POST /multisign/{id}/send`` names the signers (the email or phone they registered), their
fields, the mode and the expiry; ``POST /multisign/{id}/cancel``.
A signer: ``POST /multisign/{id}/sign`` opens their transaction (confirm it with their
SmartOTP code: ``POST /transactions/{id}/confirm``), ``POST /multisign/{id}/decline``.
Both: ``GET /multisign``, ``GET /multisign/{id}`` (progress), ``GET /multisign/{id}/download``.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from kyso.config import Settings
from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller
from kyso.entrypoints.api.errors import language
from kyso.entrypoints.api.routes.documents import LayoutOut, _received
from kyso.entrypoints.api.routes.transactions import TransactionOut
from kyso.entrypoints.bounds import PageNumber
from kyso.errors import InvalidInput, Text
from kyso.signing.document import Level
from kyso.signing.document_errors import IMAGE_NOT_BASE64
from kyso.signing.multisign import SignerPlan, View
from kyso.signing.multisign_model import Mode, turn
from kyso.signing.signature_image import MAX_BYTES as IMAGE_MAX_BYTES

__all__ = ["UPLOAD_PATH", "body_limits", "router"]

router = APIRouter(prefix="/api/v1", tags=["multisign"])
UPLOAD_PATH = "/api/v1/multisign"
_MULTIPART_SLACK = 64 * 1024


def body_limits(settings: Settings) -> dict[str, int]:
    return {UPLOAD_PATH: settings.document_max_bytes + _MULTIPART_SLACK}


class SignerOut(BaseModel):
    position: int
    name: str
    login: str | None  # shown to the initiator only
    me: bool
    page: int
    status: str  # waiting, signing, signed, declined
    turn: bool  # may sign now
    signed_at: datetime | None
    declined_reason: str | None
    verify: str | None  # the public verification page of their signature, once signed
    box: list[float] | None  # the caller's own field (PDF points from the lower left)


class EnvelopeOut(BaseModel):
    id: str
    file_name: str
    size: int
    sha256: str
    signed_sha256: str | None
    mode: str
    level: str
    status: str  # draft, open, completed, declined, cancelled, expired
    initiator: bool  # the caller sent it
    initiator_name: str | None
    signed: int
    signers: list[SignerOut]
    my_turn: bool  # the caller may sign now
    created_at: datetime
    expires_at: datetime | None
    finished_at: datetime | None
    note: str | None
    download: str | None

    @classmethod
    def of(cls, view: View, account_id: str, initiator_name: str | None = None) -> EnvelopeOut:
        e, mine = view.envelope, view.envelope.initiator_id == account_id
        now_turn = {s.position for s in turn(e, view.signers)} \
            if e.open_at(view.now) else set()
        signers = [SignerOut(position=s.position, name=s.name,
                             login=s.login if mine else None, me=s.account_id == account_id,
                             page=s.page, status=s.status.value,
                             turn=s.position in now_turn, signed_at=s.signed_at,
                             declined_reason=s.declined_reason,
                             verify=f"/v/{s.record_id}" if s.record_id else None,
                             box=list(s.box) if s.account_id == account_id else None)
                   for s in view.signers]
        return cls(id=e.id, file_name=e.file_name, size=e.size, sha256=e.sha256,
                   signed_sha256=e.current_sha256 if e.signed_count else None,
                   mode=e.mode.value, level=e.level.value, status=view.status.value,
                   initiator=mine, initiator_name=initiator_name, signed=e.signed_count,
                   signers=signers, my_turn=view.may_sign(account_id),
                   created_at=e.created_at, expires_at=e.expires_at,
                   finished_at=e.finished_at, note=e.note,
                   download=f"/api/v1/multisign/{e.id}/download" if e.signed_count else None)


class SignerIn(BaseModel):
    login: str = Field(min_length=3, max_length=320,
                       description="the email or phone number the signer registered")
    page: PageNumber
    box: list[float] = Field(min_length=4, max_length=4,
                             description="x1, y1, x2, y2 in points from the page's lower left")


class SendIn(BaseModel):
    signers: list[SignerIn] = Field(min_length=1, max_length=10)
    mode: Mode = Mode.SEQUENTIAL
    level: Level = Level.B_T
    expires_in_days: int = Field(7, ge=1, le=30)


class ReasonIn(BaseModel):
    reason: str | None = Field(None, max_length=200)


class DeclineIn(BaseModel):
    reason: str = Field(min_length=1, max_length=200)


class StampIn(BaseModel):
    """The signer's own stamp (each optional): the lines under their name, and the
    handwritten signature image drawn or uploaded (PNG or JPEG, base64)."""

    reason: str | None = Field(None, max_length=100)
    location: str | None = Field(None, max_length=100)
    image: str | None = Field(None, max_length=IMAGE_MAX_BYTES * 4 // 3 + 4,
                              description="the signature image, PNG or JPEG, base64")


class StartOut(BaseModel):
    envelope: EnvelopeOut
    transaction: TransactionOut


def _out(container: ContainerDep, view: View, account_id: str) -> EnvelopeOut:
    with container.uow(read_only=True) as uow:
        who = uow.accounts.get(view.envelope.initiator_id)
    return EnvelopeOut.of(view, account_id, who.full_name if who else None)


@router.post("/multisign", status_code=201, response_model=EnvelopeOut)
async def create(request: Request, caller: CurrentCaller, container: ContainerDep,
                 name: Annotated[str | None, Query(max_length=255)] = None) -> EnvelopeOut:
    """Store the PDF several people will sign (a draft: place the fields, then send)."""
    async with _received(request, container.settings.document_max_bytes) as (path, file_name):
        data = path.read_bytes()  # several signers: the file is signed as bytes, in turns
    envelope = await run_in_threadpool(container.multisign.draft, caller.account.id, data,
                                       file_name or name)
    view = await run_in_threadpool(container.multisign.get, caller.account.id, envelope.id)
    return _out(container, view, caller.account.id)


@router.get("/multisign", response_model=list[EnvelopeOut])
def recent(caller: CurrentCaller, container: ContainerDep) -> list[EnvelopeOut]:
    return [_out(container, v, caller.account.id)
            for v in container.multisign.recent(caller.account.id)]


@router.get("/multisign/{envelope_id}", response_model=EnvelopeOut)
def one(envelope_id: str, caller: CurrentCaller, container: ContainerDep) -> EnvelopeOut:
    return _out(container, container.multisign.get(caller.account.id, envelope_id),
                caller.account.id)


@router.get("/multisign/{envelope_id}/layout", response_model=LayoutOut)
async def layout(envelope_id: str, caller: CurrentCaller, container: ContainerDep) -> LayoutOut:
    found = await run_in_threadpool(container.multisign.layout, caller.account.id, envelope_id)
    return LayoutOut.of(found)


@router.get("/multisign/{envelope_id}/pages/{number}.png", response_class=Response)
async def page_png(envelope_id: str, number: PageNumber, caller: CurrentCaller,
                   container: ContainerDep) -> Response:
    """Page ``number`` of the file as it stands (with the signatures made so far)."""
    png = await run_in_threadpool(container.multisign.page_png, caller.account.id,
                                  envelope_id, number)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, no-cache"})


@router.post("/multisign/{envelope_id}/send", response_model=EnvelopeOut)
async def send(envelope_id: str, body: SendIn, caller: CurrentCaller,
               container: ContainerDep) -> EnvelopeOut:
    """Name the signers with their fields and send; the first to sign are told."""
    plans = [SignerPlan(s.login, s.page, (s.box[0], s.box[1], s.box[2], s.box[3]))
             for s in body.signers]
    if len({p.login.strip().lower() for p in plans}) != len(plans):
        raise InvalidInput(Text("mỗi người ký chỉ được chỉ định một lần",
                                        "each signer is named once"))
    view = await run_in_threadpool(lambda: container.multisign.send(
        caller.account.id, envelope_id, plans, mode=body.mode, level=body.level,
        days=body.expires_in_days))
    return _out(container, view, caller.account.id)


@router.post("/multisign/{envelope_id}/sign", response_model=StartOut)
async def sign(envelope_id: str, request: Request, caller: CurrentCaller,
               container: ContainerDep, body: StampIn | None = None) -> StartOut:
    """A signer's transaction, with their own stamp's reason, location and signature image
    (all optional): confirming it with their SmartOTP code signs their field (409
    ``multisign_not_your_turn`` before their turn)."""
    stamp = body or StampIn()
    image = None
    if stamp.image:
        try:
            image = base64.b64decode(stamp.image, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(IMAGE_NOT_BASE64) from None
    view, challenge = await run_in_threadpool(lambda: container.multisign.start(
        caller.account.id, envelope_id, reason=(stamp.reason or "").strip() or None,
        location=(stamp.location or "").strip() or None, image=image))
    return StartOut(envelope=_out(container, view, caller.account.id),
                    transaction=TransactionOut.of(challenge, language(request)))


@router.post("/multisign/{envelope_id}/decline", response_model=EnvelopeOut)
def decline(envelope_id: str, body: DeclineIn, caller: CurrentCaller,
            container: ContainerDep) -> EnvelopeOut:
    view = container.multisign.decline(caller.account.id, envelope_id, body.reason)
    return _out(container, view, caller.account.id)


@router.post("/multisign/{envelope_id}/cancel", response_model=EnvelopeOut)
def cancel(envelope_id: str, caller: CurrentCaller, container: ContainerDep,
           body: ReasonIn | None = None) -> EnvelopeOut:
    view = container.multisign.cancel(caller.account.id, envelope_id,
                                      body.reason if body else None)
    return _out(container, view, caller.account.id)


@router.get("/multisign/{envelope_id}/download", response_class=Response)
def download(envelope_id: str, caller: CurrentCaller, container: ContainerDep) -> Response:
    """The file with every signature made so far (the final file once completed)."""
    view, data = container.multisign.output(caller.account.id, envelope_id)
    name = view.envelope.file_name.removesuffix(".pdf")
    suffix = "signed" if view.status.value == "completed" else f"{view.envelope.signed_count}"
    disposition = f"attachment; filename*=UTF-8''{quote(f'{name}-{suffix}.pdf')}"
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": disposition})
