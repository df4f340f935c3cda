"""``kyso app sign FILE``: sign a file on the server with this device's SmartOTP.

Upload (``POST /documents``: a PDF is signed inside itself at the chosen PAdES level, with an
optional visible stamp; with ``--cades`` any file gets a detached ``.p7s``; with ``--xades`` an
XML document is signed inside itself, XAdES B-B/B-T/B-LT), then confirm the
``sign_document`` transaction like any other — its details (file name, SHA-256, size, level,
certificate) are shown, the question is checked against them and the OCRA code is filled in
(:func:`kyso.app.transactions.confirm`) — and the server signs; last, download the output.
The SHA-256 shown is checked against the file read here, so the server signs this file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from kyso.app import transactions
from kyso.app.context import AppContext
from kyso.app.errors import AppError
from kyso.app.i18n import Msg

__all__ = ["Level", "SignRequest", "sign_file"]

READ_FAILED = Msg("Không đọc được tệp {path}: {reason}", "Cannot read the file {path}: {reason}")
WRITE_FAILED = Msg("Không ghi được tệp {path}: {reason}", "Cannot write the file {path}: {reason}")
SAME_FILE = Msg("Tệp kết quả trùng với tệp gốc: hãy chọn -o khác.",
                "The output would overwrite the original: choose another -o.")
HASH_MISMATCH = Msg("Máy chủ nhận được một tệp khác với tệp của Quý khách (SHA-256 không khớp); "
                    "không ký.", "The server received another file (SHA-256 differs); "
                    "nothing was signed.")
UPLOADED = Msg("Đã tải lên {name} ({size} byte, SHA-256 {sha256}); vui lòng xác nhận.",
               "Uploaded {name} ({size} bytes, SHA-256 {sha256}); please confirm.")
SIGNED = Msg("Đã ký số và lưu vào {path}", "Signed and saved to {path}")


class Level(StrEnum):
    """PAdES baseline levels (CAdES: B-B and B-T)."""

    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"


@dataclass(frozen=True)
class SignRequest:
    path: Path
    level: Level = Level.B_B
    visible: bool = False
    cades: bool = False
    reason: str | None = None
    location: str | None = None
    out: Path | None = None
    xades: bool = False

    def target(self) -> Path:
        if self.out is not None:
            return self.out
        if self.cades:
            return self.path.with_name(self.path.name + ".p7s")
        if self.xades:
            return self.path.with_name(f"{self.path.stem}-signed.xml")
        return self.path.with_name(f"{self.path.stem}-signed.pdf")

    @property
    def format(self) -> str:
        return "cades" if self.cades else "xades" if self.xades else "pades"

    def params(self) -> dict[str, str]:
        params = {"format": self.format, "level": self.level.value,
                  "visible": "true" if self.visible else "false", "name": self.path.name}
        params |= {k: v for k, v in (("reason", self.reason), ("location", self.location)) if v}
        return params


def sign_file(ctx: AppContext, request: SignRequest, otp: str | None = None) -> Path:
    target = request.target()
    if target.resolve() == request.path.resolve():
        raise AppError(SAME_FILE)
    data = _read(request.path)
    with ctx.client() as api:
        document = api.upload_document(request.path.name, data, request.params())
    if document.get("sha256") != hashlib.sha256(data).hexdigest():
        raise AppError(HASH_MISMATCH)
    ctx.ui.say(UPLOADED, name=document.get("file_name"), size=len(data),
               sha256=document.get("sha256"))
    transactions.confirm(ctx, str(document["transaction"]["id"]), otp)
    with ctx.client() as api:
        signed = api.download_document(str(document["id"]))
    _write(target, signed)
    ctx.ui.result(SIGNED, path=target)
    return target


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise AppError(READ_FAILED, path=path, reason=exc.strerror or type(exc).__name__) from None


def _write(path: Path, data: bytes) -> None:
    """Atomically: a temporary file next to the target, then a rename."""
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent or Path("."), prefix=f".{path.name}.")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError as exc:
        raise AppError(WRITE_FAILED, path=path, reason=exc.strerror or type(exc).__name__) from None
