"""``signatures/signDoc``: PAdES signatures on whole PDF documents, XAdES on XML ones.

The signer authorizes each document by its SHA-256 (``credentials/authorize`` with
``hashes = [SHA-256(PDF)]``, ``hashAlgorithmOID`` SHA-256); signDoc then redeems that hash
for exactly one signature on that file (:meth:`DocumentSigner.sign_pdf`). kyso adds approval
signatures (``Revision``) at ``Ades-B-B`` … ``Ades-B-LTA``, with SHA-256 and the
credential's key (sha256WithRSAEncryption or ecdsa-with-SHA256). ``signature_format: "X"``:
an XML document gets an enveloped XAdES signature (``signed_envelope_property``
``Enveloped``, the default) at ``Ades-B-B``, ``Ades-B-T`` or ``Ades-B-LT``
(:meth:`DocumentSigner.sign_xml`). ``documentDigests`` are not
signed here: a relying party holding only digests uses ``signatures/signHash``.

PDFs travel in Base64 inside JSON, so this path has a body limit of its own
(:func:`body_limits`): a document of ``document_max_bytes`` in Base64, plus room for the
JSON around it; each decoded document is then held to ``document_max_bytes``.

Memory: the JSON body is parsed whole (the request's bytes and the Base64 string it holds:
about 2.7 × the file — the limit of a JSON API). A document up to 8 MiB is then decoded
once into memory and hashed once (the byte range continues from that hash); a larger one
is decoded in pieces into a temporary file, signed from it like an upload
(:meth:`DocumentSigner.sign_pdf_file`). The answer is streamed, Base64 written from the
original's chunks and the signature's tail.
"""

from __future__ import annotations

import binascii
import hashlib
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pybase64
from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from kyso.config import Settings
from kyso.entrypoints.api.deps import ContainerDep
from kyso.entrypoints.csc.bearer import GatedSigningCallerDep
from kyso.entrypoints.csc.errors import CscRoute, InvalidParameter, MissingParameter
from kyso.entrypoints.csc.params import scheme_for
from kyso.entrypoints.csc.schemas import DocumentIn, SignDocIn
from kyso.keys.model import KeyAlgorithm, SignatureScheme
from kyso.signing.cms import scheme_for as kyso_scheme
from kyso.signing.document import Level, SignOptions
from kyso.signing.document_errors import DocumentTooLarge
from kyso.signing.records import new_record_id
from kyso.signing.source import CHUNK, Signed, Source, read_all, spool
from kyso.signing.xades import LEVELS as XADES_LEVELS

__all__ = ["CONFORMANCE_LEVELS", "SIGN_DOC_PATH", "body_limits", "router"]

router = APIRouter(route_class=CscRoute)
SIGN_DOC_PATH = "/csc/v2/signatures/signDoc"
_JSON_SLACK = 64 * 1024  # the fields around the document
_IN_MEMORY = 8 * 1024 * 1024  # a document up to this size is kept in memory, larger in a file


def body_limits(settings: Settings) -> dict[str, int]:
    """The body-size limit of signDoc (for ``BodySizeLimit``): one largest document in
    Base64 (4 characters per 3 bytes) and its JSON."""
    return {SIGN_DOC_PATH: -(-settings.document_max_bytes // 3) * 4 + _JSON_SLACK}

CONFORMANCE_LEVELS = {f"ades-{level.value.lower()}": level for level in Level}
# CSC v2 also names the core levels (ETSI EN 319 1x2-1): a baseline signature of level B-x
# is one of those too, so AdES-B, -T, -LT and -LTA are read as B-B, B-T, B-LT and B-LTA
CONFORMANCE_LEVELS |= {"ades-b": Level.B_B, "ades-t": Level.B_T, "ades-lt": Level.B_LT,
                       "ades-lta": Level.B_LTA}


@router.post("/signatures/signDoc", response_model=None)
def sign_doc(body: SignDocIn, caller: GatedSigningCallerDep, container: ContainerDep,
             ) -> StreamingResponse:
    """The SAD is the body's, or the one a credential-scope token carries."""
    if body.document_digests is not None:
        raise InvalidParameter("documentDigests", "kyso signs whole documents here; sign "
                               "digests with signatures/signHash",
                               "kyso chỉ ký toàn bộ tài liệu; ký giá trị băm bằng "
                               "signatures/signHash")
    if body.documents is None:
        raise MissingParameter("documents", "array")
    credential = container.signing.credential(caller.account_id, body.credential_id)
    if caller.scope == "credential" and caller.credential_id != credential.id:
        raise InvalidParameter("credentialID", "the token authorizes another credential",
                               "token ủy quyền cho chứng thư số khác")
    sad = body.sad or caller.sad
    if sad is None:
        raise MissingParameter("SAD", "string")
    signer = container.document_signer
    signed: list[Signed] = []
    receipts: list[str] = []  # each document's signing receipt (made by the worker)
    party = (caller.party_id, caller.party_name or "") if caller.party_id else None
    try:
        for document in body.documents:
            options = _options(document, credential.key.algorithm)
            pdf, hashed = _pdf(document.document, container.settings.document_max_bytes)
            sha256 = hashed.hexdigest()
            try:
                record_id = new_record_id()
                if document.signature_format == "X":  # XML is read whole (within the limit)
                    xml = signer.sign_xml(caller.account_id, body.credential_id, sad,
                                          read_all(pdf), options.level, receipt_id=record_id,
                                          party=party)
                    _unlink(pdf)
                    signed.append(Signed(xml, b""))
                    receipts.append(record_id)
                    continue
                signed.append(signer.sign_pdf_file(caller.account_id, body.credential_id,
                                                   sad, pdf, options, sha256, credential,
                                                   record_id=record_id, party=party,
                                                   hashed=hashed))
                receipts.append(record_id)
            except BaseException:
                _unlink(pdf)
                raise
    except BaseException:
        _remove(signed)
        raise
    return StreamingResponse(_answer(signed, receipts), media_type="application/json",
                             background=BackgroundTask(_remove, signed))


async def _answer(signed: list[Signed], receipts: list[str]) -> AsyncIterator[bytes]:
    """``{"DocumentWithSignature": [Base64, …], "receiptIDs": […]}``, written about a MiB
    at a time (``receiptIDs``: a vendor extra, one per document). Asynchronous, in the event
    loop: each piece is one read of the file and a SIMD Base64 encoding (0.03 ms a MiB), less
    than a hop to a worker thread and back, which a synchronous iterator costs per piece."""
    try:
        out = [b'{"DocumentWithSignature":[']
        size = len(out[0])
        for n, one in enumerate(signed):
            out.append(b',"' if n else b'"')
            carry = b""
            for part in one.chunks():
                data = carry + bytes(part)
                cut = len(data) - len(data) % 3
                out.append(pybase64.b64encode(data[:cut]))
                carry = data[cut:]
                size += len(out[-1])
                if size >= CHUNK:
                    yield b"".join(out)
                    out, size = [], 0
            out.append(pybase64.b64encode(carry) + b'"')
        out.append(b'],"receiptIDs":' + json.dumps(receipts).encode() + b"}")
        yield b"".join(out)
    finally:
        _remove(signed)


def _remove(signed: list[Signed]) -> None:
    for one in signed:
        _unlink(one.original)


def _unlink(source: Source) -> None:
    if isinstance(source, Path):
        source.unlink(missing_ok=True)


def _options(document: DocumentIn, key: KeyAlgorithm) -> SignOptions:
    wanted: SignatureScheme = kyso_scheme(key, "sha256")
    if scheme_for(document.sign_algo, document.hash_algo, document.sign_algo_params) != wanted:
        raise InvalidParameter("signAlgo", f"signDoc signs with {wanted.oid} for this key",
                               f"signDoc ký bằng {wanted.oid} với khóa này")
    xml = document.signature_format == "X"
    _envelope(document.signed_envelope_property, xml)
    level = CONFORMANCE_LEVELS.get((document.conformance_level or "Ades-B-B").lower())
    if level is None:
        raise InvalidParameter("conformance_level", "Ades-B-B, Ades-B-T, Ades-B-LT or "
                               "Ades-B-LTA expected", "cần Ades-B-B, -B-T, -B-LT hoặc -B-LTA")
    if xml and level not in XADES_LEVELS:
        raise InvalidParameter("conformance_level", "XAdES is signed at Ades-B-B, Ades-B-T "
                               "or Ades-B-LT", "XAdES ký ở mức Ades-B-B, -B-T hoặc -B-LT")
    return SignOptions(level=level)


def _envelope(wanted: str | None, xml: bool) -> None:
    """PDFs get approval (``Revision``) signatures, XML enveloped ones."""
    if xml and wanted not in (None, "Enveloped"):
        raise InvalidParameter("signed_envelope_property", "kyso signs XML with an "
                               "Enveloped signature", "kyso ký XML bằng chữ ký Enveloped")
    if not xml and wanted not in (None, "Revision"):
        raise InvalidParameter("signed_envelope_property", "kyso adds approval (Revision) "
                               "signatures", "kyso chỉ thêm chữ ký phê duyệt (Revision)")


def _pdf(encoded: str, limit: int) -> tuple[Source, Any]:
    """The Base64 document decoded and its SHA-256 state (``hashlib``) after it; the size
    limit is checked before anything is decoded. Up to ``_IN_MEMORY`` it is decoded at once
    and kept in memory (bytes: nothing can change them under the server, so the byte range
    continues from this hash instead of reading them again); a larger one a piece at a time
    into a temporary file (the caller removes it), hashed on the way. pybase64 (SIMD:
    0.07 ms for 1 MiB, against 3 ms for the standard library's) accepts what
    ``base64.b64decode(validate=True)`` does, except padding after a full group of four
    (``"QUJD="``), which RFC 4648 does not allow either."""
    if len(encoded) > -(-limit // 3) * 4 + 4:
        raise DocumentTooLarge(limit=limit)
    digest = hashlib.sha256()
    if len(encoded) <= _IN_MEMORY // 3 * 4:
        try:
            data = pybase64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidParameter("documents", "the document is not Base64",
                                   "tài liệu không phải Base64") from exc
        if len(data) > limit:
            raise DocumentTooLarge(limit=limit)
        digest.update(data)
        return data, digest
    step = 4 * 256 * 1024  # 1 MiB of Base64 a piece

    def pieces() -> Iterator[bytes]:
        for start in range(0, len(encoded), step):
            piece = pybase64.b64decode(encoded[start:start + step], validate=True)
            digest.update(piece)
            yield piece

    try:
        path = spool(pieces())
    except (binascii.Error, ValueError) as exc:
        raise InvalidParameter("documents", "the document is not Base64",
                               "tài liệu không phải Base64") from exc
    if path.stat().st_size > limit:
        path.unlink(missing_ok=True)
        raise DocumentTooLarge(limit=limit)
    return path, digest
