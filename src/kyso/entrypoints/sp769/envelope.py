"""The SP769 envelope: ``{"status_code", "message", "data"}`` on success; on failure the
project's ``{"error", "error_description"}`` with a 4xx, plus ``status_code`` (the HTTP
status), ``message`` (an SP769-style constant such as ``SP_CREDENTIAL_INVALID``) and
``data: null`` — so SP769 clients and kyso clients both read it."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from kyso.entrypoints.api.errors import desk_of, language, status_of
from kyso.errors import InvalidInput, KysoError

__all__ = ["ok", "parse", "refused"]

M = TypeVar("M", bound=BaseModel)

_MESSAGES = {
    "invalid_client": "SP_CREDENTIAL_INVALID",
    "invalid_request": "BAD_REQUEST",
    "credential_unusable": "CREDENTIAL_STATUS_INVALID",
    "locked": "SP_CREDENTIAL_LOCKED",
    "too_many_requests": "SP_CREDENTIAL_LOCKED",  # this address waits (Retry-After)
}


def ok(message: str, data: Any) -> JSONResponse:
    return JSONResponse({"status_code": 200, "message": message, "data": data})


def refused(request: Request, exc: KysoError) -> JSONResponse:
    status = status_of(exc)
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    described = exc.describe(language(request), desk_of(request))
    body = {"error": exc.code, "error_description": described,
            "status_code": status, "message": _MESSAGES.get(exc.code, exc.code.upper()),
            "data": None}
    return JSONResponse(body, status, headers)


def parse(model: type[M], raw: bytes) -> M:
    """The body as ``model``; every problem is an InvalidInput naming the fields."""
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        parts = []
        for err in exc.errors()[:5]:
            where = ".".join(str(p) for p in err.get("loc", ()))
            parts.append(f"{where or 'body'}: {err.get('msg', 'invalid')}")
        raise InvalidInput("; ".join(parts)) from None
