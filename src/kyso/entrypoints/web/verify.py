"""The public verification page ``/v/<id>``: what a visible stamp's QR code and short link
open, for anyone, without an account (``docs/DOCUMENTS.md``, "Verification by anyone").

Server-rendered (no session, no script needed to read the verdict), Vietnamese first
(``?lang=en`` for English), phone-first. It shows what a verifier is asked to show — the
signer as in the certificate, the issuer, the signing time and the time stamp's, the level,
the certificate's status at signing time and now, integrity — and a verdict in plain words.
The check of a copy runs in the browser (``static/js/verify.js``: SHA-256 by WebCrypto, no
byte leaves the device). No ID number, e-mail, phone or file name is shown; the receipt's
SHA-256 is, the receipt itself is the signer's (``GET /api/v1/receipts/{id}``).

Requests are rate-limited per address (in the node's memory); an id that is not one — or
an address over its budget — gets a friendly page, never a trace.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections import deque
from datetime import datetime
from pathlib import Path
from threading import Lock

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from kyso.entrypoints.api.deps import ContainerDep
from kyso.entrypoints.web.site import SECURITY_HEADERS
from kyso.errors import NotFound
from kyso.pki.model import CertificateStatus
from kyso.signing.multisign import SharedDocument
from kyso.signing.multisign_model import EnvelopeStatus, SignerStatus
from kyso.signing.receipts import PublicView
from kyso.signing.stamp import local_time

__all__ = ["Budget", "router"]

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)
_HEADERS = SECURITY_HEADERS | {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


class Budget:
    """At most ``limit`` pages per address per ``window`` seconds (sliding window)."""

    def __init__(self, limit: int = 60, window: float = 60.0, addresses: int = 10_000) -> None:
        self.limit, self.window, self._addresses = limit, window, addresses
        self._seen: dict[str, deque[float]] = {}
        self._lock = Lock()

    def spend(self, address: str) -> bool:
        now = time.monotonic()
        with self._lock:
            if len(self._seen) >= self._addresses and address not in self._seen:
                self._seen.clear()  # a flood of addresses: start over rather than grow
            hits = self._seen.setdefault(address, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True


BUDGET = Budget()
UPLOADS = Budget(limit=5)  # full validations of an uploaded copy: the sandbox's time is dear
log = logging.getLogger(__name__)

_WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Xác minh chữ ký số", "lang": "English", "lang_code": "en",
        "details": "Thông tin chữ ký",
        "signer": "Người ký", "issuer": "Tổ chức cấp chứng thư số",
        "signed_at": "Thời gian ký", "timestamp": "Dấu thời gian",
        "no_timestamp": "Không có (chữ ký không được gắn dấu thời gian)",
        "level": "Mức chữ ký (PAdES/CAdES)", "at_signing": "Chứng thư số tại thời điểm ký",
        "now": "Chứng thư số hiện nay", "integrity": "Tính toàn vẹn",
        "integrity_text": "Tệp đã ký có mã băm SHA-256 bên dưới; bất kỳ thay đổi nào, dù một "
                          "byte, cũng làm mã băm khác đi. Hãy kiểm tra bản Quý khách đang giữ.",
        "good": "Còn hiệu lực", "valid_then": "Có hiệu lực",
        "bad_at_signing": "Đã bị thu hồi trước khi ký",
        "revoked": "Đã bị thu hồi từ {at}", "suspended": "Bị tạm dừng từ {at}",
        "expired": "Đã hết hạn", "receipt": "Biên nhận ký số (mã SHA-256)",
        "receipt_hint": "Người ký tải biên nhận trong Lịch sử của ứng dụng kyso.",
        "check": "Kiểm tra bản sao tài liệu",
        "check_hint": "Chọn tệp đã ký Quý khách đang giữ (tệp PDF, hoặc tệp .p7s với chữ ký rời). "
                      "Mã băm được tính ngay trên thiết bị của Quý khách; tệp không được gửi đi.",
        "pick": "Chọn tệp", "none": "Chưa chọn tệp",
        "matches": "Khớp: tệp này đúng là tệp đã được ký.",
        "differs": "Không khớp: tệp này không phải tệp đã được ký (đã bị thay đổi hoặc là "
                   "tệp khác).",
        "computing": "Đang tính mã băm…",
        "full": "Kiểm tra đầy đủ trên máy chủ (tải tệp lên)",
        "full_hint": "Tùy chọn: gửi tệp lên để kiểm tra toàn bộ chữ ký (chuỗi chứng thư, "
                     "dấu thời gian, thu hồi). Tệp chỉ được dùng để kiểm tra, không được lưu.",
        "full_valid": "Máy chủ kiểm tra: tệp khớp và chữ ký hợp lệ (số chữ ký: {n}).",
        "full_invalid": "Máy chủ kiểm tra: có chữ ký không hợp lệ trong tệp này.",
        "full_other": "Máy chủ kiểm tra: đây không phải tệp đã được ký.",
        "full_failed": "Không kiểm tra được tệp này (không phải PDF hợp lệ, quá lớn, hoặc "
                       "Quý khách đã gửi quá nhiều lần; thử lại sau một phút).",
        "no_crypto": "Trình duyệt này không tính được mã băm (cần kết nối HTTPS).",
        "v_valid": "Chữ ký hợp lệ",
        "v_valid_text": "Tài liệu được ký số bởi {signer} bằng chứng thư số do {issuer} cấp. "
                        "Chứng thư số còn hiệu lực.",
        "v_later": "Chữ ký hợp lệ",
        "v_later_text": "Tài liệu được ký số bởi {signer} bằng chứng thư số do {issuer} cấp, "
                        "khi chứng thư số còn hiệu lực. Chứng thư số {change} sau thời điểm "
                        "ký; dấu thời gian chứng minh chữ ký có trước đó, nên chữ ký vẫn "
                        "có giá trị.",
        "v_no_proof": "Chưa đủ căn cứ",
        "v_no_proof_text": "Chứng thư số của {signer} {change}, và chữ ký không có dấu thời "
                           "gian để chứng minh nó được tạo trước đó.",
        "v_invalid": "Chữ ký không hợp lệ",
        "v_invalid_text": "Chứng thư số của {signer} đã bị thu hồi trước thời điểm ký.",
        "changed_revoked": "đã bị thu hồi ngày {at}", "changed_suspended":
            "bị tạm dừng từ ngày {at}", "changed_expired": "đã hết hạn",
        "missing": "Không tìm thấy chữ ký",
        "missing_text": "Mã xác minh này không đúng hoặc không tồn tại. Hãy kiểm tra lại "
                        "đường dẫn in dưới con dấu chữ ký (12 ký tự sau /v/).",
        "busy": "Quý khách mở trang quá nhiều lần",
        "busy_text": "Vui lòng thử lại sau một phút.",
        "by": "Trang xác minh của kyso — dịch vụ ký số từ xa.",
        "level_B-B": "B-B: chữ ký cơ bản", "level_B-T": "B-T: có dấu thời gian",
        "level_B-LT": "B-LT: có dấu thời gian và dữ liệu kiểm tra thu hồi (lưu lâu dài)",
        "level_B-LTA": "B-LTA: như B-LT, thêm dấu thời gian lưu trữ",
        # -- multisign: a document with several signers
        "m_title": "Các chữ ký của tài liệu",
        "m_intro": "Tài liệu này cần {total} chữ ký; trang này nói về chữ ký thứ {n} "
                   "(của {signer}).",
        "m_done": "Tài liệu đã được ký đủ {total}/{total} chữ ký, tất cả đều hợp lệ.",
        "m_open": "Tài liệu mới có {signed}/{total} chữ ký; còn chờ {left} người ký.",
        "m_declined": "Một người ký đã từ chối ký; tài liệu chỉ có {signed}/{total} chữ ký "
                      "và sẽ không được ký đủ.",
        "m_cancelled": "Người gửi đã hủy yêu cầu ký; tài liệu chỉ có {signed}/{total} chữ "
                       "ký.",
        "m_expired": "Yêu cầu ký đã hết hạn; tài liệu chỉ có {signed}/{total} chữ ký.",
        "m_bad": "Có chữ ký không hợp lệ hoặc chưa đủ căn cứ trong tài liệu này; hãy xem "
                 "từng chữ ký bên dưới.",
        "m_this": "chữ ký đang xem", "m_open_link": "Xem chữ ký này",
        "m_waiting": "Chưa ký", "m_refused": "Đã từ chối ký",
        "m_signer_n": "Người ký thứ {n}",
        "m_matches": "Khớp: tệp này là tài liệu đã ký và có chữ ký này.",
    },
    "en": {
        "title": "Signature verification", "lang": "Tiếng Việt", "lang_code": "vi",
        "details": "Signature details",
        "signer": "Signer", "issuer": "Certificate issuer",
        "signed_at": "Signing time", "timestamp": "Time stamp",
        "no_timestamp": "None (the signature carries no time stamp)",
        "level": "Signature level (PAdES/CAdES)", "at_signing": "Certificate at signing time",
        "now": "Certificate now", "integrity": "Integrity",
        "integrity_text": "The signed file has the SHA-256 hash below; any change, even one "
                          "byte, changes it. Check the copy you hold.",
        "good": "Valid", "valid_then": "Valid", "bad_at_signing": "Revoked before signing",
        "revoked": "Revoked since {at}", "suspended": "Suspended since {at}",
        "expired": "Expired", "receipt": "Signing receipt (SHA-256)",
        "receipt_hint": "The signer downloads the receipt from History in the kyso app.",
        "check": "Check a copy of the document",
        "check_hint": "Pick the signed file you hold (the PDF, or the .p7s of a detached "
                      "signature). Its hash is computed on your device; the file is not sent "
                      "anywhere.",
        "pick": "Choose a file", "none": "No file chosen",
        "matches": "Matches: this is the file that was signed.",
        "differs": "Does not match: this is not the signed file (changed, or another file).",
        "computing": "Computing the hash…",
        "full": "Full check on the server (upload the file)",
        "full_hint": "Optional: send the file to check every signature (certificate chain, "
                     "time stamp, revocation). The file is used for the check only, not kept.",
        "full_valid": "Server check: the file matches and its signatures are valid ({n}).",
        "full_invalid": "Server check: a signature in this file is not valid.",
        "full_other": "Server check: this is not the signed file.",
        "full_failed": "This file could not be checked (not a valid PDF, too large, or too "
                       "many tries; try again in a minute).",
        "no_crypto": "This browser cannot compute the hash (HTTPS is needed).",
        "v_valid": "Valid signature",
        "v_valid_text": "The document was signed by {signer} with a certificate issued by "
                        "{issuer}. The certificate is valid.",
        "v_later": "Valid signature",
        "v_later_text": "The document was signed by {signer} with a certificate issued by "
                        "{issuer} while the certificate was valid. The certificate {change} "
                        "after the signing time; the time stamp proves the signature existed "
                        "before, so it stays valid.",
        "v_no_proof": "Cannot be confirmed",
        "v_no_proof_text": "The certificate of {signer} {change}, and the signature has no "
                           "time stamp proving it was made before.",
        "v_invalid": "Invalid signature",
        "v_invalid_text": "The certificate of {signer} was revoked before the signing time.",
        "changed_revoked": "was revoked on {at}", "changed_suspended": "was suspended on {at}",
        "changed_expired": "has expired",
        "missing": "Signature not found",
        "missing_text": "This verification code is wrong or does not exist. Check the link "
                        "printed under the signature stamp (12 characters after /v/).",
        "busy": "Too many requests",
        "busy_text": "Please try again in a minute.",
        "by": "kyso verification page — remote signing service.",
        "level_B-B": "B-B: basic signature", "level_B-T": "B-T: with a time stamp",
        "level_B-LT": "B-LT: time stamp and revocation data (long-term)",
        "level_B-LTA": "B-LTA: as B-LT, plus an archive time stamp",
        # -- multisign: a document with several signers
        "m_title": "The document's signatures",
        "m_intro": "This document needs {total} signatures; this page is about signature "
                   "{n} (by {signer}).",
        "m_done": "The document has all {total}/{total} signatures, every one valid.",
        "m_open": "The document has {signed}/{total} signatures so far; {left} signer(s) "
                  "still to sign.",
        "m_declined": "A signer declined to sign; the document has only {signed}/{total} "
                      "signatures and will not be completed.",
        "m_cancelled": "The sender cancelled the signing request; the document has only "
                       "{signed}/{total} signatures.",
        "m_expired": "The signing request expired; the document has only {signed}/{total} "
                     "signatures.",
        "m_bad": "A signature in this document is not valid or cannot be confirmed; see "
                 "each signature below.",
        "m_this": "the signature shown", "m_open_link": "See this signature",
        "m_waiting": "Not signed yet", "m_refused": "Declined to sign",
        "m_signer_n": "Signer {n}",
        "m_matches": "Matches: this is the signed document, and it holds this signature.",
    },
}


def _when(at: datetime | None) -> str:
    return local_time(at).strftime("%d/%m/%Y %H:%M:%S (GMT+7)") if at else ""


def _language(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else "vi"


def _verdict(view: PublicView, w: dict[str, str]) -> tuple[str, str, str]:
    """(css class, headline, sentence)"""
    r = view.record
    names = {"signer": r.signer_name, "issuer": r.issuer_name}
    change = {CertificateStatus.REVOKED: w["changed_revoked"],
              CertificateStatus.SUSPENDED: w["changed_suspended"],
              CertificateStatus.EXPIRED: w["changed_expired"]}.get(view.status_now, "")
    change = change.format(at=_when(view.revoked_at))
    verdict = view.verdict
    if verdict == "valid":
        return "ok", w["v_valid"], w["v_valid_text"].format(**names)
    if verdict == "valid_revoked_later":
        return "ok", w["v_later"], w["v_later_text"].format(change=change, **names)
    if verdict == "no_proof":
        return "warn", w["v_no_proof"], w["v_no_proof_text"].format(change=change, **names)
    return "error", w["v_invalid"], w["v_invalid_text"].format(**names)


def _status_now(view: PublicView, w: dict[str, str]) -> str:
    at = _when(view.revoked_at)
    return {CertificateStatus.ACTIVE: w["good"],
            CertificateStatus.REVOKED: w["revoked"].format(at=at),
            CertificateStatus.SUSPENDED: w["suspended"].format(at=at),
            CertificateStatus.EXPIRED: w["expired"]}[view.status_now]


def _page(request: Request, name: str, context: dict[str, object], status: int) -> Response:
    return templates.TemplateResponse(request, name, context, status_code=status,
                                      headers=_HEADERS)


@router.get("/v/{record_id:path}", response_class=HTMLResponse)
async def verification_page(record_id: str, request: Request,
                            container: ContainerDep) -> Response:
    lang = _language(request)
    w = _WORDS[lang]
    base: dict[str, object] = {"w": w, "lang": lang, "path": request.url.path}
    address = request.client.host if request.client else "-"
    if not BUDGET.spend(address):
        log.warning("public verification page: %s over its budget", address)
        return _page(request, "verify_missing.html",
                     base | {"headline": w["busy"], "text": w["busy_text"]}, 429)
    try:
        view = await run_in_threadpool(container.receipts.view, record_id[:64])
    except NotFound:
        return _page(request, "verify_missing.html",
                     base | {"headline": w["missing"], "text": w["missing_text"]}, 404)
    r = view.record
    tone, headline, sentence = _verdict(view, w)
    shared = await run_in_threadpool(container.multisign.shared, r.id)
    many = await run_in_threadpool(_several, container, shared, r.id, w) if shared else None
    return _page(request, "verify.html", base | {
        "many": many,
        "versions": " ".join(sorted(shared.versions())) if shared else r.signed_sha256,
        "tone": tone, "headline": headline, "sentence": sentence, "record": r,
        "signed_at": _when(r.signed_at), "timestamp_at": _when(r.timestamp_at),
        "level": w.get(f"level_{r.level}", r.level),
        "at_signing": w["valid_then"] if view.valid_at_signing else w["bad_at_signing"],
        "now": _status_now(view, w), "now_ok": view.status_now is CertificateStatus.ACTIVE,
    }, 200)


@router.post("/v/{record_id}/check", include_in_schema=False)
async def check_copy(record_id: str, request: Request, container: ContainerDep) -> Response:
    """A copy uploaded for the full check (PDF and XML records): whether it is the signed
    output (constant-time comparison of the SHA-256), then kyso's validator in the sandbox.
    The body is bounded by ``KYSO_MAX_BODY_BYTES``; at most 5 a minute per address."""
    address = request.client.host if request.client else "-"
    if not UPLOADS.spend(address):
        log.warning("public check of %s: over the budget of %s", record_id[:16], address)
        return _refusal(429, "too_many_requests", "Quý khách đã gửi quá nhiều lần; thử lại sau "
                        "một phút (too many requests).")
    try:
        view = await run_in_threadpool(container.receipts.view, record_id[:64])
    except NotFound:
        return _refusal(404, "not_found", "Không tìm thấy chữ ký (not found).")
    data = await request.body()
    digest = hashlib.sha256(data).hexdigest()
    shared = await run_in_threadpool(container.multisign.shared, view.record.id)
    versions = shared.versions() if shared else {view.record.signed_sha256}
    matches = any([hmac.compare_digest(digest, v) for v in sorted(versions)])
    if not matches or view.record.format not in ("pades", "xades"):
        return JSONResponse({"matches": matches, "valid": None, "signatures": 0},
                            headers=_HEADERS)
    report = await run_in_threadpool(container.documents.validate, data)
    return JSONResponse({"matches": True, "valid": report.valid,
                         "signatures": len(report.signatures)}, headers=_HEADERS)


def _several(container: ContainerDep, shared: SharedDocument, record_id: str,
             w: dict[str, str]) -> dict[str, object]:
    """The other signatures of a several-signer document and the whole document's verdict:
    each signature as its own page would judge it (signer, time, level, status)."""
    rows: list[dict[str, object]] = []
    valid = True
    this = 0
    for position, status, record in shared.signatures:
        if record is None:
            state = w["m_refused"] if status is SignerStatus.DECLINED else w["m_waiting"]
            rows.append({"n": position, "name": w["m_signer_n"].format(n=position),
                         "state": state, "tone": "none"})
            continue
        view = container.receipts.view(record.id)
        tone, headline, _ = _verdict(view, w)
        valid = valid and tone == "ok"
        if record.id == record_id:
            this = position
        rows.append({"n": position, "name": record.signer_name, "state": headline,
                     "tone": tone, "at": _when(record.signed_at),
                     "level": w.get(f"level_{record.level}", record.level),
                     "link": None if record.id == record_id else f"/v/{record.id}",
                     "this": record.id == record_id})
    counts = {"total": shared.total, "signed": len(shared.signed),
              "left": shared.total - len(shared.signed)}
    if not valid:
        tone, summary = "error", w["m_bad"]
    elif shared.status is EnvelopeStatus.COMPLETED:
        tone, summary = "ok", w["m_done"].format(**counts)
    elif shared.declined:
        tone, summary = "warn", w["m_declined"].format(**counts)
    elif shared.status in (EnvelopeStatus.CANCELLED, EnvelopeStatus.EXPIRED):
        tone, summary = "warn", w[f"m_{shared.status.value}"].format(**counts)
    else:
        tone, summary = "warn", w["m_open"].format(**counts)
    me = next(r for _, _, r in shared.signatures if r is not None and r.id == record_id)
    return {"rows": rows, "tone": tone, "summary": summary,
            "intro": w["m_intro"].format(total=shared.total, n=this, signer=me.signer_name)}


def _refusal(status: int, error: str, description: str) -> Response:
    return JSONResponse({"error": error, "error_description": description}, status_code=status,
                        headers=_HEADERS)
