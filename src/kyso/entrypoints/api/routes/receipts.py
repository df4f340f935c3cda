"""Signing receipts and signature records, to the signer (``docs/DOCUMENTS.md``,
"Signing receipts"): the list, and each receipt's DER (a CMS SignedData, ``.p7m``)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel

from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller
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
    receipt: str | None  # the download path

    @classmethod
    def of(cls, r: SignatureRecord, url: str) -> RecordOut:
        return cls(id=r.id, verify_url=url, document_id=r.document_id, file_name=r.file_name,
                   format=r.format, level=r.level, signer=r.signer_name,
                   signed_at=r.signed_at, timestamp_at=r.timestamp_at, sha256=r.sha256,
                   signed_sha256=r.signed_sha256, receipt_sha256=r.receipt_sha256,
                   receipt=f"/api/v1/receipts/{r.id}" if r.receipt_sha256 else None)


@router.get("/receipts", response_model=list[RecordOut])
def receipts(caller: CurrentCaller, container: ContainerDep) -> list[RecordOut]:
    """The caller's signature records, newest first: the public page and the receipt."""
    service = container.receipts
    return [RecordOut.of(r, service.url(r.id))
            for r in service.for_account(caller.account.id)]


@router.get("/receipts/{record_id}")
def receipt(record_id: str, caller: CurrentCaller, container: ContainerDep) -> Response:
    """The receipt (DER CMS SignedData), to the signer only; 404 for anyone else."""
    record, der = container.receipts.receipt(caller.account.id, record_id[:64])
    return Response(der, media_type="application/pkcs7-mime",
                    headers={"Content-Disposition":
                             f'attachment; filename="kyso-receipt-{record.id}.p7m"'})
