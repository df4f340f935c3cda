"""``signatures/signHash`` (raw signatures over authorized hashes, in batches) and
``signatures/timestamp`` (an RFC 3161 token from kyso's own TSA).

Signatures come back as CMS wants them: RSA (PKCS#1 v1.5 or PSS) as the modulus-length
integer, ECDSA as a DER ``Ecdsa-Sig-Value``.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from asn1crypto import tsp
from fastapi import APIRouter

from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller
from kyso.entrypoints.csc.errors import CscRoute, InvalidParameter
from kyso.entrypoints.csc.params import check_lengths, decode_hashes, hash_for, scheme_for
from kyso.entrypoints.csc.schemas import SignHashIn, TimestampIn
from kyso.errors import InvalidInput
from kyso.keys.model import HashAlgorithm
from kyso.pki.publishing import PkiPublisher

__all__ = ["router", "time_stamp_token"]

router = APIRouter(route_class=CscRoute)
_HEX = re.compile(r"[0-9a-fA-F]{1,64}")


@router.post("/signatures/signHash")
def sign_hash(body: SignHashIn, caller: CurrentCaller, container: ContainerDep,
              ) -> dict[str, Any]:
    digests = decode_hashes(body.hashes)
    scheme = scheme_for(body.sign_algo, body.hash_algo, body.sign_algo_params)
    check_lengths(digests, scheme.hash_algorithm)
    signatures = container.signing.sign_digests(caller.account.id, body.credential_id,
                                                body.sad, digests, scheme)
    return {"signatures": [base64.b64encode(s).decode() for s in signatures]}


@router.post("/signatures/timestamp")
def timestamp(body: TimestampIn, caller: CurrentCaller, container: ContainerDep,
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
