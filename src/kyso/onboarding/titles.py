"""What a customer reads for a document kyso made itself: the acceptance record ("Biên bản
nghiệm thu") is a title in words, never its generated file name
(``bien-ban-nghiem-thu-<id>.pdf``); a customer's own files keep the names they gave them.

A document is a registration's acceptance record when the registration of its certificate
names it, or (a record prepared again replaced it) it bears the name kyso gave that
registration's record.
"""

from __future__ import annotations

from collections.abc import Sequence

from kyso.errors import Text
from kyso.onboarding.model import Registration
from kyso.signing.document import Document
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["ACCEPTANCE_TITLE", "DocumentTitles", "acceptance_file_name", "titles_in"]

ACCEPTANCE_TITLE = Text("Biên bản nghiệm thu chứng thư số", "Certificate acceptance record")


def acceptance_file_name(registration: Registration) -> str:
    """The file name kyso gives a registration's acceptance record."""
    return f"bien-ban-nghiem-thu-{registration.id[:8]}.pdf"


class DocumentTitles:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow = uow_factory

    def of(self, documents: Sequence[Document]) -> dict[str, Text]:
        with self._uow() as uow:
            return titles_in(uow, documents)


def titles_in(uow: UnitOfWork, documents: Sequence[Document]) -> dict[str, Text]:
    """The titles of the documents kyso made itself among ``documents``, by id (one lookup
    per certificate they were signed with)."""
    found = {c: uow.onboarding.by_credential(c) for c in {d.credential_id for d in documents}}
    return {d.id: ACCEPTANCE_TITLE for d in documents
            if _is_record(d, found.get(d.credential_id))}


def _is_record(document: Document, registration: Registration | None) -> bool:
    return registration is not None and (
        document.id == registration.acceptance_document
        or document.file_name == acceptance_file_name(registration))
