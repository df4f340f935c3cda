"""The SP769 wire vocabulary (as Vietnamese CAs expose it): the ``message`` of each state,
and the ``data`` objects of certificates, sign requests and webhook calls.

The HTTP envelope (``status_code``, ``message``, ``data``) is added by the entry point; the
webhook body is built here because the worker sends it.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from kyso.pki.certificates import describe
from kyso.relying.model import RelyingParty, RequestStatus, SignRequest
from kyso.signing.model import Credential
from kyso.signing.receipt_jobs import ReceiptKind, receipt_id_for

__all__ = ["SUCCESS", "WAITING", "certificate_view", "message_for", "request_view",
           "webhook_body"]

SUCCESS = "SUCCESS"
WAITING = "sig_wait_for_user_confirm"
_MESSAGES = {
    RequestStatus.SIGNED: SUCCESS,
    RequestStatus.REJECTED: "sig_rejected_by_user",
    RequestStatus.EXPIRED: "sig_expired",
    RequestStatus.FAILED: "sig_failed",
}


def _b64(der: bytes) -> str:
    return base64.b64encode(der).decode("ascii")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def message_for(request: SignRequest) -> str:
    return _MESSAGES.get(request.status, WAITING)


def _signatures(request: SignRequest) -> list[dict[str, Any]]:
    if request.status is not RequestStatus.SIGNED:
        return []
    return [{"doc_id": f.doc_id, "signature_value": _b64(f.signature or b""),
             "timestamp_signature": None} for f in request.files]


def request_view(request: SignRequest) -> dict[str, Any]:
    """``data`` of the status call: ``signatures[]`` (base64 CMS) once signed; ``error``
    names why a failed request failed (e.g. ``out_of_signatures``), else null; a signed
    request also names its signing receipt (``receipt_id``, a kyso extra: the party fetches
    it with ``GET /api/v1/rp/receipts/{id}``)."""
    view = {
        "transaction_id": request.transaction_id,
        "tran_code": request.id,
        "status": request.status.public,
        "expires_at": _iso(request.expires_at),
        "signatures": _signatures(request),
        "error": _error(request),
    }
    if request.status is RequestStatus.SIGNED:
        view["receipt_id"] = receipt_id_for(ReceiptKind.SP769, request.id)
    return view


def _error(request: SignRequest) -> str | None:
    return request.error if request.status is RequestStatus.FAILED else None


def webhook_body(party: RelyingParty, request: SignRequest) -> dict[str, Any]:
    """What the relying party's webhook receives when a request ends (any final state)."""
    return {
        "sp_id": party.sp_id,
        "status_code": 200,
        "message": message_for(request),
        "transaction_id": request.transaction_id,
        "tran_code": request.id,
        "status": request.status.public,
        "signed_files": _signatures(request),
        "error": _error(request),
    }


def certificate_view(credential: Credential, now: datetime,
                     transaction_id: str | None) -> dict[str, Any]:
    """One ``user_certificates[]`` item: the certificate, its status and its chain."""
    info = describe(credential.chain[0])
    issuers = credential.chain[1:]
    return {
        "cert_id": credential.id,
        "serial_number": f"{credential.certificate.serial:x}",
        "cert_subject": info.subject,
        "cert_status": credential.status_at(now).value,
        "cert_valid_from": _iso(credential.certificate.not_before),
        "cert_valid_to": _iso(credential.certificate.not_after),
        "key_algorithm": credential.key.algorithm.value,
        "cert_data": _b64(credential.chain[0]),
        "chain_data": {
            "ca_cert": _b64(issuers[0]) if issuers else None,
            "root_cert": _b64(issuers[-1]) if len(issuers) > 1 else None,
        },
        "chain": [_b64(der) for der in credential.chain],
        "transaction_id": transaction_id,
    }
