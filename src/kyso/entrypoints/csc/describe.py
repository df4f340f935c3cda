"""What ``credentials/info`` (and ``credentials/list`` with ``credentialInfo``) say about a
credential: the key, the certificate (signer first), and how a signature is authorized.

Both spellings of the authorization are given: v1 (``authMode``, ``PIN``, ``OTP``) and v2
(``auth``: ``mode``, ``expression``, ``objects``). SmartOTP codes are made on the customer's
device, so the OTP is ``offline`` (no ``credentials/sendOTP``); customers on the SMS method
get theirs ``online``, after ``credentials/sendOTP``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509

from kyso.entrypoints.csc.params import sign_oids
from kyso.otp.token import Method
from kyso.pki.model import CertificateStatus
from kyso.signing.model import Credential

__all__ = ["Factors", "InfoRequest", "describe"]

_TIME = "%Y%m%d%H%M%SZ"  # GeneralizedTime, as the spec asks
_TEXT = {
    "smartotp": ("SmartOTP", "Mã 6 chữ số trên ứng dụng SmartOTP của Quý khách.",
                 "SmartOTP", "The 6-digit code shown by your SmartOTP app."),
    "sms": ("Mã OTP SMS", "Mã 6 chữ số gửi qua SMS đến số điện thoại đã đăng ký "
                          "(gọi credentials/sendOTP trước).",
            "SMS OTP", "The 6-digit code sent by SMS to your registered phone "
                       "(call credentials/sendOTP first)."),
    "pin": ("PIN tài khoản", "Mã PIN 6 chữ số của tài khoản kyso.",
            "Account PIN", "The 6-digit PIN of your kyso account."),
}


@dataclass(frozen=True)
class InfoRequest:
    certificates: str = "single"  # none | single | chain
    cert_info: bool = False
    auth_info: bool = False


@dataclass(frozen=True)
class Factors:
    """How this customer authorizes a signature."""

    method: Method
    device_id: str | None
    pin_required: bool


def describe(credential: Credential, now: datetime, request: InfoRequest, factors: Factors,
             multisign: int, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "key": _key(credential, now),
        "cert": _cert(credential, now, request),
        "authMode": "explicit",
        "SCAL": "2",
        "multisign": multisign,
        "lang": "en-US" if lang == "en" else "vi-VN",
        "description": _credential_text(credential, lang),
    }
    if request.auth_info:
        out |= _authorization(factors, lang)
    return out


def _credential_text(credential: Credential, lang: str) -> str:
    algorithm = credential.key.algorithm.value.upper()
    if lang == "en":
        return f"Remote-signing certificate ({algorithm} key kept on kyso's server)."
    return f"Chứng thư số ký từ xa (khóa {algorithm} lưu trên máy chủ kyso)."


def _key(credential: Credential, now: datetime) -> dict[str, Any]:
    algorithm = credential.key.algorithm
    active = credential.status_at(now) is CertificateStatus.ACTIVE
    key: dict[str, Any] = {"status": "enabled" if active else "disabled",
                           "algo": sign_oids(algorithm), "len": algorithm.key_size}
    if algorithm.curve_oid is not None:
        key["curve"] = algorithm.curve_oid
    return key


def _cert(credential: Credential, now: datetime, request: InfoRequest) -> dict[str, Any]:
    status = credential.status_at(now)
    cert: dict[str, Any] = {"status": "valid" if status is CertificateStatus.ACTIVE
                            else status.value}
    if request.certificates != "none":
        chosen = credential.chain if request.certificates == "chain" else credential.chain[:1]
        cert["certificates"] = [base64.b64encode(der).decode() for der in chosen]
    if request.cert_info:
        parsed = x509.load_der_x509_certificate(credential.chain[0])
        record = credential.certificate
        cert |= {"issuerDN": parsed.issuer.rfc4514_string(),
                 "serialNumber": f"{record.serial:X}",
                 "subjectDN": parsed.subject.rfc4514_string(),
                 "validFrom": record.not_before.strftime(_TIME),
                 "validTo": record.not_after.strftime(_TIME)}
    return cert


def _authorization(factors: Factors, lang: str) -> dict[str, Any]:
    smartotp = factors.method is Method.SMARTOTP
    otp_label, otp_text = _words("smartotp" if smartotp else "sms", lang)
    pin_label, pin_text = _words("pin", lang)
    otp = {"presence": "true", "type": "offline" if smartotp else "online", "format": "N",
           "label": otp_label, "description": otp_text,
           "ID": (factors.device_id or "smartotp") if smartotp else "sms",
           "provider": "kyso"}
    pin: dict[str, Any] = {"presence": "false"}
    otp_object = {"type": "Password", "id": "OTP", "format": "N", "label": otp_label,
                  "description": otp_text} | ({"generator": "totp"} if smartotp else {})
    objects = [otp_object]
    if factors.pin_required:
        pin = {"presence": "true", "format": "N", "label": pin_label, "description": pin_text}
        objects.insert(0, {"type": "Password", "id": "PIN", "format": "N", "label": pin_label,
                           "description": pin_text})
    expression = "PIN AND OTP" if factors.pin_required else "OTP"
    return {"PIN": pin, "OTP": otp,
            "auth": {"mode": "explicit", "expression": expression, "objects": objects}}


def _words(what: str, lang: str) -> tuple[str, str]:
    vi_label, vi_text, en_label, en_text = _TEXT[what]
    return (en_label, en_text) if lang == "en" else (vi_label, vi_text)
