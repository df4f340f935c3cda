"""``/sca/sp769/v1``: the confirm-in-app signing API for relying parties (see docs/SP769.md).

Each handler parses the body, calls one service in the thread pool (argon2 and the database
block), and answers in the SP769 envelope; errors keep the project's shape (envelope.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from kyso.bootstrap import Container
from kyso.entrypoints.api.deps import client_ip
from kyso.entrypoints.sp769.envelope import ok, parse, refused
from kyso.entrypoints.sp769.schemas import CertificateIn, SignIn, StatusIn, openapi_body
from kyso.errors import KysoError
from kyso.relying import sp769
from kyso.relying.orders import SignOrder, parse_files

__all__ = ["router"]

router = APIRouter(prefix="/sca/sp769/v1", tags=["sp769"])


def _container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


Work = Callable[[Container, bytes, str | None], JSONResponse]


async def _answer(request: Request, work: Work) -> JSONResponse:
    raw = await request.body()
    try:
        return await run_in_threadpool(work, _container(request), raw, client_ip(request))
    except KysoError as exc:
        return refused(request, exc)


def _certificates(container: Container, raw: bytes, address: str | None) -> JSONResponse:
    body = parse(CertificateIn, raw)
    found = container.sp769.certificates(body.sp_id, body.sp_password, body.user_id,
                                         body.serial_number, address=address)
    views = [sp769.certificate_view(c, found.at, body.transaction_id)
             for c in found.credentials]
    return ok(sp769.SUCCESS, {"user_certificates": views})


def _sign(container: Container, raw: bytes, address: str | None) -> JSONResponse:
    body = parse(SignIn, raw)
    files = parse_files([f.order() for f in body.sign_files],
                        container.settings.sp769_max_files)
    order = SignOrder(body.user_id, body.transaction_id, body.transaction_desc.strip(), files,
                      body.serial_number)
    request = container.sp769.sign(body.sp_id, body.sp_password, order, address=address)
    return ok(sp769.WAITING, {"transaction_id": request.transaction_id, "tran_code": request.id,
                              "expires_at": sp769.request_view(request)["expires_at"]})


def _status(ref: str) -> Work:
    def work(container: Container, raw: bytes, address: str | None) -> JSONResponse:
        body = parse(StatusIn, raw)
        request = container.sp769.status(body.sp_id, body.sp_password, ref, address=address)
        return ok(sp769.message_for(request), sp769.request_view(request))

    return work


_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "invalid_request"}, 401: {"description": "invalid_client"},
    404: {"description": "user_not_found, credential_not_found, transaction_not_found"},
    409: {"description": "duplicate_transaction, credential_unusable"},
    429: {"description": "too_many_requests (Retry-After)"},
}


@router.post("/credentials/get_certificate", openapi_extra=openapi_body(CertificateIn),
             responses=_RESPONSES)
async def get_certificate(request: Request) -> JSONResponse:
    """Chứng thư số của thuê bao (theo user_id = số CCCD) / the subscriber's certificates."""
    return await _answer(request, _certificates)


@router.post("/signatures/sign", openapi_extra=openapi_body(SignIn), responses=_RESPONSES)
async def sign(request: Request) -> JSONResponse:
    """Yêu cầu ký số, thuê bao xác nhận trên ứng dụng / ask for signatures over digests."""
    return await _answer(request, _sign)


@router.post("/signatures/sign/{tran_id}/status", openapi_extra=openapi_body(StatusIn),
             responses=_RESPONSES)
async def status(tran_id: str, request: Request) -> JSONResponse:
    """Trạng thái giao dịch (transaction_id hoặc tran_code) / the request's state."""
    return await _answer(request, _status(tran_id))
