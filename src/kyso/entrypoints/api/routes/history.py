"""The caller's history (every transaction, signature, payment and signature-count change,
newest first, filterable, as JSON or as a CSV to keep) and the vocabulary the clients show
kyso's codes with."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller
from kyso.entrypoints.api.errors import language
from kyso.errors import InvalidInput, Text, said
from kyso.history.service import Category, Entry, HistoryFilter
from kyso.vocabulary import HISTORY_CATEGORIES, VOCABULARY

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["history"])
VIETNAM = timezone(timedelta(hours=7), "GMT+7")
_CSV_HEAD = {
    "vi": ["Thời gian (GMT+7)", "Nhóm", "Loại", "Kết quả", "Nội dung", "Mã tham chiếu",
           "Số lượt ký", "Số tiền (VND)"],
    "en": ["Time (GMT+7)", "Category", "Kind", "Outcome", "Description", "Reference",
           "Signatures", "Amount (VND)"],
}


class EntryOut(BaseModel):
    at: datetime
    category: str
    category_label: str
    event: str
    status: str
    label: str  # in the caller's language
    outcome: str
    description: str
    reference: str
    count: int | None
    amount: int | None
    verify: str | None = None  # a signature's public verification page (path)
    receipt: str | None = None  # its signing receipt (API path, the signer's only)
    receipt_pending: bool = False  # the receipt is being made (the worker, within seconds)

    @classmethod
    def of(cls, e: Entry, lang: str) -> EntryOut:
        def pick(text: Text) -> str:
            return text.vi if lang == "vi" else text.en

        return cls(at=e.at, category=e.category.value,
                   category_label=pick(HISTORY_CATEGORIES[e.category.value]), event=e.event,
                   status=e.status, label=pick(e.label), outcome=pick(e.outcome),
                   description=pick(e.description) if isinstance(e.description, Text)
                   else e.description, reference=e.reference, count=e.count,
                   amount=e.amount, verify=f"/v/{e.record}" if e.record else None,
                   receipt=f"/api/v1/receipts/{e.receipt_id or e.record}" if e.receipt
                   else None,
                   receipt_pending=e.receipt_pending)


@router.get("/history", response_model=list[EntryOut])
def history(request: Request, caller: CurrentCaller, container: ContainerDep,
            category: Category | None = None, since: datetime | None = None,
            until: datetime | None = None,
            format: Annotated[Literal["json", "csv"], Query()] = "json") -> object:
    """The caller's own history, newest first (at most 500 entries); ``format=csv`` for a
    file (UTF-8 with a byte-order mark, so that spreadsheet programs read the diacritics)."""
    try:
        wanted = HistoryFilter(category, since, until)
    except ValueError as exc:
        raise InvalidInput(said(exc)) from None
    lang = language(request)
    entries = [EntryOut.of(e, lang) for e in container.history.history(caller.account.id,
                                                                         wanted)]
    if format == "json":
        return entries
    return Response(_csv(entries, lang), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="kyso-lich-su.csv"'})


def _csv(entries: list[EntryOut], lang: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_CSV_HEAD[lang])
    for e in entries:
        writer.writerow([e.at.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M"), e.category_label,
                         e.label, e.outcome, _safe(e.description), e.reference,
                         "" if e.count is None else e.count,
                         "" if e.amount is None else e.amount])
    return ("\ufeff" + out.getvalue()).encode()


def _safe(text: str) -> str:
    """No formula injection: a cell a spreadsheet would evaluate starts with a quote."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@router.get("/vocabulary", response_model=dict[str, dict[str, str]])
def vocabulary(request: Request) -> dict[str, dict[str, str]]:
    """Every code the API answers with and its label in the caller's language (``vi``
    unless ``Accept-Language: en``): the clients show these, never a code."""
    lang = language(request)
    return {group: {code: (text.vi if lang == "vi" else text.en)
                    for code, text in words.items()}
            for group, words in VOCABULARY.items()}
