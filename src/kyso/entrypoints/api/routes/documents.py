"""Documents: upload a file to sign (PAdES in the PDF, or a detached CAdES ``.p7s``), follow
it, download the signed output; validate a signed PDF.

``POST /documents`` takes the file as ``multipart/form-data`` (field ``file``) or as the raw
body (``application/pdf`` or ``application/octet-stream``, name in ``?name=``) and answers
201 with the document and the transaction to confirm (``POST /transactions/{id}/confirm``
with the SmartOTP code); confirming signs. Uploads may be up to ``KYSO_DOCUMENT_MAX_BYTES``
(the body-size limit is raised for these two paths only, see :func:`body_limits`).
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from kyso.config import Settings
from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller
from kyso.entrypoints.api.routes.transactions import TransactionOut
from kyso.errors import InvalidInput
from kyso.signing.document import Document, DocumentFormat, Level, SignOptions
from kyso.signing.validation import SignatureReport, TimestampReport, ValidationReport

__all__ = ["UPLOAD_PATHS", "body_limits", "router"]

router = APIRouter(prefix="/api/v1", tags=["documents"])
UPLOAD_PATHS = ("/api/v1/documents", "/api/v1/validate")
_MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around the file
_RAW_TYPES = ("application/pdf", "application/octet-stream")
_IN_MEMORY = 1024 * 1024  # an upload larger than this is spooled to disk while it arrives


def body_limits(settings: Settings) -> dict[str, int]:
    """The body-size limits of the upload paths (for ``BodySizeLimit``)."""
    return dict.fromkeys(UPLOAD_PATHS, settings.document_max_bytes + _MULTIPART_SLACK)


class DocumentOut(BaseModel):
    id: str
    file_name: str
    format: str
    size: int
    sha256: str
    level: str
    visible: bool
    reason: str | None
    location: str | None
    credential: str
    status: str
    transaction_id: str | None
    created_at: datetime
    signed_at: datetime | None
    signed_sha256: str | None
    signed_size: int | None
    error: str | None
    download: str | None

    @classmethod
    def of(cls, d: Document) -> DocumentOut:
        o = d.options
        return cls(id=d.id, file_name=d.file_name, format=d.format.value, size=d.size,
                   sha256=d.sha256, level=o.level.value, visible=o.visible, reason=o.reason,
                   location=o.location, credential=d.credential_id, status=d.status.value,
                   transaction_id=d.transaction_id, created_at=d.created_at,
                   signed_at=d.signed_at, signed_sha256=d.signed_sha256,
                   signed_size=d.signed_size, error=d.error,
                   download=f"/api/v1/documents/{d.id}/download" if d.signed_at else None)


class UploadOut(DocumentOut):
    transaction: TransactionOut


class SignatureOut(BaseModel):
    field: str
    valid: bool
    integrity: str
    trusted: bool
    revocation: str
    revoked_at: datetime | None
    signer: str | None
    subject: str | None
    serial: str | None
    signing_time: datetime | None
    timestamp: datetime | None
    timestamp_trusted: bool | None
    level: str | None
    coverage: str | None
    entire_document: bool
    modifications: str | None
    trust_problem: str | None

    @classmethod
    def of(cls, s: SignatureReport) -> SignatureOut:
        return cls(**s.__dict__)


class TimestampOut(BaseModel):
    field: str
    time: datetime | None
    integrity: str
    trusted: bool

    @classmethod
    def of(cls, t: TimestampReport) -> TimestampOut:
        return cls(**t.__dict__)


class ReportOut(BaseModel):
    valid: bool
    sha256: str
    signatures: list[SignatureOut]
    document_timestamps: list[TimestampOut]

    @classmethod
    def of(cls, r: ValidationReport) -> ReportOut:
        return cls(valid=r.valid, sha256=r.sha256,
                   signatures=[SignatureOut.of(s) for s in r.signatures],
                   document_timestamps=[TimestampOut.of(t) for t in r.timestamps])


Text = Annotated[str | None, Query(min_length=1, max_length=100)]


@router.post("/documents", status_code=201, response_model=UploadOut)
async def upload(request: Request, caller: CurrentCaller, container: ContainerDep,
                 format: DocumentFormat = DocumentFormat.PADES,
                 level: Level = Level.B_B, visible: bool = False, reason: Text = None,
                 location: Text = None, credential: Text = None,
                 name: Annotated[str | None, Query(max_length=255)] = None) -> UploadOut:
    """Upload a file to sign; 201 with the document and its transaction to confirm."""
    data, file_name = await _file(request, container.settings.document_max_bytes)
    try:
        options = SignOptions(level, visible, reason, location)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    done = await run_in_threadpool(
        container.documents.upload, caller.account.id, data, file_name=file_name or name,
        fmt=format, options=options, credential=credential)
    return UploadOut(**DocumentOut.of(done.document).model_dump(),
                     transaction=TransactionOut.of(done.transaction))


@router.get("/documents", response_model=list[DocumentOut])
def recent(caller: CurrentCaller, container: ContainerDep) -> list[DocumentOut]:
    return [DocumentOut.of(d) for d in container.documents.recent(caller.account.id)]


@router.get("/documents/{document_id}", response_model=DocumentOut)
def one(document_id: str, caller: CurrentCaller, container: ContainerDep) -> DocumentOut:
    return DocumentOut.of(container.documents.get(caller.account.id, document_id))


@router.get("/documents/{document_id}/download", response_class=Response)
def download(document_id: str, caller: CurrentCaller, container: ContainerDep) -> Response:
    """The signed PDF, or the detached signature (``.p7s``), to the document's owner."""
    document, data = container.documents.output(caller.account.id, document_id)
    disposition = f"attachment; filename*=UTF-8''{quote(document.output_name)}"
    return Response(data, media_type=document.output_media_type,
                    headers={"Content-Disposition": disposition})


@router.post("/validate", response_model=ReportOut)
async def validate(request: Request, caller: CurrentCaller,
                   container: ContainerDep) -> ReportOut:
    """A report on every signature of a PDF: signer, times, integrity, trust, revocation."""
    data, _ = await _file(request, container.settings.document_max_bytes)
    return ReportOut.of(await run_in_threadpool(container.documents.validate, data))


async def _spooled(request: Request, limit: int) -> bytes:
    """The raw body, received into a temporary file (memory only up to ``_IN_MEMORY``), so
    a slow upload holds disk, not memory, until it is complete."""
    with tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY) as spool:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise HTTPException(413, f"Tài liệu vượt quá {limit} byte (document over "
                                         f"{limit} bytes).")
            spool.write(chunk)
        spool.seek(0)
        return spool.read()


async def _file(request: Request, limit: int) -> tuple[bytes, str | None]:
    """The uploaded file and its name, from a multipart form or the raw body."""
    given = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if given == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=5)
        part = form.get("file")
        if not isinstance(part, UploadFile):
            raise HTTPException(400, "multipart/form-data needs a 'file' part")
        data, name = await part.read(limit + 1), part.filename
        await form.close()
    elif given in _RAW_TYPES:
        data, name = await _spooled(request, limit), None
    else:
        raise HTTPException(415, "Content-Type must be multipart/form-data, application/pdf "
                                 "or application/octet-stream")
    if len(data) > limit:
        raise HTTPException(413, f"Tài liệu vượt quá {limit} byte (document over {limit} "
                                 "bytes).")
    return data, name
