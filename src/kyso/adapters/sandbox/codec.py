"""kyso's values as plain wire data (:mod:`~kyso.adapters.sandbox.wire`), and back.

The parent decodes what a child says with the strict readers here: every field is checked
for its type (and range), and anything else raises :class:`WireError`, which becomes a
refused document. Nothing from a child is ever executed or unpickled.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from kyso.adapters.sandbox.wire import WireError
from kyso.signing.document import Level, SignOptions
from kyso.signing.pades import FieldPlan, PadesRequest, Prepared
from kyso.signing.pages import Layout, PageBox
from kyso.signing.pdf import PdfInfo
from kyso.signing.source import Source
from kyso.signing.validation import SignatureReport, TimestampReport, ValidationReport

__all__ = ["decode_info", "decode_int", "decode_layout", "decode_png", "decode_prepared",
           "decode_report", "decode_request", "decode_signed", "encode_info", "encode_layout",
           "encode_prepared", "encode_report", "encode_request", "encode_signed"]

T = TypeVar("T")
_MAX_ITEMS = 100_000  # pages, signatures: far beyond any real file


# -- checked readers -------------------------------------------------------------------------
def _int(value: Any, low: int = 0, high: int = 2**53) -> int:
    if type(value) is not int or not low <= value <= high:
        raise WireError("expected an integer in range")
    return value


def _float(value: Any) -> float:
    if type(value) not in (int, float) or not math.isfinite(value):
        raise WireError("expected a finite number")
    return float(value)


def _bool(value: Any) -> bool:
    if type(value) is not bool:
        raise WireError("expected a boolean")
    return value


def _str(value: Any, limit: int = 4096) -> str:
    if type(value) is not str or len(value) > limit:
        raise WireError("expected a short string")
    return value


def _bytes(value: Any) -> bytes:
    if type(value) is not bytes:
        raise WireError("expected bytes")
    return value


def _opt(read: Callable[[Any], T], value: Any) -> T | None:
    return None if value is None else read(value)


def _time(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(_str(value, 64))
    except ValueError as exc:
        raise WireError("expected an ISO time") from exc


def _box(value: Any) -> tuple[float, float, float, float]:
    if type(value) is not list or len(value) != 4:
        raise WireError("expected a box")
    x1, y1, x2, y2 = (_float(v) for v in value)
    return x1, y1, x2, y2


def _record(value: Any, keys: set[str]) -> dict[str, Any]:
    if type(value) is not dict or set(value) != keys:
        raise WireError(f"expected the fields {sorted(keys)}")
    return value


def _list(value: Any) -> list[Any]:
    if type(value) is not list or len(value) > _MAX_ITEMS:
        raise WireError("expected a list")
    return value


def _time_out(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# -- PdfInfo, int, Layout, PNG -----------------------------------------------------------
def encode_info(info: PdfInfo) -> dict[str, Any]:
    return {"pages": info.pages, "box": list(info.last_page_box),
            "signatures": info.signatures}


def decode_info(value: Any) -> PdfInfo:
    v = _record(value, {"pages", "box", "signatures"})
    return PdfInfo(_int(v["pages"], 1), _box(v["box"]), _int(v["signatures"]))


def decode_int(value: Any) -> int:
    return _int(value)


def decode_png(value: Any) -> bytes:
    png = _bytes(value)
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise WireError("expected a PNG")
    return png


def encode_layout(layout: Layout) -> dict[str, Any]:
    return {"pages": [[p.width, p.height, list(p.origin), p.rotation] for p in layout.pages],
            "page": layout.page, "box": list(layout.box), "covers_text": layout.covers_text}


def decode_layout(value: Any) -> Layout:
    v = _record(value, {"pages", "page", "box", "covers_text"})
    pages = []
    for item in _list(v["pages"]):
        if type(item) is not list or len(item) != 4 or type(item[2]) is not list \
                or len(item[2]) != 2:
            raise WireError("expected a page box")
        pages.append(PageBox(_float(item[0]), _float(item[1]),
                             (_float(item[2][0]), _float(item[2][1])),
                             _int(item[3], 0, 270)))
    page = _int(v["page"], 1, max(len(pages), 1))
    return Layout(pages, page, _box(v["box"]), _bool(v["covers_text"]))


# -- validation reports ------------------------------------------------------------------------
_SIGNATURE = {"field", "integrity", "trusted", "revocation", "valid", "signer", "subject",
              "serial", "signing_time", "timestamp", "timestamp_trusted", "revoked_at",
              "level", "coverage", "modifications", "entire_document", "trust_problem",
              "level_reason", "revocation_reason", "past_validation", "proven_at"}
_TIMES = {"signing_time", "timestamp", "revoked_at", "proven_at"}
_BOOLS = {"trusted", "valid", "entire_document"}
_STAMP = {"field", "time", "integrity", "trusted"}


def encode_report(report: ValidationReport) -> dict[str, Any]:
    def signature(s: SignatureReport) -> dict[str, Any]:
        out = {key: getattr(s, key) for key in _SIGNATURE}
        return out | {key: _time_out(out[key]) for key in _TIMES}

    return {"sha256": report.sha256,
            "signatures": [signature(s) for s in report.signatures],
            "timestamps": [{"field": t.field, "time": _time_out(t.time),
                            "integrity": t.integrity, "trusted": t.trusted}
                           for t in report.timestamps]}


def decode_report(value: Any) -> ValidationReport:
    v = _record(value, {"sha256", "signatures", "timestamps"})
    signatures = []
    for item in _list(v["signatures"]):
        s = _record(item, _SIGNATURE)
        fields: dict[str, Any] = {}
        for key in _SIGNATURE:
            if key in _TIMES:
                fields[key] = _opt(_time, s[key])
            elif key in _BOOLS:
                fields[key] = _bool(s[key])
            elif key == "timestamp_trusted":
                fields[key] = _opt(_bool, s[key])
            elif key in {"field", "integrity", "revocation"}:
                fields[key] = _str(s[key])
            else:
                fields[key] = _opt(_str, s[key])
        signatures.append(SignatureReport(**fields))
    stamps = [TimestampReport(_str(t["field"]), _opt(_time, t["time"]), _str(t["integrity"]),
                              _bool(t["trusted"]))
              for t in (_record(item, _STAMP) for item in _list(v["timestamps"]))]
    return ValidationReport(_str(v["sha256"], 64), tuple(signatures), tuple(stamps))


# -- signing: the request (parent → child) and the prepared document (child → parent) --------
def encode_request(request: PadesRequest) -> dict[str, Any]:
    o = request.options
    return {"field": request.field_name, "at": request.at.isoformat(),
            "signer": request.signer_name, "chain": list(request.chain),
            "reserve": request.reserve, "image": request.image,
            "certify": request.certify,
            "fields": [{"name": f.name, "page": f.page, "box": list(f.box)}
                       for f in request.fields],
            "verify": request.verify_url,
            "options": {"level": o.level.value, "visible": o.visible, "reason": o.reason,
                        "location": o.location, "page": o.page,
                        "box": list(o.box) if o.box is not None else None}}


def decode_request(pdf: Source, value: Any) -> PadesRequest:
    v = _record(value, {"field", "at", "signer", "chain", "reserve", "image", "options",
                        "certify", "fields", "verify"})
    o = _record(v["options"], {"level", "visible", "reason", "location", "page", "box"})
    try:
        options = SignOptions(level=Level(_str(o["level"])), visible=_bool(o["visible"]),
                              reason=_opt(_str, o["reason"]),
                              location=_opt(_str, o["location"]),
                              page=_opt(_int, o["page"]), box=_opt(_box, o["box"]))
    except ValueError as exc:
        raise WireError(str(exc)) from exc
    chain = tuple(_bytes(der) for der in _list(v["chain"]))
    if not chain:
        raise WireError("expected a certificate chain")
    fields = tuple(FieldPlan(_str(f["name"], 80), _int(f["page"], 1), _box(f["box"]))
                   for f in (_record(f, {"name", "page", "box"}) for f in _list(v["fields"])))
    return PadesRequest(pdf, _str(v["field"]), options, _time(v["at"]), _str(v["signer"]),
                        chain, _int(v["reserve"]), _opt(_bytes, v["image"]),
                        certify=_bool(v["certify"]), fields=fields,
                        verify_url=_opt(_str, v["verify"]))


def encode_prepared(prepared: Prepared) -> dict[str, Any]:
    return {"tail": prepared.tail, "start": prepared.start, "end": prepared.end}


def decode_prepared(value: Any) -> Prepared:
    v = _record(value, {"tail", "start", "end"})
    return Prepared(_bytes(v["tail"]), _int(v["start"]), _int(v["end"]))


def encode_signed(outcome: Prepared | bytes) -> dict[str, Any]:
    if isinstance(outcome, Prepared):
        return {"prepared": encode_prepared(outcome)}
    return {"extra": outcome}


def decode_signed(value: Any) -> Prepared | bytes:
    if type(value) is dict and set(value) == {"prepared"}:
        return decode_prepared(value["prepared"])
    return _bytes(_record(value, {"extra"})["extra"])
