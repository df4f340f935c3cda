"""The words for kyso's codes: transaction kinds, statuses and the like, in Vietnamese and
English, in one place. The API serves them (``GET /api/v1/vocabulary``) so that the web app
and ``kyso app`` show the same labels and never a raw code; the history uses them too.

A code with no entry here is shown by the clients as a neutral "other" word, never as code.
"""

from __future__ import annotations

from collections.abc import Mapping

from kyso.errors import Text
from kyso.onboarding.states import State

__all__ = ["VOCABULARY", "word"]

_T = Text

TRANSACTION_KINDS = {
    "contact_change": _T("Thay đổi thông tin liên hệ", "Change of contact details"),
    "smartotp_pin_change": _T("Đổi PIN SmartOTP", "SmartOTP PIN change"),
    "sign_document": _T("Ký tài liệu", "Document signature"),
    "sign_documents": _T("Ký nhiều tài liệu", "Several documents signed together"),
    "sign_multisign": _T("Ký tài liệu nhiều người ký", "Signing a document with several signers"),
    "sp769_sign": _T("Yêu cầu ký từ bên tin cậy", "Signing request from a relying party"),
    "onboarding_contract": _T("Ký hợp đồng dịch vụ", "Service contract"),
    "onboarding_acceptance": _T("Ký biên bản nghiệm thu", "Acceptance record"),
    "certificate_renewal": _T("Gia hạn chứng thư số", "Certificate renewal"),
    "csc_oauth_credential": _T("Ủy quyền ký số cho ứng dụng",
                               "Signing authorization for an application"),
    "csc_sign_hash": _T("Yêu cầu ký số từ ứng dụng", "Signing request from an application"),
}

TRANSACTION_STATUSES = {
    "pending": _T("Chờ xác nhận", "Awaiting confirmation"),
    "confirmed": _T("Đã xác nhận", "Confirmed"),
    "rejected": _T("Đã từ chối", "Rejected"),
    "expired": _T("Đã hết hạn", "Expired"),
    "failed": _T("Không thành công", "Failed"),
}

DOCUMENT_STATUSES = {
    "draft": _T("Chưa gửi ký", "Not sent"),
    "pending": _T("Chờ xác nhận", "Awaiting confirmation"),
    "signing": _T("Đang ký", "Signing"),
    "signed": _T("Đã ký", "Signed"),
    "failed": _T("Ký không thành công", "Signing failed"),
}

ORDER_STATUSES = {
    "pending": _T("Chờ thanh toán", "Awaiting payment"),
    "awaiting_issuance": _T("Đã thanh toán, chờ cấp chứng thư số",
                            "Paid, awaiting the certificate"),
    "fulfilled": _T("Đã thanh toán", "Paid"),
    "failed": _T("Thanh toán không thành công", "Payment failed"),
    "cancelled": _T("Đã hủy", "Cancelled"),
    "expired": _T("Đã hết hạn", "Expired"),
}

QUOTA_ENTRIES = {
    "credit": _T("Cộng lượt ký", "Signatures added"),
    "unlimited": _T("Ký không giới hạn", "Unlimited signing"),
    "reserve": _T("Giữ lượt ký", "Signatures held"),
    "consume": _T("Dùng lượt ký", "Signatures used"),
    "release": _T("Hoàn lượt ký", "Signatures given back"),
}

CERTIFICATE_STATUSES = {
    "active": _T("Đang hoạt động", "Active"),
    "not_yet_valid": _T("Chưa đến hạn hiệu lực", "Not yet valid"),
    "expired": _T("Đã hết hạn", "Expired"),
    "revoked": _T("Đã thu hồi", "Revoked"),
    "suspended": _T("Tạm dừng", "Suspended"),
    "awaiting_acceptance": _T("Chờ ký biên bản nghiệm thu", "Awaiting the acceptance record"),
}

HISTORY_CATEGORIES = {
    "transaction": _T("Giao dịch", "Transaction"),
    "signature": _T("Chữ ký", "Signature"),
    "payment": _T("Thanh toán", "Payment"),
    "quota": _T("Lượt ký", "Signatures"),
}

DETAIL_LABELS = {
    "description": _T("Nội dung", "Description"),
    "document_id": _T("Mã tài liệu", "Document ID"),
    "file_name": _T("Tên tệp", "File name"),
    "sha256": _T("Mã băm (SHA-256)", "Digest (SHA-256)"),
    "size": _T("Kích thước (byte)", "Size (bytes)"),
    "format": _T("Định dạng chữ ký", "Signature format"),
    "level": _T("Mức chữ ký", "Signature level"),
    "credential": _T("Chứng thư số", "Certificate"),
    "signer": _T("Người ký", "Signer"),
    "reason": _T("Lý do ký", "Reason"),
    "location": _T("Nơi ký", "Location"),
    "stamp_page": _T("Trang đặt chữ ký", "Page of the signature"),
    "stamp_box": _T("Vị trí ô chữ ký (pt)", "Signature box (pt)"),
    "signature_image": _T("Hình chữ ký (SHA-256)", "Signature image (SHA-256)"),
    "relying_party": _T("Bên tin cậy", "Relying party"),
    "transaction_desc": _T("Nội dung giao dịch", "Description"),
    "doc_ids": _T("Mã tài liệu", "Document IDs"),
    "document_ids": _T("Mã các tài liệu", "Document IDs"),
    "files_sha256": _T("Mã băm các tệp (SHA-256)", "Files digest (SHA-256)"),
    "phone": _T("Số điện thoại mới", "New phone"),
    "email": _T("Email mới", "New email"),
    "serial": _T("Số hiệu chứng thư số", "Certificate serial"),
    "order_id": _T("Mã đơn hàng", "Order ID"),
    "product": _T("Gói dịch vụ", "Package"),
    "registration": _T("Mã hồ sơ đăng ký", "Registration ID"),
    "holder": _T("Chủ chứng thư số", "Holder"),
    "validity": _T("Hiệu lực", "Valid"),
    "envelope_id": _T("Mã yêu cầu ký", "Signing request ID"),
    "position": _T("Thứ tự người ký", "Signer number"),
    "num_signatures": _T("Số chữ ký", "Number of signatures"),
    # Base64 as the requesting application shows them: the label says what they are for
    "hashes": _T("Mã băm các tài liệu (đối chiếu với ứng dụng yêu cầu ký)",
                 "Documents' digests (to compare with the requesting application)"),
}

# What a quota entry of the history says, in plain words ({n}: signatures; {files}: file
# names; {party}: a relying party's name; {package}: a package; {until}: dd/MM/yyyy). Not
# served with VOCABULARY: the server fills them in and the history carries the sentence.
QUOTA_PHRASES = {
    "documents": _T("Ký {n} tài liệu: {files}", "Signed {n} document(s): {files}"),
    "party": _T("Ký {n} chữ ký cho {party}", "{n} signature(s) for {party}"),
    "consume": _T("Dùng {n} lượt ký", "{n} signature(s) used"),
    "release": _T("Hoàn {n} lượt ký chưa dùng", "{n} unused signature(s) given back"),
    "credit_package": _T("Cộng {n} lượt ký — {package}", "{n} signature(s) added — {package}"),
    "credit": _T("Cộng {n} lượt ký", "{n} signature(s) added"),
    "unlimited_package": _T("Ký không giới hạn đến {until} — {package}",
                            "Unlimited signing until {until} — {package}"),
    "unlimited": _T("Ký không giới hạn đến {until}", "Unlimited signing until {until}"),
    "certificate": _T("chứng thư số {serial}", "certificate {serial}"),
    # a signature counted against nothing: what the history adds to its words
    "free": _T("miễn phí, không trừ lượt ký", "free: no signature counted"),
    "within": _T("trong thời hạn ký không giới hạn, không trừ lượt ký",
                 "within the unlimited term: no signature counted"),
}

EKYC_CHECKS = {
    "attempt": _T("Lần nộp ảnh", "Attempt"),
    "images": _T("Ảnh giấy tờ và chân dung", "ID and portrait images"),
    "mrz": _T("Mã MRZ", "MRZ"),
    "face": _T("So khớp khuôn mặt", "Face match"),
}

EKYC_RESULTS = {
    "ok": _T("Đạt", "Passed"),
    "matched": _T("Khớp với giấy tờ", "Matches the document"),
    "not given": _T("Không khai báo", "Not given"),
    "not run": _T("Chưa kiểm tra", "Not run"),
    "match": _T("Khớp", "Match"),
    "no_match": _T("Không khớp", "No match"),
    "referred": _T("Chờ cán bộ so sánh bằng mắt", "Left to the officer"),
}

SEXES = {"M": _T("Nam", "Male"), "F": _T("Nữ", "Female")}

REGISTRATION_STATES = {s.value: _T(s.vi[:1].upper() + s.vi[1:],
                                   s.value.replace("_", " ").capitalize()) for s in State}

# the SmartOTP token's status and the OTP methods (GET /smartotp), as the web app says them
TOKEN_STATUSES = {"none": _T("Chưa đăng ký", "Not registered"),
                  "pending": _T("Chờ kích hoạt", "Awaiting activation"),
                  "active": _T("Đang hoạt động", "Active"), "locked": _T("Đã khóa", "Locked")}
OTP_METHODS = {"sms": _T("SMS OTP", "SMS OTP"), "smartotp": _T("SmartOTP", "SmartOTP")}

VOCABULARY: Mapping[str, Mapping[str, Text]] = {
    "transaction_kinds": TRANSACTION_KINDS,
    "transaction_statuses": TRANSACTION_STATUSES,
    "document_statuses": DOCUMENT_STATUSES,
    "order_statuses": ORDER_STATUSES,
    "quota_entries": QUOTA_ENTRIES,
    "certificate_statuses": CERTIFICATE_STATUSES,
    "history_categories": HISTORY_CATEGORIES,
    "detail_labels": DETAIL_LABELS,
    "ekyc_checks": EKYC_CHECKS,
    "ekyc_results": EKYC_RESULTS,
    "sexes": SEXES,
    "registration_states": REGISTRATION_STATES,
    "token_statuses": TOKEN_STATUSES,
    "otp_methods": OTP_METHODS,
}
_OTHER = _T("Khác", "Other")


def word(group: str, code: str, lang: str = "vi") -> str:
    """The label of ``code`` in ``group`` (never the code itself)."""
    text = VOCABULARY[group].get(code, _OTHER)
    return text.vi if lang == "vi" else text.en
