"""Request bodies of the SP769 API, as relying parties send them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from kyso.entrypoints.api.schemas import Strict
from kyso.relying.orders import FileOrder

__all__ = ["CertificateIn", "SignFileIn", "SignIn", "StatusIn", "openapi_body"]


class StatusIn(Strict):
    sp_id: str = Field(max_length=64)
    sp_password: str = Field(max_length=256)


class CertificateIn(StatusIn):
    user_id: str = Field(min_length=1, max_length=32,
                         description="Số CCCD/CMND/hộ chiếu của thuê bao / the ID number")
    serial_number: str | None = Field(default=None, max_length=64)
    transaction_id: str | None = Field(default=None, max_length=64)


class SignFileIn(Strict):
    data_to_be_signed: str = Field(max_length=128, description="SHA-256 digest, hex")
    doc_id: str = Field(max_length=128)
    file_type: str = Field(max_length=16)
    sign_type: str = Field(max_length=16, description="'hash'")

    def order(self) -> FileOrder:
        return FileOrder(self.doc_id, self.file_type, self.data_to_be_signed, self.sign_type)


class SignIn(StatusIn):
    user_id: str = Field(min_length=1, max_length=32)
    transaction_id: str = Field(max_length=64)
    transaction_desc: str = Field(default="", max_length=500)
    serial_number: str | None = Field(default=None, max_length=64)
    time_stamp: str | None = Field(default=None, max_length=20, description="yyyyMMddHHmmss[Z]")
    sign_files: list[SignFileIn] = Field(max_length=100)


def openapi_body(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema (nested definitions inlined) as an OpenAPI request body."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": _inline(schema, defs)}}}}


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {key: _inline(value, defs) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    return node
