"""The OpenAPI document tells the truth about errors: every refusal is a
``{"error", "error_description"}`` body (with ``attempts_remaining`` where a wrong secret has a
hard limit), and the statuses listed are the ones kyso answers — 400 for malformed input
(never FastAPI's 422), 401 where a session is needed, 404 where a path names something, 413
where a body is sent, 415 and 503 on the document paths, 429 where secrets are guessed.

Routes may declare more (``responses=``); what they declare is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

__all__ = ["ERROR_SCHEMA", "document_errors"]

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["error", "error_description"],
    "properties": {
        "error": {"type": "string", "description": "a stable code, e.g. invalid_request"},
        "error_description": {"type": "string",
                              "description": "Vietnamese, or English with Accept-Language: en"},
        "attempts_remaining": {"type": "integer", "minimum": 0,
                               "description": "wrong OTP or account PIN: tries left"},
    },
}
_WHY = {"400": "Dữ liệu không hợp lệ / invalid input", "401": "Chưa xác thực / not authenticated",
        "403": "Không có quyền / not allowed", "404": "Không tìm thấy / not found",
        "409": "Không phù hợp với trạng thái hiện tại / conflicts with the current state",
        "410": "Đã hết hạn hoặc đã dùng / expired or used",
        "413": "Dữ liệu quá lớn / body too large",
        "423": "Đã bị khóa / locked (OTP, PIN, method)",
        "415": "Sai kiểu dữ liệu / unsupported media type",
        "429": "Quá nhiều lần thử / too many attempts (Retry-After)",
        "503": "Tạm thời không phục vụ / temporarily unavailable (Retry-After)"}
_GUESSED = ("/auth/login", "/sca/sp769/", "/smartotp/verify", "/transactions/")
# what an area's services refuse besides the statuses every operation can meet
_AREAS = (("/api/v1/ra/", "403 409"), ("/api/v1/support/", "403 409"),
          ("/api/v1/onboarding/", "404 409"), ("/api/v1/billing/", "404 409"),
          ("/api/v1/smartotp/", "403 409 410 423"), ("/api/v1/transactions/", "409 410 423"),
          ("/api/v1/me/otp-method", "409 423"), ("/api/v1/consents/", "423"),
          ("/api/v1/documents/batch", "404"),  # a draft named in the body
          ("/api/v1/documents", "409"), ("/api/v1/otp/send", "429"),
          ("/csc/v2/auth/login", "401"), ("/api/v1/auth/login", "401"),
          ("/pki/ocsp", "415"), ("/pki/tsa", "415"),
          ("/api/v1/recovery/identity", "404 409 410 413 415 429"),  # identity recovery
          ("/api/v1/ra/recoveries", "410"),
          ("/api/v1/multisign", "409 410"),  # several signers: turn, closed, expired
          ("/api/v1/rp/", "401 429"))  # a relying party's HTTP Basic (throttled)
_DOCUMENTS = ("/api/v1/documents", "/api/v1/documents/drafts", "/api/v1/validate",
              "/api/v1/multisign",
              "/csc/v2/signatures/signDoc",
              "/api/v1/onboarding/registration/ekyc")


def document_errors(app: FastAPI) -> None:
    """Replace ``app.openapi`` with one that documents kyso's error answers."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
            for path, operations in schema.get("paths", {}).items():
                for method, operation in operations.items():
                    _statuses(path, method, operation)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override


def _statuses(path: str, method: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    responses.pop("422", None)
    wanted = []
    if operation.get("parameters") or "requestBody" in operation:
        wanted.append("400")
    if operation.get("security"):
        wanted.append("401")
    if "{" in path:
        wanted.append("404")
    upload = path in _DOCUMENTS and method == "post"
    if "requestBody" in operation or upload:
        wanted.append("413")
    if upload:
        wanted += ["415", "503"]
    if any(part in path for part in _GUESSED):
        wanted.append("429")
    wanted += [status for prefix, statuses in _AREAS if path.startswith(prefix)
               for status in statuses.split()]
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for status in sorted(set(wanted)):
        entry = responses.setdefault(status, {"description": _WHY[status]})
        entry.setdefault("content", error)
