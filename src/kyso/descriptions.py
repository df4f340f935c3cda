"""What a transaction is, in the reader's language.

A transaction's details are fixed when it is made (its code is bound to them), and the
``description`` among them is Vietnamese. The kinds whose description kyso writes itself are
described again here from their other details, in both languages, for the API and the
history; a description written by someone else (a relying party's request) is shown as given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from kyso.errors import Text

__all__ = ["describe"]


def describe(kind: str, details: Mapping[str, str], lang: str) -> str:
    """The description of a transaction in ``lang``: the one kept in its details (the
    Vietnamese, or a relying party's own words), or its English when kyso wrote it."""
    kept = details.get("description") or details.get("transaction_desc") or ""
    if lang != "en" or kind not in _KINDS:
        return kept
    try:
        return _KINDS[kind](details).en
    except KeyError:  # details of another shape than kyso writes: as they were
        return kept


def _document(d: Mapping[str, str]) -> Text:
    page = d.get("stamp_page")
    vi = f"Ký số tài liệu {d['file_name']} ({d['format']} {d['level']}"
    en = f"Sign the document {d['file_name']} ({d['format']} {d['level']}"
    if page:
        vi, en = f"{vi}, có hình chữ ký ở trang {page}", f"{en}, with a stamp on page {page}"
    return Text(f"{vi})", f"{en})")


def _documents(d: Mapping[str, str]) -> Text:
    names = [line.rpartition(": ")[0] for line in d["files_sha256"].split("\n")]
    joined, n = ", ".join(names), len(names)
    return Text(f"Ký số {n} tài liệu (PAdES {d['level']}): {joined}",
                f"Sign {n} documents (PAdES {d['level']}): {joined}")


def _multisign(d: Mapping[str, str]) -> Text:
    return Text(f"Ký số tài liệu {d['file_name']} (PAdES {d['level']}, người ký "
                f"{d['position']}, trang {d['stamp_page']})",
                f"Sign the document {d['file_name']} (PAdES {d['level']}, signer "
                f"{d['position']}, page {d['stamp_page']})")


def _contact(d: Mapping[str, str]) -> Text:
    vi = [f"{w} {d[k]}" for k, w in (("phone", "số điện thoại mới"), ("email", "email mới"))
          if k in d]
    en = [f"{w} {d[k]}" for k, w in (("phone", "new phone number"), ("email", "new email"))
          if k in d]
    if not vi:
        raise KeyError("phone")
    return Text("Thay đổi thông tin liên hệ: " + ", ".join(vi),
                "Change of contact details: " + ", ".join(en))


def _fixed(vi: str, en: str) -> Callable[[Mapping[str, str]], Text]:
    def fixed(_details: Mapping[str, str]) -> Text:
        return Text(vi, en)
    return fixed


_KINDS: dict[str, Callable[[Mapping[str, str]], Text]] = {
    "sign_document": _document,
    "sign_documents": _documents,
    "sign_multisign": _multisign,
    "contact_change": _contact,
    "smartotp_pin_change": _fixed("Đổi PIN SmartOTP trên thiết bị này",
                                  "Change the SmartOTP PIN on this device"),
    "onboarding_contract": _fixed("Chấp thuận Hợp đồng cung cấp dịch vụ chứng thư số",
                                  "Accept the certificate service contract"),
    "onboarding_acceptance": _fixed("Ký Biên bản nghiệm thu chứng thư số",
                                    "Sign the certificate acceptance record"),
    "certificate_renewal": _fixed("Gia hạn chứng thư số", "Renew the certificate"),
}
