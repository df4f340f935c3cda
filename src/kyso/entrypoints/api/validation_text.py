"""The request-validation errors as sentences a customer can read, in their language.

Pydantic says ``pin: String should have at least 1 character``; a customer is told
``Mã PIN không được để trống.`` The field's name becomes its label (:data:`FIELDS`; a field
without one is "Thông tin gửi lên" in Vietnamese, its name in English) and the error type a
sentence (:data:`SENTENCES`; an unknown type says the value is not valid).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["FIELDS", "SENTENCES", "describe"]

FIELDS: Mapping[str, tuple[str, str]] = {
    "pin": ("Mã PIN", "PIN"), "old_pin": ("Mã PIN hiện tại", "current PIN"),
    "new_pin": ("Mã PIN mới", "new PIN"), "password": ("Mật khẩu", "password"),
    "old_password": ("Mật khẩu hiện tại", "current password"),
    "new_password": ("Mật khẩu mới", "new password"), "username": ("Tên đăng nhập", "username"),
    "login": ("Tên đăng nhập", "login"), "otp": ("Mã OTP", "OTP code"),
    "code": ("Mã xác nhận", "code"), "activation_code": ("Mã kích hoạt", "activation code"),
    "phone": ("Số điện thoại", "phone"), "email": ("Email", "email"),
    "full_name": ("Họ và tên", "full name"), "id_number": ("Số giấy tờ", "ID number"),
    "id_type": ("Loại giấy tờ", "ID type"), "birth_date": ("Ngày sinh", "birth date"),
    "issue_date": ("Ngày cấp", "issue date"), "expiry_date": ("Ngày hết hạn", "expiry date"),
    "sex": ("Giới tính", "sex"), "address": ("Địa chỉ", "address"),
    "province": ("Tỉnh/thành phố", "province"), "locality": ("Quận/huyện", "locality"),
    "reason": ("Lý do", "reason"), "location": ("Nơi ký", "location"),
    "level": ("Mức chữ ký", "signature level"), "format": ("Định dạng", "format"),
    "visible": ("Hiển thị chữ ký", "visible stamp"), "page": ("Trang", "page"),
    "box": ("Vị trí ô chữ ký", "signature box"), "image": ("Ảnh chữ ký", "signature image"),
    "name": ("Tên tệp", "file name"), "credential": ("Chứng thư số", "certificate"),
    "category": ("Nhóm", "category"), "since": ("Từ ngày", "from"),
    "until": ("Đến ngày", "to"), "product": ("Gói dịch vụ", "package"),
    "method": ("Phương thức xác thực", "authentication method"),
    "device_name": ("Tên thiết bị", "device name"), "limit": ("Số lượng", "limit"),
    "resubmittable": ("Cho phép bổ sung", "resubmittable"), "plan": ("Gói", "plan"),
}

SENTENCES: Mapping[str, tuple[str, str]] = {
    "missing": ("{field} là bắt buộc.", "{field} is required."),
    "string_too_short": ("{field} phải có ít nhất {min_length} ký tự.",
                         "{field} needs at least {min_length} characters."),
    "string_too_long": ("{field} chỉ được tối đa {max_length} ký tự.",
                        "{field} takes at most {max_length} characters."),
    "string_pattern_mismatch": ("{field} không đúng định dạng.", "{field} is not well formed."),
    "greater_than_equal": ("{field} phải từ {ge} trở lên.", "{field} must be {ge} or more."),
    "less_than_equal": ("{field} phải không quá {le}.", "{field} must be {le} or less."),
    "greater_than": ("{field} phải lớn hơn {gt}.", "{field} must be more than {gt}."),
    "less_than": ("{field} phải nhỏ hơn {lt}.", "{field} must be less than {lt}."),
    "enum": ("{field} phải là một trong: {expected}.", "{field} must be one of: {expected}."),
    "literal_error": ("{field} phải là một trong: {expected}.",
                      "{field} must be one of: {expected}."),
    "too_short": ("{field} chưa đủ thông tin.", "{field} is incomplete."),
    "too_long": ("{field} có quá nhiều phần tử.", "{field} has too many items."),
    "int_parsing": ("{field} phải là một số nguyên.", "{field} must be a whole number."),
    "float_parsing": ("{field} phải là một số.", "{field} must be a number."),
    "bool_parsing": ("{field} phải là có hoặc không.", "{field} must be true or false."),
    "date_parsing": ("{field} không phải là ngày hợp lệ.", "{field} is not a valid date."),
    "date_from_datetime_parsing": ("{field} không phải là ngày hợp lệ.",
                                   "{field} is not a valid date."),
    "datetime_parsing": ("{field} không phải là thời điểm hợp lệ.",
                         "{field} is not a valid time."),
    "datetime_from_date_parsing": ("{field} không phải là thời điểm hợp lệ.",
                                   "{field} is not a valid time."),
    "json_invalid": ("Nội dung gửi lên không phải JSON hợp lệ.", "The body is not valid JSON."),
    "model_attributes_type": ("Nội dung gửi lên không đúng dạng.", "The body has the wrong shape."),
    "dict_type": ("Nội dung gửi lên không đúng dạng.", "The body has the wrong shape."),
}
_DEFAULT = ("{field} không hợp lệ.", "{field} is not valid.")
_EMPTY = ("{field} không được để trống.", "{field} must not be empty.")
_LOCATIONS = {"body", "query", "path", "header", "cookie"}


def describe(errors: Sequence[Mapping[str, Any]], lang: str) -> str:
    """At most three sentences, one per error, in ``lang`` (``vi`` or ``en``)."""
    return " ".join(_sentence(err, lang) for err in errors[:3]) or _sentence({}, lang)


def _sentence(err: Mapping[str, Any], lang: str) -> str:
    at = 0 if lang == "vi" else 1
    kind = err.get("type", "")
    ctx = dict(err.get("ctx") or {})
    template = SENTENCES.get(kind, _DEFAULT)
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        template = _EMPTY
    if "expected" in ctx:
        ctx["expected"] = str(ctx["expected"]).replace("'", "")
    text = template[at].format(field=_field(err.get("loc", ()), at), **ctx)
    return text[0].upper() + text[1:]


def _field(loc: Sequence[Any], at: int) -> str:
    names = [str(p) for p in loc if not isinstance(p, int) and str(p) not in _LOCATIONS]
    if not names:
        return ("Thông tin gửi lên", "the request")[at]
    name = names[-1]
    known = FIELDS.get(name)
    return known[at] if known else ("Thông tin gửi lên", name)[at]
