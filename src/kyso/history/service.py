"""The customer's history, read from what kyso already keeps — no table of its own.

    transactions (otp_challenges) ── every kind: signatures, SP769 requests, contact and PIN
                                     changes, contracts; confirmed, rejected, expired, failed
    documents ───────────────────── signed or failed, with the file name
    signing receipts ────────────── of signatures that are no app document (signDoc,
                                     signHash, SP769, multisign): made or being made
    billing orders ──────────────── paid, pending, cancelled, failed, expired (amount in VND)
    quota ledger ────────────────── signatures credited, used, given back; unlimited terms

Newest first, at most :data:`LIMIT` entries, filtered by category and by time. A pending
transaction past its expiry is told as expired (the sweep may not have run yet). Labels come
from :mod:`kyso.vocabulary`; the API renders them in the caller's language.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from kyso.billing.orders import Order
from kyso.billing.quota import Basis, EntryKind, LedgerEntry
from kyso.clock import Clock
from kyso.descriptions import describe
from kyso.errors import Text
from kyso.onboarding.titles import titles_in
from kyso.otp.token import Challenge, ChallengeStatus
from kyso.pki.model import short_serial
from kyso.signing.document import Document, DocumentStatus
from kyso.signing.model import credential_id
from kyso.signing.receipt_jobs import ReceiptJob, ReceiptKind
from kyso.signing.records import SignatureRecord
from kyso.signing.stamp import VIETNAM
from kyso.uow import UnitOfWork, UnitOfWorkFactory
from kyso.vocabulary import (
    DOCUMENT_STATUSES,
    ORDER_STATUSES,
    QUOTA_ENTRIES,
    QUOTA_PHRASES,
    TRANSACTION_KINDS,
    TRANSACTION_STATUSES,
)

__all__ = ["LIMIT", "Category", "Entry", "HistoryFilter", "HistoryService"]

LIMIT = 500
_SKIPPED_QUOTA = {"reserve"}  # a hold is settled by a use or a give-back, told instead


class Category(StrEnum):
    TRANSACTION = "transaction"
    SIGNATURE = "signature"
    PAYMENT = "payment"
    QUOTA = "quota"


@dataclass(frozen=True)
class Entry:
    at: datetime
    category: Category
    event: str  # the code: a transaction's kind, an order's or a document's status …
    status: str  # the outcome's code
    label: Text  # what happened, in both languages
    outcome: Text
    description: str | Text  # a file name, a request's words; a product or quota entry in words
    reference: str  # the id the other pages and commands accept
    count: int | None = None  # signatures: + credited, − used
    amount: int | None = None  # VND, VAT included
    record: str | None = None  # a signature's public record (/v/<id>)
    receipt: bool = False  # … and whether it has a signing receipt to download
    receipt_pending: bool = False  # … or one the worker is still making
    receipt_id: str | None = None  # a receipt's id when it is not the record's


@dataclass(frozen=True)
class HistoryFilter:
    category: Category | None = None
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since >= self.until:
            raise ValueError(Text("ngày bắt đầu phải trước ngày kết thúc",
                                  "the period starts before it ends"))

    def keeps(self, entry: Entry) -> bool:
        return ((self.category is None or entry.category is self.category)
                and (self.since is None or entry.at >= self.since)
                and (self.until is None or entry.at < self.until))


class HistoryService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow, self._clock = uow_factory, clock

    def history(self, account_id: str, wanted: HistoryFilter = HistoryFilter()) -> list[Entry]:
        """The owner's entries, newest first."""
        with self._uow() as uow:
            entries = [e for e in self._all(uow, account_id) if wanted.keeps(e)]
        entries.sort(key=lambda e: e.at, reverse=True)
        return entries[:LIMIT]

    def _all(self, uow: UnitOfWork, account_id: str) -> Iterator[Entry]:
        now = self._clock.now()
        for challenge in uow.challenges.for_account(account_id, None, LIMIT):
            yield _transaction(challenge, now)
        documents = uow.documents.for_account(account_id, LIMIT)
        records = {r.document_id: r for r in uow.signature_records.for_account(account_id,
                                                                                 LIMIT)}
        titles = titles_in(uow, documents)  # kyso's own acceptance record, in words
        for document in documents:
            if document.status in (DocumentStatus.SIGNED, DocumentStatus.FAILED):
                yield _signature(document, records.get(document.id), titles.get(document.id))
        for job in uow.receipts.for_account(account_id, LIMIT):
            if job.kind != ReceiptKind.DOCUMENT.value:
                yield _receipt(job)
        orders = {o.id: o for o in uow.billing.orders(account_id=account_id, limit=LIMIT)}
        for order in orders.values():
            status = order.status.value
            yield Entry(order.ended_at or order.created_at, Category.PAYMENT, "order", status,
                        _PAYMENT, ORDER_STATUSES.get(status, _OTHER),
                        Text(order.name_in("vi"), order.name_in("en")), order.id,
                        order.signatures, order.amount)
        certificates = uow.pki.certificates(account_id=account_id)
        words = _QuotaWords(uow, documents, orders, several=len(certificates) > 1)
        for cert in certificates:
            credential = credential_id(cert.issuer, cert.serial)
            for item in uow.quota.entries(credential):
                kind = item.kind.value
                if kind in _SKIPPED_QUOTA:
                    continue
                sign = -1 if kind == "consume" else 1
                yield Entry(item.at, Category.QUOTA, kind, kind,
                            QUOTA_ENTRIES.get(kind, _OTHER), QUOTA_ENTRIES.get(kind, _OTHER),
                            words.say(item, cert.serial),
                            item.source or item.reservation or item.id,
                            # a free signature (a public-service portal's, one within an
                            # unlimited term) takes nothing from the customer's signatures
                            sign * item.count if kind != "unlimited"
                            and item.basis is Basis.QUOTA else None)


class _QuotaWords:
    """A quota entry in plain words (:data:`QUOTA_PHRASES`): the documents a use signed (the
    signed documents of the same certificate closest after it), the relying party it signed
    for, the package a credit came from — never the certificate's name or an internal ID."""

    _WINDOW = timedelta(minutes=2)

    def __init__(self, uow: UnitOfWork, documents: list[Document], orders: dict[str, Order],
                 *, several: bool) -> None:
        self._uow, self._orders, self._several = uow, orders, several
        self._signed = sorted((d for d in documents if d.status is DocumentStatus.SIGNED
                               and d.signed_at is not None), key=lambda d: d.signed_at or 0)
        self._used: set[str] = set()
        self._parties: dict[str, str | None] = {}

    def say(self, item: LedgerEntry, serial: int) -> Text:
        text = self._phrase(item)
        if item.kind is EntryKind.CONSUME and item.basis is not Basis.QUOTA:
            free = QUOTA_PHRASES["free" if item.basis is Basis.PUBLIC_SERVICE else "within"]
            text = Text(f"{text.vi} · {free.vi}", f"{text.en} · {free.en}")
        if not self._several:
            return text
        which = _fill(QUOTA_PHRASES["certificate"], serial=short_serial(serial))
        return Text(f"{text.vi} · {which.vi}", f"{text.en} · {which.en}")

    def _phrase(self, item: LedgerEntry) -> Text:
        n = item.count
        kind = item.kind.value
        if kind == "consume":
            party = self._party(item.relying_party)
            if party:
                return _fill(QUOTA_PHRASES["party"], n=n, party=party)
            files = self._documents(item)
            if files:
                return _fill(QUOTA_PHRASES["documents"], n=n, files=", ".join(files))
            return _fill(QUOTA_PHRASES["consume"], n=n)
        if kind == "release":
            return _fill(QUOTA_PHRASES["release"], n=n)
        order = self._orders.get((item.source or "").removeprefix("order:"))
        if kind == "unlimited":
            until = (f"{item.until.astimezone(VIETNAM):%d/%m/%Y}" if item.until else "—")
            if order is not None:
                return _fill(QUOTA_PHRASES["unlimited_package"], until=until, package=order.name)
            return _fill(QUOTA_PHRASES["unlimited"], until=until)
        if order is not None:
            return _fill(QUOTA_PHRASES["credit_package"], n=n, package=order.name)
        return _fill(QUOTA_PHRASES["credit"], n=n)

    def _party(self, party_id: str | None) -> str | None:
        if party_id is None:
            return None
        if party_id not in self._parties:
            party = self._uow.relying.party(party_id)
            self._parties[party_id] = party.name if party else None
        return self._parties[party_id]

    def _documents(self, item: LedgerEntry) -> list[str]:
        """The ``count`` documents of the certificate signed nearest after the use."""
        near = [d for d in self._signed if d.id not in self._used
                and d.credential_id == item.credential_id and d.signed_at is not None
                and item.at - self._WINDOW / 4 <= d.signed_at <= item.at + self._WINDOW]
        near.sort(key=lambda d: abs((d.signed_at or item.at) - item.at))
        if len(near) < item.count:
            return []
        taken = near[:item.count]
        self._used.update(d.id for d in taken)
        return [d.file_name for d in taken]


def _fill(text: Text, **values: object) -> Text:
    return Text(text.vi.format(**values), text.en.format(**values))


_OTHER = Text("Khác", "Other")
_PAYMENT = Text("Đơn hàng", "Order")
_SIGNED = Text("Chữ ký số", "Digital signature")
_FORMATS = {"pades": "PAdES", "cades": "CAdES", "xades": "XAdES"}


def _transaction(challenge: Challenge, now: datetime) -> Entry:
    status = challenge.status
    if status is ChallengeStatus.PENDING and challenge.expires_at <= now:
        status = ChallengeStatus.EXPIRED
    details = challenge.details
    vi = describe(challenge.kind, details, "vi")
    description = (Text(vi, describe(challenge.kind, details, "en")) if vi
                   else details.get("relying_party") or "")
    return Entry(challenge.decided_at or challenge.created_at, Category.TRANSACTION,
                 challenge.kind, status.value, TRANSACTION_KINDS.get(challenge.kind, _OTHER),
                 TRANSACTION_STATUSES.get(status.value, _OTHER), description, challenge.id)


_RECEIPT = Text("Biên nhận ký số", "Signing receipt")
_RECEIPT_STATES = {"ready": Text("Đã tạo", "Made"),
                   "pending": Text("Đang tạo biên nhận", "Being made")}
# what the customer reads: what was signed and at whose request, in the words of the web
# app's "Bên tin cậy" page, not the protocol's name
_RECEIPT_KINDS = {
    "signDoc": Text("Ký tài liệu theo yêu cầu của bên tin cậy",
                    "Document signed at a relying party's request"),
    "signHash": Text("Ký dữ liệu theo yêu cầu của bên tin cậy",
                     "Data signed at a relying party's request"),
    "sp769": Text("Ký theo yêu cầu của bên tin cậy", "Signed at a relying party's request"),
    "multisign": Text("Ký tài liệu nhiều người ký", "Multi-signer document signed"),
}


def _receipt(job: ReceiptJob) -> Entry:
    """A signing receipt of a signature that is not an app document: what was signed, for
    whom (the relying party the receipt names), and whether it is made yet."""
    claims = json.loads(job.claims)
    kind = _RECEIPT_KINDS.get(job.kind, _OTHER)
    party = claims.get("relying_party")
    party = party.get("name") if isinstance(party, dict) else party
    name = (claims.get("document") or {}).get("name")
    extra = ", ".join(str(x) for x in (name, party) if x and x != "CSC API")
    description = Text(f"{kind.vi} — {extra}", f"{kind.en} — {extra}") if extra else kind
    state = "ready" if job.ready else "pending"
    return Entry(job.made_at or job.created_at, Category.SIGNATURE, f"receipt.{job.kind}",
                 state, _RECEIPT, _RECEIPT_STATES[state], description, job.id,
                 receipt=job.ready, receipt_pending=not job.ready, receipt_id=job.id)


def _signature(document: Document, record: SignatureRecord | None,
               title: Text | None) -> Entry:
    status = document.status.value
    at = document.signed_at or document.created_at
    how = f"({_FORMATS[document.format.value]} {document.options.level})"
    said = (Text(f"{title.vi} {how}", f"{title.en} {how}") if title
            else f"{document.file_name} {how}")
    return Entry(at, Category.SIGNATURE, document.format.value, status, _SIGNED,
                 DOCUMENT_STATUSES.get(status, _OTHER), said, document.id,
                 record=record.id if record else None,
                 receipt=bool(record and record.receipt_sha256),
                 receipt_pending=bool(record and not record.receipt_sha256))
