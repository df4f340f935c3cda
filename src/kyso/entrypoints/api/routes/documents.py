"""Documents: upload a file to sign (PAdES in the PDF, a detached CAdES ``.p7s``, or XAdES
inside an XML document), follow it, download the signed output; validate a signed PDF.

``POST /documents`` takes the file as ``multipart/form-data`` (field ``file``) or as the raw
body (``application/pdf`` or ``application/octet-stream``, name in ``?name=``) and answers
201 with the document and the transaction to confirm (``POST /transactions/{id}/confirm``
with the SmartOTP code); confirming signs. Uploads may be up to ``KYSO_DOCUMENT_MAX_BYTES``
(the body-size limit is raised for these paths only, see :func:`body_limits`).

The web app's way: ``POST /documents/drafts`` stores a PDF without a transaction;
``GET /documents/{id}/layout`` gives its pages and a free spot for the stamp,
``GET /documents/{id}/pages/{n}.png`` a preview of each page; ``POST /documents/{id}/sign``
(the place, the text lines, an optional signature image) opens the transaction.
"""

from __future__ import annotations

import base64
import binascii
import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, BinaryIO
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from kyso.bootstrap import Container
from kyso.config import Settings
from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller
from kyso.entrypoints.api.errors import language
from kyso.entrypoints.api.limits import too_large
from kyso.entrypoints.api.routes.transactions import TransactionOut
from kyso.entrypoints.bounds import PageNumber
from kyso.errors import InvalidInput, said
from kyso.signing.document import (
    STAMP_SIZE_RULE,
    Document,
    DocumentFormat,
    Level,
    SignOptions,
    stamp_size_ok,
)
from kyso.signing.document_errors import IMAGE_NOT_BASE64
from kyso.signing.pages import Layout
from kyso.signing.signature_image import MAX_BYTES as IMAGE_MAX_BYTES
from kyso.signing.validation import SignatureReport, TimestampReport, ValidationReport

__all__ = ["UPLOAD_PATHS", "body_limits", "router"]

router = APIRouter(prefix="/api/v1", tags=["documents"])
UPLOAD_PATHS = ("/api/v1/documents", "/api/v1/documents/drafts", "/api/v1/validate")
_MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around the file
_RAW_TYPES = ("application/pdf", "application/octet-stream", "application/xml", "text/xml")
_CHUNK = 1024 * 1024  # an upload is copied to its temporary file in pieces of this size


def body_limits(settings: Settings) -> dict[str, int]:
    """The body-size limits of the upload paths (for ``BodySizeLimit``)."""
    return dict.fromkeys(UPLOAD_PATHS, settings.document_max_bytes + _MULTIPART_SLACK)


class DocumentOut(BaseModel):
    id: str
    file_name: str
    title: str | None = None  # a document kyso made itself, in words (else: its file name)
    format: str
    size: int
    sha256: str
    level: str
    visible: bool
    reason: str | None
    location: str | None
    credential: str
    page: int | None  # the visible stamp's page (1-based) and box, in PDF user space
    box: list[float] | None
    signature_image: bool
    status: str
    transaction_id: str | None
    created_at: datetime
    signed_at: datetime | None
    signed_sha256: str | None
    signed_size: int | None
    error: str | None
    download: str | None

    @classmethod
    def of(cls, d: Document, title: str | None = None) -> DocumentOut:
        o = d.options
        return cls(id=d.id, file_name=d.file_name, title=title, format=d.format.value,
                   size=d.size,
                   sha256=d.sha256, level=o.level.value, visible=o.visible, reason=o.reason,
                   location=o.location, credential=d.credential_id, page=o.page,
                   box=list(o.box) if o.box else None, signature_image=o.image is not None,
                   status=d.status.value,
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
    level_reason: str | None = None
    revocation_reason: str | None = None
    past_validation: str | None = None
    proven_at: datetime | None = None

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


class PageOut(BaseModel):
    number: int
    width: float  # points, the page as shown (/Rotate applied)
    height: float
    rotation: int


class LayoutOut(BaseModel):
    pages: list[PageOut]
    page: int  # where the stamp goes by default (the last page) …
    box: list[float]  # … from that page's lower-left corner: x1, y1, x2, y2 (points)
    covers_text: bool  # no free spot: the default box covers text

    @classmethod
    def of(cls, layout: Layout) -> LayoutOut:
        return cls(pages=[PageOut(number=n, width=p.width, height=p.height,
                                  rotation=p.rotation)
                          for n, p in enumerate(layout.pages, 1)],
                   page=layout.page, box=list(layout.box), covers_text=layout.covers_text)


class SignIn(BaseModel):
    level: Level = Level.B_B
    visible: bool = True
    reason: str | None = Field(None, min_length=1, max_length=100)
    location: str | None = Field(None, min_length=1, max_length=100)
    page: PageNumber | None = None  # with box: where the stamp goes, from the
    box: list[float] | None = Field(None, min_length=4, max_length=4)  # page's lower left
    image: str | None = Field(None, max_length=IMAGE_MAX_BYTES * 4 // 3 + 4,
                              description="the signature image, PNG or JPEG, base64")


Text = Annotated[str | None, Query(min_length=1, max_length=100)]
BoxQuery = Annotated[str | None, Query(pattern=r"^[0-9.]+,[0-9.]+,[0-9.]+,[0-9.]+$",
                                       max_length=80)]


@router.post("/documents", status_code=201, response_model=UploadOut)
async def upload(request: Request, caller: CurrentCaller, container: ContainerDep,
                 format: DocumentFormat = DocumentFormat.PADES,
                 level: Level = Level.B_B, visible: bool = False, reason: Text = None,
                 location: Text = None, credential: Text = None,
                 page: Annotated[PageNumber | None, Query()] = None, box: BoxQuery = None,
                 name: Annotated[str | None, Query(max_length=255)] = None) -> UploadOut:
    """Upload a file to sign; 201 with the document and its transaction to confirm. A
    visible stamp goes on ``page`` in ``box`` (``x1,y1,x2,y2``, points from the page's
    lower-left corner), or on a free spot of the last page."""
    corners = [float(v) for v in box.split(",")] if box else None
    options = _options(level, visible, reason, location, page, corners)
    async with _received(request, container.settings.document_max_bytes) as (data, file_name):
        done = await run_in_threadpool(
            container.documents.upload, caller.account.id, data, file_name=file_name or name,
            fmt=format, options=options, credential=credential)
    return UploadOut(**DocumentOut.of(done.document).model_dump(),
                     transaction=TransactionOut.of(done.transaction, language(request)))


@router.post("/documents/drafts", status_code=201, response_model=DocumentOut)
async def draft(request: Request, caller: CurrentCaller, container: ContainerDep,
                credential: Text = None,
                name: Annotated[str | None, Query(max_length=255)] = None) -> DocumentOut:
    """Store a PDF to preview and place the stamp on; no transaction yet."""
    async with _received(request, container.settings.document_max_bytes) as (data, file_name):
        done = await run_in_threadpool(container.documents.draft, caller.account.id, data,
                                       file_name=file_name or name, credential=credential)
    return DocumentOut.of(done)


@router.get("/documents/{document_id}/layout", response_model=LayoutOut)
async def layout(document_id: str, caller: CurrentCaller,
                 container: ContainerDep) -> LayoutOut:
    """The pages (sizes in points) and the free spot the stamp goes by default."""
    found = await run_in_threadpool(container.documents.layout, caller.account.id, document_id)
    return LayoutOut.of(found)


@router.get("/documents/{document_id}/pages/{number}.png", response_class=Response)
async def page_png(document_id: str, number: PageNumber, caller: CurrentCaller,
                   container: ContainerDep) -> Response:
    """Page ``number`` (1-based) of the owner's PDF, as kyso's PDFium renders it."""
    png = await run_in_threadpool(container.documents.page_png, caller.account.id,
                                  document_id, number)
    return Response(png, media_type="image/png",
                    headers={"Cache-Control": "private, max-age=600"})


@router.post("/documents/{document_id}/sign", response_model=UploadOut)
async def sign(document_id: str, body: SignIn, request: Request, caller: CurrentCaller,
               container: ContainerDep) -> UploadOut:
    """Send a draft to be signed: the stamp's place and lines, and its signature image."""
    options = _options(body.level, body.visible, body.reason, body.location, body.page,
                       body.box)
    image = None
    if body.image:
        try:
            image = base64.b64decode(body.image, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(IMAGE_NOT_BASE64) from None
    done = await run_in_threadpool(container.documents.sign, caller.account.id, document_id,
                                   options, image)
    return UploadOut(**DocumentOut.of(done.document).model_dump(),
                     transaction=TransactionOut.of(done.transaction, language(request)))


class BatchIn(BaseModel):
    documents: list[str] = Field(min_length=2, max_length=10)  # drafts' ids
    level: Level = Level.B_B
    visible: bool = True
    reason: str | None = Field(None, min_length=1, max_length=100)
    location: str | None = Field(None, min_length=1, max_length=100)


class BatchOut(BaseModel):
    documents: list[DocumentOut]
    transaction: TransactionOut


@router.post("/documents/batch", status_code=201, response_model=BatchOut)
async def sign_together(body: BatchIn, request: Request, caller: CurrentCaller,
                        container: ContainerDep) -> BatchOut:
    """Several drafts in one transaction: one approval signs them all (each visible stamp
    on its own free spot)."""
    options = _options(body.level, body.visible, body.reason, body.location, None, None)
    done = await run_in_threadpool(container.documents.sign_together, caller.account.id,
                                   body.documents, options)
    documents = [DocumentOut.of(container.documents.get(caller.account.id, i))
                 for i in body.documents]
    return BatchOut(documents=documents,
                    transaction=TransactionOut.of(done.transaction, language(request)))


def _options(level: Level, visible: bool, reason: str | None, location: str | None,
             page: int | None, box: list[float] | None) -> SignOptions:
    try:
        if box and not stamp_size_ok((box[0], box[1], box[2], box[3])):
            raise ValueError(STAMP_SIZE_RULE)  # the box as the page is shown
        return SignOptions(level, visible, reason, location, page,
                           (box[0], box[1], box[2], box[3]) if box else None)
    except ValueError as exc:
        raise InvalidInput(said(exc)) from None


@router.get("/documents", response_model=list[DocumentOut])
def recent(request: Request, caller: CurrentCaller,
           container: ContainerDep) -> list[DocumentOut]:
    return _titled(request, container, container.documents.recent(caller.account.id))


@router.get("/documents/{document_id}", response_model=DocumentOut)
def one(document_id: str, request: Request, caller: CurrentCaller,
        container: ContainerDep) -> DocumentOut:
    [found] = _titled(request, container,
                      [container.documents.get(caller.account.id, document_id)])
    return found


def _titled(request: Request, container: Container,
            documents: list[Document]) -> list[DocumentOut]:
    """Each document, with its title in words when kyso made it (the acceptance record)."""
    titles, lang = container.document_titles.of(documents), language(request)
    return [DocumentOut.of(d, titles[d.id].pick(lang) if d.id in titles else None)
            for d in documents]


@router.get("/documents/{document_id}/download", response_class=Response)
def download(document_id: str, caller: CurrentCaller, container: ContainerDep) -> Response:
    """The signed PDF, or the detached signature (``.p7s``), to the document's owner:
    streamed from the store chunk by chunk (a chunk that fails its check breaks the
    download off short of its ``Content-Length``)."""
    document, parts = container.documents.output_chunks(caller.account.id, document_id)
    disposition = f"attachment; filename*=UTF-8''{quote(document.output_name)}"
    headers = {"Content-Disposition": disposition}
    if document.signed_size is not None:
        headers["Content-Length"] = str(document.signed_size)
    return StreamingResponse(parts, media_type=document.output_media_type, headers=headers)


@router.post("/validate", response_model=ReportOut)
async def validate(request: Request, caller: CurrentCaller,
                   container: ContainerDep) -> ReportOut:
    """A report on every signature of a PDF (or the XAdES signatures of an XML document):
    signer, times, integrity, trust, revocation."""
    async with _received(request, container.settings.document_max_bytes) as (data, _):
        return ReportOut.of(await run_in_threadpool(container.documents.validate, data,
                                                    caller.account.id))


def _too_large(limit: int, request: Request) -> HTTPException:
    return HTTPException(413, too_large(limit, language(request)))


@asynccontextmanager
async def _received(request: Request, limit: int) -> AsyncIterator[tuple[Path, str | None]]:
    """The uploaded file (from a multipart form or the raw body) in a temporary file of
    its own, counted while it arrives and never held whole in memory, and its name; the
    file is removed when the request is done with it."""
    given = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if given not in (*_RAW_TYPES, "multipart/form-data"):
        raise HTTPException(415, "Content-Type must be multipart/form-data, application/pdf, "
                                 "application/xml or application/octet-stream")
    fd, name = tempfile.mkstemp(prefix="kyso-upload-")
    path, file_name = Path(name), None
    try:
        with os.fdopen(fd, "wb") as out:
            if given == "multipart/form-data":
                file_name = await _from_form(request, out, limit)
            else:
                size = 0
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > limit:
                        raise _too_large(limit, request)
                    out.write(chunk)
        yield path, file_name
    finally:
        path.unlink(missing_ok=True)


async def _from_form(request: Request, out: BinaryIO, limit: int) -> str | None:
    """The form's ``file`` part (spooled to disk by the form parser beyond 1 MiB) copied
    into ``out`` in chunks; its name."""
    form = await request.form(max_files=1, max_fields=5)
    try:
        part = form.get("file")
        if not isinstance(part, UploadFile):
            raise HTTPException(400, "multipart/form-data needs a 'file' part")
        size = 0
        while chunk := await part.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise _too_large(limit, request)
            out.write(chunk)
        return part.filename
    finally:
        await form.close()
