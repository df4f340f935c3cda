"""What a signing transaction shows and what its OTP code is bound to: the details of one
document (``sign_document``) or of several signed together (``sign_documents``)."""

from __future__ import annotations

from kyso.signing.document import Document, DocumentFormat, SignOptions
from kyso.signing.model import Credential
from kyso.signing.pages import PageBox

__all__ = ["batch_details", "details", "inside"]

_KINDS = {DocumentFormat.PADES: "PAdES", DocumentFormat.CADES: "CAdES",
          DocumentFormat.XADES: "XAdES"}


def batch_details(documents: list[Document], credential: Credential,
                  options: SignOptions) -> dict[str, str]:
    names = ", ".join(d.file_name for d in documents)
    return {
        "document_ids": "\n".join(d.id for d in documents),
        "description": f"Ký số {len(documents)} tài liệu (PAdES {options.level}): {names}",
        "files_sha256": "\n".join(f"{d.file_name}: {d.sha256}" for d in documents),
        **_how(options, credential),
    }


def details(document: Document, credential: Credential) -> dict[str, str]:
    """What the app shows, and what the OCRA code is bound to."""
    options = document.options
    kind = _KINDS[document.format]
    stamp = f", có hình chữ ký ở trang {options.page}" if options.visible else ""
    details = {
        "document_id": document.id,
        "description": f"Ký số tài liệu {document.file_name} ({kind} {options.level}{stamp})",
        "file_name": document.file_name,
        "sha256": document.sha256,
        "size": str(document.size),
        "format": kind,
        **_how(options, credential),
    }
    if options.page is not None and options.box is not None:
        details["stamp_page"] = str(options.page)
        details["stamp_box"] = " ".join(f"{v:g}" for v in options.box)
    if options.image is not None:
        details["signature_image"] = options.image  # the SHA-256 of its PNG
    return details


def _how(options: SignOptions, credential: Credential) -> dict[str, str]:
    """The level, the signer and the customer's reason and place: the same in both kinds."""
    how = {"level": options.level.value, "credential": credential.id,
           "signer": credential.certificate.subject}
    if options.reason:
        how["reason"] = options.reason
    if options.location:
        how["location"] = options.location
    return how


def inside(box: tuple[float, float, float, float], page: PageBox) -> bool:
    x1, y1, x2, y2 = box
    return 0 <= x1 < x2 <= page.width + 0.01 and 0 <= y1 < y2 <= page.height + 0.01
