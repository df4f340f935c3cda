"""Signing receipts and signature records (``docs/DOCUMENTS.md``, "Signing receipts"): to the
signer — the records, every receipt, each receipt's DER (a CMS SignedData, ``.p7m``) — and
to the relying party that asked for the signature, with its own credentials (HTTP Basic
``sp_id:sp_password``, as its OAuth2 client authentication): ``/api/v1/rp/receipts/{id}``.
A receipt the worker has not made yet is ``409 receipt_pending`` (Retry-After: 2) to whoever
may read it, and ``404`` to anyone else."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller, client_ip
from kyso.errors import AuthenticationFailed
from kyso.signing.receipt_jobs import ReceiptJob
from kyso.signing.records import SignatureRecord

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["documents"])


class RecordOut(BaseModel):
    id: str
    verify_url: str
    document_id: str | None
    file_name: str
    format: str
    level: str
    signer: str
    signed_at: datetime
    timestamp_at: datetime | None
    sha256: str
    signed_sha256: str
    receipt_sha256: str | None
    receipt: str | None  # the download path, once made
    receipt_pending: bool  # queued, the worker makes it within seconds

    @classmethod
    def of(cls, r: SignatureRecord, url: str) -> RecordOut:
        return cls(id=r.id, verify_url=url, document_id=r.document_id, file_name=r.file_name,
                   format=r.format, level=r.level, signer=r.signer_name,
                   signed_at=r.signed_at, timestamp_at=r.timestamp_at, sha256=r.sha256,
                   signed_sha256=r.signed_sha256, receipt_sha256=r.receipt_sha256,
                   receipt=f"/api/v1/receipts/{r.id}" if r.receipt_sha256 else None,
                   receipt_pending=r.receipt_sha256 is None)


class ReceiptOut(BaseModel):
    id: str
    kind: str  # document | signDoc | signHash | sp769 | multisign
    status: str  # pending | ready
    created_at: datetime
    made_at: datetime | None
    relying_party: str | None  # as the receipt names it
    receipt_sha256: str | None
    receipt: str | None  # the download path, once made

    @classmethod
    def of(cls, job: ReceiptJob) -> ReceiptOut:
        party = json.loads(job.claims).get("relying_party")
        if isinstance(party, dict):
            party = party.get("name")
        return cls(id=job.id, kind=job.kind, status="ready" if job.ready else "pending",
                   created_at=job.created_at, made_at=job.made_at,
                   relying_party=party if isinstance(party, str) else None,
                   receipt_sha256=job.receipt_sha256,
                   receipt=f"/api/v1/receipts/{job.id}" if job.ready else None)


@router.get("/receipts", response_model=list[RecordOut])
def receipts(caller: CurrentCaller, container: ContainerDep) -> list[RecordOut]:
    """The caller's signature records, newest first: the public page and the receipt."""
    service = container.receipts
    return [RecordOut.of(r, service.url(r.id))
            for r in service.for_account(caller.account.id)]


@router.get("/signing-receipts", response_model=list[ReceiptOut])
def signing_receipts(caller: CurrentCaller, container: ContainerDep) -> list[ReceiptOut]:
    """Every signing receipt of the caller's signatures (documents, signDoc, signHash, SP769,
    multisign), newest first, made or pending."""
    return [ReceiptOut.of(job) for job in container.receipts.jobs(caller.account.id)]


@router.get("/receipts/{record_id}")
def receipt(record_id: str, caller: CurrentCaller, container: ContainerDep) -> Response:
    """The receipt (DER CMS SignedData), to the signer only; 404 for anyone else."""
    found, der = container.receipts.receipt(caller.account.id, record_id[:64])
    return _p7m(found, der)


class PartyAuthRequired(AuthenticationFailed):
    code = "invalid_client"
    vi = "Cần xác thực HTTP Basic bằng sp_id và sp_password của bên sử dụng dịch vụ."
    en = "HTTP Basic authentication with the relying party's sp_id and sp_password required."


@router.get("/rp/receipts/{receipt_id}", tags=["sp769"])
async def party_receipt(receipt_id: str, request: Request, container: ContainerDep,
                        authorization: Annotated[str | None, Header()] = None) -> Response:
    """A signing receipt, to the relying party whose request or token the signature was
    made for (HTTP Basic ``sp_id:sp_password``); 404 for any other party."""
    sp_id, sp_password = _basic(authorization)
    party = await run_in_threadpool(container.relying_parties.authenticate, sp_id,
                                    sp_password, client_ip(request))
    found, der = await run_in_threadpool(container.receipts.for_party, party.id,
                                         receipt_id[:64])
    return _p7m(found, der)


def _p7m(receipt_id: str, der: bytes) -> Response:
    return Response(der, media_type="application/pkcs7-mime",
                    headers={"Content-Disposition":
                             f'attachment; filename="kyso-receipt-{receipt_id}.p7m"'})


def _basic(header: str | None) -> tuple[str, str]:
    scheme, _, encoded = (header or "").partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        raise PartyAuthRequired()
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError) as exc:
        raise PartyAuthRequired() from exc
    name, colon, password = decoded.partition(":")
    if not colon or not name or not password:
        raise PartyAuthRequired()
    return name, password
