"""What can go wrong with documents to sign or validate::

    InvalidInput ── NotAPdf, EncryptedPdf, DamagedPdf, DocumentTooLarge, LevelNotSupported
                    (XadesLevelNotSupported),
                    InvalidDocument (the sandbox stopped its reader: time, memory, crash),
                    StampOutsidePage, BadSignatureImage
    Conflict ───── NoCredential, AlreadySigned, NotSignedYet, SigningFailed, NotADraft
    Unavailable ── RevocationUnavailable (the OCSP/CRL/TSA step of B-T, B-LT, B-LTA),
                    SandboxBusy (every sandboxed reader stayed busy)
"""

from __future__ import annotations

from kyso.errors import Conflict, InvalidInput, Text, Unavailable

__all__ = [
    "IMAGE_NOT_BASE64",
    "NO_PAGE",
    "SIGNED_FILE_GONE",
    "AlreadySigned",
    "BadSignatureImage",
    "DamagedPdf",
    "DocumentTooLarge",
    "EncryptedPdf",
    "InvalidDocument",
    "LevelNotSupported",
    "NoCredential",
    "NotADraft",
    "NotAPdf",
    "NotSignedYet",
    "RevocationUnavailable",
    "SandboxBusy",
    "SigningFailed",
    "StampOutsidePage",
    "XadesLevelNotSupported",
]

# details shared by the services and routes that refuse them
NO_PAGE = Text("không có trang này", "no such page")
SIGNED_FILE_GONE = Text("tệp đã ký không còn trong kho lưu trữ",
                        "the signed file is missing from the store")
IMAGE_NOT_BASE64 = Text("ảnh chữ ký không đúng định dạng", "the signature image is not base64")


class NotAPdf(InvalidInput):
    code = "not_a_pdf"
    vi = "Tệp tải lên không phải là tài liệu PDF."
    en = "The uploaded file is not a PDF document."


class EncryptedPdf(InvalidInput):
    code = "encrypted_pdf"
    vi = "Tài liệu PDF được đặt mật khẩu hoặc mã hóa; hãy gỡ mật khẩu rồi tải lên lại."
    en = "The PDF is password-protected or encrypted; remove the password and upload it again."


class DamagedPdf(InvalidInput):
    code = "damaged_pdf"
    vi = ("Tài liệu PDF bị hỏng hoặc có cấu trúc không đọc được. Hãy mở tệp trên máy, "
          "lưu (hoặc in) lại thành PDF rồi tải lên lại.")
    en = ("The PDF is damaged or its structure cannot be read. Open the file on your device, "
          "save (or print) it again as a PDF and upload that.")
    detail_shown = False  # the parser's words (an exception's name) go to the log only


class DocumentTooLarge(InvalidInput):
    code = "document_too_large"
    vi = "Tài liệu vượt quá kích thước cho phép ({limit} byte)."
    en = "The document is larger than allowed ({limit} bytes)."


class LevelNotSupported(InvalidInput):
    code = "level_not_supported"
    vi = "Chữ ký CAdES tách rời chỉ hỗ trợ mức B-B và B-T."
    en = "Detached CAdES signatures support the B-B and B-T levels only."


class XadesLevelNotSupported(LevelNotSupported):
    vi = "Chữ ký XML (XAdES) hỗ trợ các mức B-B, B-T, B-LT và B-LTA."
    en = "XML (XAdES) signatures support the B-B, B-T, B-LT and B-LTA levels."


class NoCredential(Conflict):
    code = "no_credential"
    vi = "Quý khách chưa có chứng thư số còn hiệu lực để ký."
    en = "You have no valid certificate to sign with."


class AlreadySigned(Conflict):
    code = "already_signed"
    vi = "Giao dịch này đã được dùng để ký; mỗi lần xác nhận chỉ ký một lần."
    en = "This transaction was already used to sign; one confirmation signs once."


class NotSignedYet(Conflict):
    code = "not_signed"
    vi = "Tài liệu chưa được ký (trạng thái: {status})."
    en = "The document is not signed (status: {status})."
    worded = {"status": "document_statuses"}  # noqa: RUF012 (a class constant)


class SigningFailed(Conflict):
    code = "signing_failed"
    vi = "Không ký được tài liệu."
    en = "The document could not be signed."


class RevocationUnavailable(Unavailable):
    code = "validation_data_unavailable"
    vi = "Không lấy được dấu thời gian hoặc thông tin thu hồi chứng thư; vui lòng thử lại."
    en = "The time stamp or the certificates' revocation data could not be obtained; retry."


class InvalidDocument(InvalidInput):
    """The sandbox gave up on the file: it ran out of time or memory, or killed its reader."""

    code = "invalid_document"
    vi = "Không đọc được tài liệu này trong giới hạn cho phép; tài liệu có thể bị hỏng."
    en = "This document could not be read within the allowed limits; it may be damaged."


class SandboxBusy(Unavailable):
    code = "document_reader_busy"
    vi = "Hệ thống đang bận đọc tài liệu khác; vui lòng thử lại sau ít giây."
    en = "The service is busy reading other documents; retry in a few seconds."


class StampOutsidePage(InvalidInput):
    code = "stamp_outside_page"
    vi = "Ô chữ ký phải nằm trọn trong trang {page} của tài liệu."
    en = "The signature box must lie within page {page} of the document."


class BadSignatureImage(InvalidInput):
    code = "bad_signature_image"
    vi = ("Ảnh chữ ký phải là tệp PNG hoặc JPEG, tối đa {max_kib} KiB và {max_px} điểm ảnh "
          "mỗi chiều.")
    en = "The signature image must be a PNG or JPEG of at most {max_kib} KiB and {max_px} px."


class NotADraft(Conflict):
    code = "not_a_draft"
    vi = "Tài liệu này đã được gửi đi ký; hãy tải lên lại nếu muốn đổi vị trí chữ ký."
    en = "This document was already sent for signing; upload it again to move the signature."
