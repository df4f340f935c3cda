"""What can go wrong while registering for a certificate::

    InvalidInput ── InvalidField, InvalidIdNumber, MrzMismatch, InvalidMrz, CardExpired,
                    NotAnImage, ImageTooLarge
    PermissionDenied ── NotEligible, OwnRegistration, NotAnOfficer
    NotFound ────── RegistrationNotFound
    Conflict ────── WrongState, AlreadyRegistered, PackageUnavailable
    Gone ────────── ActivationExpired
    Locked ──────── ActivationLocked, EkycExhausted
"""

from __future__ import annotations

from kyso.errors import Conflict, Gone, InvalidInput, Locked, NotFound, PermissionDenied, Text
from kyso.support import SupportDesk

__all__ = [
    "ActivationExpired",
    "ActivationLocked",
    "AlreadyRegistered",
    "CardExpired",
    "EkycExhausted",
    "ImageTooLarge",
    "InvalidActivationCode",
    "InvalidField",
    "InvalidIdNumber",
    "InvalidMrz",
    "MrzMismatch",
    "NotAnImage",
    "NotAnOfficer",
    "NotEligible",
    "OwnRegistration",
    "PackageUnavailable",
    "RegistrationNotFound",
    "WrongState",
]


# A field named in a customer's (or an officer's) sentence by its label on the form, never by
# its name in the API (``params["field"]`` keeps the name, for programs).
FIELD_LABELS: dict[str, Text] = {
    "full_name": Text("Họ và tên", "Full name"), "birth_date": Text("Ngày sinh", "Birth date"),
    "sex": Text("Giới tính", "Sex"), "id_number": Text("Số giấy tờ", "ID number"),
    "issue_date": Text("Ngày cấp", "Issue date"),
    "expiry_date": Text("Ngày hết hạn", "Expiry date"),
    "issuing_state": Text("Quốc gia cấp", "Issuing state"),
    "contact": Text("Số điện thoại hoặc email", "Phone or email"),
    "address": Text("Địa chỉ", "Address"), "locality": Text("Phường/Xã", "Ward/commune"),
    "province": Text("Tỉnh/Thành phố", "Province/city"), "device_id": Text("Thiết bị", "Device"),
    "q": Text("Từ khóa tìm kiếm", "Search words"), "reason": Text("Lý do", "Reason"),
}


class _NamesAField(InvalidInput):
    """An error whose ``{field}`` is said with :data:`FIELD_LABELS`."""

    def describe(self, lang: str = "vi", desk: SupportDesk | None = None) -> str:
        label = FIELD_LABELS.get(str(self.params.get("field")))
        if label is None:
            return super().describe(lang, desk)
        named, self.params = self.params, {**self.params, "field": label}
        try:
            return super().describe(lang, desk)
        finally:
            self.params = named


class InvalidField(_NamesAField):
    code = "invalid_field"
    vi = "Thông tin không hợp lệ: {field} ({reason})."
    en = "Invalid field: {field} ({reason})."


class InvalidIdNumber(InvalidInput):
    code = "invalid_id_number"
    vi = "Số giấy tờ tùy thân không hợp lệ: {reason}."
    en = "The ID number is not valid: {reason}."


class InvalidMrz(InvalidInput):
    code = "invalid_mrz"
    vi = "Vùng đọc máy (MRZ) không hợp lệ: {reason}."
    en = "The machine-readable zone is not valid: {reason}."


class MrzMismatch(_NamesAField):
    code = "mrz_mismatch"
    vi = "Thông tin trên vùng MRZ không khớp với thông tin đã nhập: {field}."
    en = "The machine-readable zone does not match the form: {field}."


class CardExpired(InvalidInput):
    code = "card_expired"
    vi = "Giấy tờ tùy thân đã hết hạn sử dụng."
    en = "The identity document has expired."


class NotAnImage(InvalidInput):
    code = "not_an_image"
    vi = "Tệp tải lên không phải ảnh JPEG hoặc PNG."
    en = "The uploaded file is not a JPEG or PNG image."


class ImageTooLarge(InvalidInput):
    code = "image_too_large"
    vi = "Ảnh vượt quá kích thước cho phép ({limit} byte)."
    en = "The image is larger than allowed ({limit} bytes)."


class InvalidActivationCode(InvalidInput):
    code = "invalid_activation_code"
    vi = "Mã kích hoạt không đúng."
    en = "The activation code is wrong."


class NotEligible(PermissionDenied):
    code = "not_eligible"
    vi = "Không đủ điều kiện đăng ký: {reason}."
    en = "Not eligible to register: {reason}."


class OwnRegistration(PermissionDenied):
    code = "own_registration"
    vi = "Cán bộ thẩm định không được duyệt hồ sơ của chính mình."
    en = "An officer cannot decide on their own registration."


class NotAnOfficer(PermissionDenied):
    code = "not_an_officer"
    vi = "Chỉ cán bộ thẩm định (RA) được thực hiện thao tác này."
    en = "Only RA officers may do this."


class RegistrationNotFound(NotFound):
    code = "registration_not_found"
    vi = "Không tìm thấy hồ sơ đăng ký."
    en = "No such registration."


class WrongState(Conflict):
    code = "wrong_state"
    vi = ("Hồ sơ đang ở trạng thái «{state}» nên không thực hiện được bước này. "
          "Vui lòng tải lại trang để xem bước tiếp theo.")
    en = ("The application is {state}, so this step is not possible. "
          "Please reload the page to see the next step.")


class AlreadyRegistered(Conflict):
    code = "registration_open"
    vi = "Quý khách đang có một hồ sơ đăng ký chưa hoàn tất; hãy tiếp tục hồ sơ đó."
    en = "You already have a registration in progress; continue that one."


class PackageUnavailable(Conflict):
    code = "package_unavailable"
    vi = "Gói chứng thư số không khả dụng: {reason}."
    en = "The certificate package is not available: {reason}."


class ActivationExpired(Gone):
    code = "activation_expired"
    vi = "Mã kích hoạt đã hết hạn; hãy yêu cầu gửi lại mã."
    en = "The activation code has expired; ask for a new one."


class ActivationLocked(Locked):
    code = "activation_locked"
    vi = "Đã nhập sai mã kích hoạt quá số lần cho phép; hãy yêu cầu gửi lại mã."
    en = "Too many wrong activation codes; ask for a new one."


class EkycExhausted(Locked):
    code = "ekyc_exhausted"
    vi = "Đã hết số lần xác thực giấy tờ (eKYC) cho phép ({limit} lần)."
    en = "No eKYC attempts left (at most {limit})."
