"""``signatures/signHash`` (raw signatures over authorized hashes, in batches; synchronous
or, with ``operationMode: "A"``, asynchronous), ``signatures/signPolling`` and
``signatures/timestamp`` (an RFC 3161 token from kyso's own TSA).

Signatures come back as CMS wants them: RSA (PKCS#1 v1.5 or PSS) as the modulus-length
integer, ECDSA as a DER ``Ecdsa-Sig-Value``. The SAD comes from ``credentials/authorize``, or
from the credential-scope OAuth2 token the call is made with (the customer approved exactly
these hashes on kyso's page); in asynchronous mode without any, the customer approves in the
app and ``signPolling`` returns the signatures once signed.
"""

from __future__ import annotations

import base64
import json
import re
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from asn1crypto import tsp
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials

from kyso.bootstrap import Container
from kyso.entrypoints.api.deps import ContainerDep
from kyso.entrypoints.api.hot import run_hot
from kyso.entrypoints.csc.bearer import BearerDep, CscCallerDep, SigningCallerDep, signing_caller
from kyso.entrypoints.csc.errors import CscRoute, InvalidParameter, MissingParameter
from kyso.entrypoints.csc.params import check_lengths, decode_hashes, hash_for, scheme_for
from kyso.entrypoints.csc.schemas import SignHashIn, SignPollingIn, TimestampIn
from kyso.errors import InvalidInput, NotFound
from kyso.keys.model import HashAlgorithm, SignatureScheme
from kyso.pki.publishing import PkiPublisher
from kyso.relying.csc_model import AsyncResponse, ResponseStatus
from kyso.signing.model import Credential
from kyso.signing.receipt_jobs import ReceiptKind, ReceiptOrder, hash_receipt, receipt_id_for
from kyso.signing.service import PendingSignatures, base64_texts

__all__ = ["hash_answer", "router", "sign_hash_now", "sign_hash_signed", "time_stamp_token"]

router = APIRouter(route_class=CscRoute)
_HEX = re.compile(r"[0-9a-fA-F]{1,64}")


@router.post("/signatures/signHash", response_model=dict[str, Any])
async def sign_hash(body: SignHashIn, request: Request, bearer: BearerDep,
                    container: ContainerDep) -> Response:
    # one hop to a hot route's thread for the whole request (the bearer check, the signing),
    # where a plain-function dependency and endpoint cost one each
    return await run_hot(container, sign_hash_now, body, request, bearer, container)


def sign_hash_now(body: SignHashIn, request: Request, bearer: HTTPAuthorizationCredentials,
                  container: Container) -> Response:
    """The route's work, on a hot route's thread: the signatures recorded in a transaction
    of their own, inside the request's shared read (on PostgreSQL one statement on its
    connection)."""
    with _reads(body, bearer, container):
        signed = _sign_hash(body, request, bearer, container)
        if isinstance(signed, PendingSignatures):
            return hash_answer(signed.answer(container.signing.record(signed)), signed.receipt)
        return signed


def sign_hash_signed(body: SignHashIn, request: Request, bearer: HTTPAuthorizationCredentials,
                     container: Container) -> Response | PendingSignatures:
    """The route's work up to the key's signing (from ``csc/front.py``, which has the
    signatures made and recorded with others': ``SigningService.record_signed``, then
    answers with :func:`hash_answer`); the answer itself where nothing is left to sign
    (a repeated call's kept signatures, asynchronous mode; a refusal raises)."""
    with _reads(body, bearer, container):
        return _sign_hash(body, request, bearer, container, sign_later=True)


def hash_answer(signatures: list[str], receipt: ReceiptOrder | None) -> Response:
    """The answer with ``signatures`` (Base64: ``PendingSignatures.answer``)."""
    # a vendor extra (CSC clients ignore unknown fields): the worker makes it within seconds
    receipt_id = receipt.id if receipt is not None and receipt.queued else None
    return Response(signed_answer(signatures, receipt_id), media_type="application/json")


def _reads(body: SignHashIn, bearer: HTTPAuthorizationCredentials,
           container: Container) -> AbstractContextManager[None]:
    """The bearer check, the credential and the SAD: one read (with a session bearer, one
    statement); asynchronous mode reads what it has just written: units of its own."""
    if body.operation_mode == "A":
        return nullcontext()
    return container.shared_reads(sign_hash=(bearer.credentials, body.sad, body.credential_id))


def _sign_hash(body: SignHashIn, request: Request, bearer: HTTPAuthorizationCredentials,
               container: Container, *, sign_later: bool = False,
               ) -> Response | PendingSignatures:
    caller = signing_caller(container, bearer)
    digests = decode_hashes(body.hashes)
    if caller.scope == "credential" and caller.credential_id != body.credential_id:
        # a credential id names one certificate: another id is another credential
        container.signing.credential(caller.account_id, body.credential_id)  # unknown: 400
        raise InvalidParameter("credentialID", "the token authorizes another credential",
                               "token ủy quyền cho chứng thư số khác")

    def scheme_of(credential: Credential) -> SignatureScheme:
        scheme = scheme_for(body.sign_algo, body.hash_algo, body.sign_algo_params,
                            credential.key.algorithm.key_size)
        check_lengths(digests, scheme.hash_algorithm)
        return scheme

    sad = body.sad or caller.sad
    if body.operation_mode == "A":
        credential = container.signing.credential(caller.account_id, body.credential_id)
        scheme = scheme_of(credential)
        if sad is None:
            item = container.csc_async.ask(caller.account_id, credential.id, digests, scheme,
                                           relying_party=caller.party_name)
        else:
            item = container.csc_async.sign_now(caller.account_id, credential.id, sad,
                                                digests, scheme, party=(caller.party_id,
                                                                        caller.party_name))
        return JSONResponse(_accepted(item, request))
    if sad is None:  # refused after what the credential and the scheme refuse, as before
        scheme_of(container.signing.credential(caller.account_id, body.credential_id))
        raise MissingParameter("SAD", "string")

    def receipt_of(credential: Credential, scheme: SignatureScheme) -> ReceiptOrder:
        return hash_receipt(credential, digests, scheme, party_name=caller.party_name,
                            party_id=caller.party_id)

    signed = container.signing.signed_hashes(caller.account_id, body.credential_id, sad,
                                             digests, scheme_of, receipt_of=receipt_of,
                                             sign_later=sign_later)
    if isinstance(signed, PendingSignatures):
        return signed
    return hash_answer(base64_texts(signed), None)


def signed_answer(signatures: list[str], receipt_id: str | None) -> bytes:
    """signHash's answer, ``{"signatures": [...], "receiptID": ...}`` as ``json.dumps``
    writes it compact, the signatures (Base64) written directly: Base64 needs no escaping,
    and fifty signatures of 344 characters cost the encoder more than the rest of the
    answer."""
    listed = '","'.join(signatures).encode()
    parts = [b'{"signatures":["', listed, b'"]'] if signatures else [b'{"signatures":[]']
    if receipt_id is not None:
        parts += [b',"receiptID":', json.dumps(receipt_id).encode()]
    return b"".join(parts) + b"}"


@router.post("/signatures/signPolling")
def sign_polling(body: SignPollingIn, caller: SigningCallerDep,
                 container: ContainerDep) -> dict[str, Any]:
    """The state of an asynchronous ``signHash``: 200 with ``signatures`` once signed, 200
    with ``status: pending`` while the customer has not decided, 400 once it ended otherwise
    (rejected, failed, expired); an unknown or another customer's ``responseID`` is 400."""
    item = container.csc_async.poll(caller.account_id, body.response_id)
    if item.status is ResponseStatus.SIGNED and item.signatures:
        answer = {"signatures": item.signatures.split("\n"), "status": item.status.value}
        receipt_id = receipt_id_for(ReceiptKind.SIGN_HASH, item.id)
        try:  # a vendor extra: the receipt queued when it was signed (none if redelivered)
            container.receipts.job(caller.account_id, receipt_id)
            answer["receiptID"] = receipt_id
        except NotFound:
            pass
        return answer
    if item.status is ResponseStatus.PENDING:
        return {"status": item.status.value, "expiresAt": item.expires_at.isoformat()}
    raise ResponseEnded(status=item.status.value)


class ResponseEnded(InvalidInput):
    code = "invalid_request"
    vi = "Yêu cầu ký không thành công (trạng thái: {status})."
    en = "The signing request did not succeed (status: {status})."


def _accepted(item: AsyncResponse, request: Request) -> dict[str, Any]:
    left = max(1, int((item.expires_at - item.created_at).total_seconds()))
    base = str(request.base_url).rstrip("/")
    return {"responseID": item.id, "validity_period": left,
            "response_uri": f"{base}/csc/v2/signatures/signPolling"}


@router.post("/signatures/timestamp")
def timestamp(body: TimestampIn, caller: CscCallerDep, container: ContainerDep,
              ) -> dict[str, str]:
    [digest] = decode_hashes([body.hash], "hash")
    algorithm = hash_for(body.hash_algo, [digest], "hashAlgo")
    check_lengths([digest], algorithm)
    nonce = _nonce(body.nonce)
    token = time_stamp_token(container.pki_publisher, algorithm, digest, nonce)
    return {"timestamp": base64.b64encode(token).decode()}


class TimestampRefused(InvalidInput):
    code = "invalid_request"
    vi = "Đơn vị cấp dấu thời gian từ chối yêu cầu: {reason}."
    en = "The time-stamping authority refused the request: {reason}."


def time_stamp_token(publisher: PkiPublisher, algorithm: HashAlgorithm, digest: bytes,
                     nonce: int | None) -> bytes:
    """Ask kyso's TSA (the same one ``/pki/tsa`` serves) for a token over ``digest``."""
    request = tsp.TimeStampReq({
        "version": "v1",
        "message_imprint": {"hash_algorithm": {"algorithm": algorithm.value},
                            "hashed_message": digest},
        "nonce": nonce,
        "cert_req": True,
    }).dump()
    response = tsp.TimeStampResp.load(publisher.timestamp(request))
    status = response["status"]
    if status["status"].native not in ("granted", "granted_with_mods"):
        reason = "; ".join(status["status_string"].native or ["rejected"])
        raise TimestampRefused(reason=reason)
    token: bytes = response["time_stamp_token"].dump()
    return token


def _nonce(text: str | None) -> int | None:
    if text is None:
        return None
    if not _HEX.fullmatch(text):
        raise InvalidParameter("nonce", "a hex-encoded number expected", "cần một số dạng hex")
    return int(text, 16)
