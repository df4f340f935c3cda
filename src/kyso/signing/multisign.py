"""Several signers on one PDF (docs/DOCUMENTS.md, "Several signers").

    draft (the initiator's PDF, checked in the sandbox) ─▶ send (signers by the email or phone
    they registered, each with a page and a box; sequential or parallel; an expiry) ─▶ each
    signer, in turn, opens a ``sign_multisign`` transaction and confirms it with their own
    SmartOTP ─▶ the ``after`` hook signs the file's current version in their field ─▶ the
    last signature completes it; everyone is told and may download the final file.

Earlier signatures stay valid: every signer's empty field is made in the same incremental
update as the first signature, which is a certification signature with DocMDP P=2 (form
filling and signing allowed); every later signature is an approval signature that only fills
its own field (:meth:`DocumentSigner.sign_in_field_recorded`). Signatures are made one at a
time (``busy_until``, taken under the envelope's row lock), each over the last version.

Each signer chooses their own stamp when they ask to sign (a reason, a location, a signature
image: shown in the transaction they approve), and each signature gets a public record like
a single signer's (its receipt, the stamp's QR code and link to ``/v/<id>``); the signer row
names it, and :meth:`MultisignService.shared` gives the page the document's other signatures.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from kyso.accounts.model import Account, AccountStatus
from kyso.audit.model import AuditEvent, Outcome
from kyso.clock import Clock
from kyso.errors import InvalidInput, KysoError, NotFound, Text, said
from kyso.notify.service import Notifier
from kyso.otp.factors import FactorProof
from kyso.otp.model import Purpose
from kyso.otp.token import Challenge
from kyso.otp.transactions import Kind, TransactionService
from kyso.pki.model import CertificateStatus
from kyso.signing.credentials import list_credentials
from kyso.signing.details import inside
from kyso.signing.document import Box, Level, SignOptions, clean_file_name, stamp_size_ok
from kyso.signing.document_errors import (
    NO_PAGE,
    AlreadySigned,
    DocumentTooLarge,
    NoCredential,
    NotADraft,
    StampOutsidePage,
)
from kyso.signing.document_signer import DocumentSigner
from kyso.signing.documents import QuotaAdvice
from kyso.signing.errors import OutOfSignatures
from kyso.signing.model import Credential
from kyso.signing.multisign_model import (
    Envelope,
    EnvelopeStatus,
    Mode,
    MultisignBusy,
    MultisignClosed,
    MultisignExpired,
    NotYourTurn,
    Signer,
    SignerStatus,
    UnknownSigner,
    turn,
)
from kyso.signing.pades import FieldPlan
from kyso.signing.pages import Layout
from kyso.signing.records import RECORD_ID, SignatureRecord
from kyso.signing.sandbox import PdfSandbox
from kyso.signing.service import Authorization
from kyso.signing.signature_image import clean_signature_image
from kyso.signing.storage import BlobStore
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["KIND", "MultisignService", "SharedDocument", "SignerPlan", "View",
           "multisign_kind"]

log = logging.getLogger(__name__)
KIND = "sign_multisign"
MAX_SIGNERS = 10
BUSY = timedelta(minutes=5)  # a signature in progress holds the file at most this long
PURPOSE = "MULTISIGN"


@dataclass(frozen=True)
class SignerPlan:
    login: str  # the email or phone number the signer registered with kyso
    page: int
    box: Box  # from the page's lower-left corner, as the page is shown


@dataclass(frozen=True)
class View:
    envelope: Envelope
    signers: list[Signer]
    now: datetime

    @property
    def status(self) -> EnvelopeStatus:
        return self.envelope.shown_status(self.now)

    def may_sign(self, account_id: str) -> bool:
        return self.envelope.open_at(self.now) and any(
            s.account_id == account_id for s in turn(self.envelope, self.signers))


@dataclass(frozen=True)
class SharedDocument:
    """What the public verification page of one signature shows of the several-signer
    document it belongs to: every signer's place (by position) and, once they signed, the
    record of their signature; no login, e-mail, phone or file name."""

    record_id: str  # the signature the page is about
    status: EnvelopeStatus
    signatures: list[tuple[int, SignerStatus, SignatureRecord | None]]  # in their order
    made: list[str]  # the records in the order the signatures were made

    @property
    def total(self) -> int:
        return len(self.signatures)

    @property
    def declined(self) -> bool:
        return any(status is SignerStatus.DECLINED for _, status, _ in self.signatures)

    @property
    def signed(self) -> list[SignatureRecord]:
        """The signatures made so far, in the order they were made."""
        records = {r.id: r for _, _, r in self.signatures if r is not None}
        return [records[i] for i in self.made if i in records]

    def versions(self) -> set[str]:
        """The SHA-256 of every version of the file that holds this signature: the output
        of this signature and of each one made after it (the final file holds them all)."""
        signed = self.signed
        mine = next(n for n, r in enumerate(signed) if r.id == self.record_id)
        return {r.signed_sha256 for r in signed[mine:]}


class MultisignService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock,
                 transactions: Callable[[], TransactionService], blobs: BlobStore,
                 sandbox: PdfSandbox,
                 signer: DocumentSigner, notifier: Notifier, *, max_bytes: int,
                 quota: QuotaAdvice | None = None) -> None:
        self._uow, self._clock, self._transactions = uow_factory, clock, transactions
        self._blobs, self._sandbox, self._signer = blobs, sandbox, signer
        self._notifier, self._max_bytes, self._quota = notifier, max_bytes, quota

    # -- the initiator -------------------------------------------------------------------
    def draft(self, account_id: str, data: bytes, file_name: str | None) -> Envelope:
        """Store the PDF to preview and place the signers' fields on."""
        if len(data) > self._max_bytes:
            raise DocumentTooLarge(limit=self._max_bytes)
        self._sandbox.inspect(data)  # a PDF, readable, not encrypted
        digest = self._blobs.put(data)
        envelope = Envelope(
            id=str(uuid.uuid4()), initiator_id=account_id,
            file_name=clean_file_name(file_name, "document.pdf"), size=len(data),
            sha256=digest, current_sha256=digest, mode=Mode.SEQUENTIAL, level=Level.B_T,
            status=EnvelopeStatus.DRAFT, signed_count=0, created_at=self._clock.now())
        with self._uow() as uow:
            uow.multisign.add(envelope)
            self._audit(uow, "multisign.created", envelope, account_id)
            uow.commit()
        return envelope

    def send(self, account_id: str, envelope_id: str, plans: Sequence[SignerPlan], *,
             mode: Mode, level: Level, days: int) -> View:
        """Name the signers and their fields, and send: the first signers are told."""
        if not 1 <= len(plans) <= MAX_SIGNERS:
            raise InvalidInput(Text(f"từ 1 đến {MAX_SIGNERS} người ký",
                                    f"1..{MAX_SIGNERS} signers"))
        if not 1 <= days <= 30:
            raise InvalidInput(Text("yêu cầu ký có hiệu lực từ 1 đến 30 ngày",
                                    "a signing request expires after 1..30 days"))
        envelope = self._mine(account_id, envelope_id)
        if envelope.status is not EnvelopeStatus.DRAFT:
            raise NotADraft()
        layout = self._sandbox.layout(self._blobs.get(envelope.sha256))
        now = self._clock.now()
        with self._uow() as uow:
            current = uow.multisign.get(envelope_id, for_update=True)
            if current is None or current.status is not EnvelopeStatus.DRAFT:
                raise NotADraft()
            signers = self._signers(uow, current, plans, layout)
            sent = replace(current, mode=mode, level=level, status=EnvelopeStatus.OPEN,
                           expires_at=now + timedelta(days=days))
            uow.multisign.save(sent)
            for signer in signers:
                uow.multisign.add_signer(signer)
            self._audit(uow, "multisign.sent", sent, account_id, signers=len(signers),
                        mode=mode.value)
            initiator = uow.accounts.get(account_id)
            self._tell_turn(uow, sent, signers, initiator.full_name if initiator else "")
            uow.commit()
        return View(sent, signers, now)

    def cancel(self, account_id: str, envelope_id: str, reason: str | None) -> View:
        reason = " ".join(reason.split())[:200] or None if reason else None
        with self._uow() as uow:
            envelope = self._locked(uow, envelope_id)
            if envelope.initiator_id != account_id:
                raise NotFound()
            self._still_open(uow, envelope)
            if envelope.busy_until is not None and envelope.busy_until > self._clock.now():
                raise MultisignBusy()
            done = replace(envelope, status=EnvelopeStatus.CANCELLED, note=reason,
                           finished_at=self._clock.now())
            uow.multisign.save(done)
            signers = uow.multisign.signers(envelope_id)
            self._audit(uow, "multisign.cancelled", done, account_id)
            for s in signers:
                self._tell(uow, s.account_id, Text("Yêu cầu ký đã bị hủy",
                                                   "Signing request cancelled"),
                           Text(f"Người gửi đã hủy yêu cầu ký tài liệu {done.file_name}.",
                                f"The sender cancelled the request to sign {done.file_name}."))
            uow.commit()
        return View(done, signers, self._clock.now())

    # -- a signer --------------------------------------------------------------------------
    def start(self, account_id: str, envelope_id: str, *, reason: str | None = None,
              location: str | None = None,
              image: bytes | None = None) -> tuple[View, Challenge]:
        """The signer's transaction, whose SmartOTP code signs their field (their turn), with
        their own stamp: a reason, a location and a signature image (PNG or JPEG), each
        optional, shown in the transaction before they approve it."""
        try:
            stamp = SignOptions(reason=reason or None, location=location or None)
        except ValueError as exc:
            raise InvalidInput(said(exc)) from None
        credential = self._credential(account_id)
        kept = self._blobs.put(clean_signature_image(image)) if image else None
        with self._uow() as uow:
            envelope = self._locked(uow, envelope_id)
            signers = uow.multisign.signers(envelope_id)
            me = self._signer_of(signers, account_id)
            self._still_open(uow, envelope)
            if me.status is SignerStatus.SIGNED:
                raise AlreadySigned()
            self._my_turn(envelope, signers, me)
            if self._quota is not None and not self._quota.covers(uow, credential.id, 1):
                raise OutOfSignatures()
            me = replace(me, reason=stamp.reason, location=stamp.location, image=kept)
            challenge = self._transactions().create(uow, account_id, KIND,
                                                  self._details(envelope, me, credential,
                                                                len(signers)))
            me = replace(me, transaction_id=challenge.id, credential_id=credential.id)
            uow.multisign.save_signer(me)
            uow.commit()
        signers = [me if s.position == me.position else s for s in signers]
        return View(envelope, signers, self._clock.now()), challenge

    def decline(self, account_id: str, envelope_id: str, reason: str) -> View:
        reason = " ".join(reason.split())
        if not 1 <= len(reason) <= 200:
            raise InvalidInput(Text("lý do từ chối dài từ 1 đến 200 ký tự",
                                    "a reason to decline has 1..200 characters"))
        with self._uow() as uow:
            envelope = self._locked(uow, envelope_id)
            signers = uow.multisign.signers(envelope_id)
            me = self._signer_of(signers, account_id)
            self._still_open(uow, envelope)
            if me.status is not SignerStatus.WAITING:
                raise AlreadySigned() if me.status is SignerStatus.SIGNED else MultisignBusy()
            me = replace(me, status=SignerStatus.DECLINED, declined_reason=reason)
            done = replace(envelope, status=EnvelopeStatus.DECLINED,
                           note=reason, finished_at=self._clock.now())
            uow.multisign.save_signer(me)
            uow.multisign.save(done)
            self._audit(uow, "multisign.declined", done, account_id, position=me.position)
            text = Text(f"{me.name} đã từ chối ký tài liệu {done.file_name}. Lý do: {reason}",
                        f"{me.name} declined to sign {done.file_name}. Reason: {reason}")
            for who in {done.initiator_id, *(s.account_id for s in signers)} - {account_id}:
                self._tell(uow, who, Text("Tài liệu bị từ chối ký", "Signing declined"), text)
            uow.commit()
        signers = [me if s.position == me.position else s for s in signers]
        return View(done, signers, self._clock.now())

    # -- both -----------------------------------------------------------------------------
    def get(self, account_id: str, envelope_id: str) -> View:
        with self._uow(read_only=True) as uow:
            envelope = uow.multisign.get(envelope_id)
            signers = uow.multisign.signers(envelope_id) if envelope else []
        if envelope is None or not self._party(envelope, signers, account_id):
            raise NotFound()
        return View(envelope, signers, self._clock.now())

    def recent(self, account_id: str, limit: int = 50) -> list[View]:
        with self._uow(read_only=True) as uow:
            found = uow.multisign.for_account(account_id, limit)
            views = [View(e, uow.multisign.signers(e.id), self._clock.now()) for e in found]
        return [v for v in views if self._party(v.envelope, v.signers, account_id)]

    def layout(self, account_id: str, envelope_id: str) -> Layout:
        view = self.get(account_id, envelope_id)
        return self._sandbox.layout(self._blobs.get(view.envelope.current_sha256))

    def page_png(self, account_id: str, envelope_id: str, number: int) -> bytes:
        view = self.get(account_id, envelope_id)
        data = self._blobs.get(view.envelope.current_sha256)
        if not 1 <= number <= self._sandbox.inspect(data).pages:
            raise NotFound(NO_PAGE)
        return self._sandbox.render(data, number)

    def output(self, account_id: str, envelope_id: str) -> tuple[View, bytes]:
        """The file as it stands (the final file once completed), to any party."""
        view = self.get(account_id, envelope_id)
        return view, self._blobs.get(view.envelope.current_sha256)

    def shared(self, record_id: str) -> SharedDocument | None:
        """The several-signer document the signature ``record_id`` was made on, if any
        (the public verification page)."""
        record_id = record_id.lower()
        if not RECORD_ID.fullmatch(record_id):
            return None
        with self._uow(read_only=True) as uow:
            me = uow.multisign.by_record(record_id)
            envelope = uow.multisign.get(me.envelope_id) if me is not None else None
            if me is None or envelope is None:
                return None
            signers = uow.multisign.signers(envelope.id)
            signatures = [(s.position, s.status, uow.signature_records.get(s.record_id)
                           if s.record_id else None) for s in signers]
        made = [s.record_id for s in sorted(signers, key=lambda s: s.signed_order or 0)
                if s.record_id is not None]
        return SharedDocument(record_id, envelope.shown_status(self._clock.now()), signatures,
                              made)

    # -- the transaction kind ------------------------------------------------------------
    def check_open(self, uow: UnitOfWork, challenge: Challenge) -> None:
        """In the confirming transaction: the signer's turn is still open for this code."""
        envelope = uow.multisign.get(challenge.details.get("envelope_id", ""))
        if envelope is None:
            raise NotFound()
        signers = uow.multisign.signers(envelope.id)
        me = self._by_challenge(signers, challenge)
        if not envelope.open_at(self._clock.now()):
            raise (MultisignExpired() if envelope.status is EnvelopeStatus.OPEN
                   else MultisignClosed(status=_status_text(envelope.status)))
        if me.status is not SignerStatus.WAITING:
            raise AlreadySigned()
        self._my_turn(envelope, signers, me)

    def sign_confirmed(self, challenge: Challenge, proof: FactorProof) -> View:
        """The ``after`` hook: take the file, sign the current version in the field, store."""
        if not proof.confirms(challenge):
            raise NotFound()
        now = self._clock.now()
        with self._uow() as uow:
            envelope = self._locked(uow, challenge.details.get("envelope_id", ""))
            signers = uow.multisign.signers(envelope.id)
            me = self._by_challenge(signers, challenge)
            self._still_open(uow, envelope)
            if me.status is not SignerStatus.WAITING:
                raise AlreadySigned()
            self._my_turn(envelope, signers, me)
            if envelope.busy_until is not None and envelope.busy_until > now:
                raise MultisignBusy()
            envelope = replace(envelope, busy_until=now + BUSY)
            me = replace(me, status=SignerStatus.SIGNING)
            uow.multisign.save(envelope)
            uow.multisign.save_signer(me)
            uow.commit()
        try:
            output, record = self._produce(envelope, signers, me, challenge, proof)
        except Exception as exc:
            self._release(envelope, me, exc)
            raise
        return self._finish(envelope, me, output, record)

    def _produce(self, envelope: Envelope, signers: list[Signer], me: Signer,
                 challenge: Challenge,
                 proof: FactorProof) -> tuple[bytes, SignatureRecord | None]:
        assert me.credential_id is not None
        credential = self._signer.usable_credential(me.account_id, me.credential_id)
        pdf = self._blobs.get(envelope.current_sha256)
        first = envelope.signed_count == 0
        fields = tuple(FieldPlan(s.field_name, s.page, s.box) for s in signers) if first else ()
        options = SignOptions(level=envelope.level, visible=True, reason=me.reason,
                              location=me.location, page=me.page, box=me.box, image=me.image)
        image = self._blobs.get(me.image) if me.image else None

        def authorize(uow: UnitOfWork) -> Authorization:
            current = {s.position: s for s in uow.multisign.signers(envelope.id)}[me.position]
            if current.status is not SignerStatus.SIGNING \
                    or current.transaction_id != me.transaction_id:
                raise AlreadySigned()
            return proof

        return self._signer.sign_in_field_recorded(
            pdf, me.field_name, options, credential, authorize, certify=first, fields=fields,
            image=image, file_name=envelope.file_name, sha256=envelope.sha256,
            challenge=challenge)

    def _finish(self, envelope: Envelope, me: Signer, output: bytes,
                record: SignatureRecord | None) -> View:
        digest, now = self._blobs.put(output), self._clock.now()
        with self._uow() as uow:
            current = self._locked(uow, envelope.id)
            me = replace(me, status=SignerStatus.SIGNED, signed_at=now,
                         record_id=record.id if record else None,
                         signed_order=current.signed_count + 1)
            uow.multisign.save_signer(me)
            if record is not None:  # the public record (/v/<id>) and what the receipt binds
                uow.signature_records.add(record)
                uow.audit.append(AuditEvent("document.signed", Outcome.SUCCESS,
                                            actor=me.account_id, subject=me.credential_id,
                                            details={"sha256": record.sha256,
                                                     "level": record.level,
                                                     "via": "multisign",
                                                     "envelope": envelope.id,
                                                     "event": record.audit_event,
                                                     "record": record.id}), now)
            signers = uow.multisign.signers(envelope.id)
            done = all(s.status is SignerStatus.SIGNED for s in signers)
            current = replace(current, current_sha256=digest, busy_until=None,
                              signed_count=current.signed_count + 1,
                              status=EnvelopeStatus.COMPLETED if done else current.status,
                              finished_at=now if done else None)
            uow.multisign.save(current)
            self._audit(uow, "multisign.signed", current, me.account_id, position=me.position,
                        signed_sha256=digest, credential=me.credential_id,
                        record=me.record_id)
            self._signer.receipt_later(uow, "multisign", me.account_id, {  # signing receipt
                "envelope": current.id, "level": current.level.value,
                "record": record.id if record else None,
                "document": {"name": current.file_name, "sha256": current.sha256,
                             "signed_before_sha256": envelope.current_sha256,
                             "signed_sha256": digest, "format": "pades"},
                "signer": {"name": me.name, "position": me.position,
                           "credential": me.credential_id},
                "relying_party": None, "signed_at": now.isoformat(),
                "challenge": {"id": me.transaction_id, "kind": KIND},
                "audit": {"action": "multisign.signed"}},
                receipt_id=record.id if record else None)
            if done:
                self._audit(uow, "multisign.completed", current, me.account_id)
                text = Text(f"Mọi người đã ký tài liệu {current.file_name}. Hãy mở kyso để "
                            "tải tệp đã ký.",
                            f"Everyone has signed {current.file_name}. Open kyso to download "
                            "the signed file.")
                for who in {current.initiator_id, *(s.account_id for s in signers)}:
                    self._tell(uow, who, Text("Tài liệu đã ký xong", "Document fully signed"),
                               text)
            else:
                if me.account_id != current.initiator_id:
                    self._tell(uow, current.initiator_id,
                               Text("Có người vừa ký tài liệu", "A signer has signed"),
                               Text(f"{me.name} đã ký tài liệu {current.file_name} "
                                    f"({current.signed_count}/{len(signers)}).",
                                    f"{me.name} has signed {current.file_name} "
                                    f"({current.signed_count}/{len(signers)})."))
                if current.mode is Mode.SEQUENTIAL:
                    initiator = uow.accounts.get(current.initiator_id)
                    self._tell_turn(uow, current, signers,
                                    initiator.full_name if initiator else "")
            uow.commit()
        return View(current, signers, now)

    def _release(self, envelope: Envelope, me: Signer, exc: BaseException) -> None:
        """A signature that failed: the signer may try again with a new code."""
        with self._uow() as uow:
            current = uow.multisign.get(envelope.id, for_update=True)
            signer = {s.position: s for s in uow.multisign.signers(envelope.id)}[me.position]
            if current is None or signer.status is not SignerStatus.SIGNING:
                return
            uow.multisign.save(replace(current, busy_until=None))
            uow.multisign.save_signer(replace(signer, status=SignerStatus.WAITING,
                                              transaction_id=None))
            code = exc.code if isinstance(exc, KysoError) else "signing_failed"
            self._audit(uow, "multisign.sign_failed", current, me.account_id, Outcome.FAILURE,
                        position=me.position, error=code)
            uow.commit()
        if not isinstance(exc, KysoError):
            log.error("a multisign signature failed: %s", type(exc).__name__)

    # -- helpers -------------------------------------------------------------------------
    def _signers(self, uow: UnitOfWork, envelope: Envelope, plans: Sequence[SignerPlan],
                 layout: Layout) -> list[Signer]:
        signers: list[Signer] = []
        for n, plan in enumerate(plans, 1):
            login = plan.login.strip()
            account = uow.accounts.find_by_login(login) if 0 < len(login) <= 320 else None
            if account is None or login not in (account.email, account.phone) \
                    or account.status is not AccountStatus.ACTIVE:
                raise UnknownSigner(login=login[:80])
            if any(s.account_id == account.id for s in signers):
                raise InvalidInput(Text(f"{login} được chỉ định hai lần",
                                        f"{login} is named twice"))
            if not stamp_size_ok(plan.box):
                raise InvalidInput(Text("ô chữ ký rộng 60–420 điểm và cao 24–200 điểm",
                                        "a signature field is 60..420 × 24..200 points"))
            if plan.page > len(layout.pages) or not inside(plan.box,
                                                           layout.pages[plan.page - 1]):
                raise StampOutsidePage(page=plan.page)
            box = layout.pages[plan.page - 1].to_user(plan.box)
            signers.append(Signer(envelope.id, n, account.id, account.full_name, login,
                                  f"Signature-kyso-{envelope.id[:8]}-{n}", plan.page, box))
        return signers

    def _details(self, envelope: Envelope, me: Signer, credential: Credential,
                 total: int) -> dict[str, str]:
        return {
            "envelope_id": envelope.id,
            "position": str(me.position),
            "description": f"Ký số tài liệu {envelope.file_name} (PAdES {envelope.level}, "
                           f"người ký {me.position}/{total}, trang {me.page})",
            "file_name": envelope.file_name,
            "sha256": envelope.sha256,
            "size": str(envelope.size),
            "format": "PAdES",
            "level": envelope.level.value,
            "credential": credential.id,
            "signer": credential.certificate.subject,
            "stamp_page": str(me.page),
            "stamp_box": " ".join(f"{v:g}" for v in me.box),
            **({"reason": me.reason} if me.reason else {}),
            **({"location": me.location} if me.location else {}),
            **({"signature_image": me.image} if me.image else {}),
        }

    def _credential(self, account_id: str) -> Credential:
        now = self._clock.now()
        with self._uow(read_only=True) as uow:
            for credential in list_credentials(uow, account_id):
                if credential.status_at(now) is CertificateStatus.ACTIVE:
                    return credential
        raise NoCredential()

    def _mine(self, account_id: str, envelope_id: str) -> Envelope:
        with self._uow(read_only=True) as uow:
            envelope = uow.multisign.get(envelope_id)
        if envelope is None or envelope.initiator_id != account_id:
            raise NotFound()
        return envelope

    @staticmethod
    def _party(envelope: Envelope, signers: list[Signer], account_id: str) -> bool:
        if envelope.initiator_id == account_id:
            return True
        return envelope.status is not EnvelopeStatus.DRAFT and any(
            s.account_id == account_id for s in signers)

    def _locked(self, uow: UnitOfWork, envelope_id: str) -> Envelope:
        envelope = uow.multisign.get(envelope_id, for_update=True)
        if envelope is None:
            raise NotFound()
        return envelope

    @staticmethod
    def _signer_of(signers: list[Signer], account_id: str) -> Signer:
        for s in signers:
            if s.account_id == account_id:
                return s
        raise NotFound()

    @staticmethod
    def _by_challenge(signers: list[Signer], challenge: Challenge) -> Signer:
        for s in signers:
            if s.account_id == challenge.account_id and s.transaction_id == challenge.id:
                return s
        raise NotFound()

    def _still_open(self, uow: UnitOfWork, envelope: Envelope) -> None:
        """Open, or the reason it is not (an expiry found now is written down)."""
        if envelope.open_at(self._clock.now()):
            return
        if envelope.status is EnvelopeStatus.OPEN:  # past its expiry: write it down
            expired = replace(envelope, status=EnvelopeStatus.EXPIRED,
                              finished_at=self._clock.now())
            uow.multisign.save(expired)
            self._audit(uow, "multisign.expired", expired, None)
            self._tell(uow, envelope.initiator_id, Text("Yêu cầu ký đã hết hạn",
                                                        "Signing request expired"),
                       Text(f"Yêu cầu ký tài liệu {envelope.file_name} đã hết hạn trước khi "
                            "mọi người ký xong.",
                            f"The request to sign {envelope.file_name} expired before "
                            "everyone signed."))
            uow.commit()
            raise MultisignExpired()
        raise MultisignClosed(status=_status_text(envelope.status))

    def _my_turn(self, envelope: Envelope, signers: list[Signer], me: Signer) -> None:
        now_turn = turn(envelope, signers)
        if any(s.position == me.position for s in now_turn):
            return
        if me.status is SignerStatus.SIGNING:
            raise MultisignBusy()
        names = ", ".join(s.name for s in now_turn) or "?"
        raise NotYourTurn(waiting=names)

    def _tell_turn(self, uow: UnitOfWork, envelope: Envelope, signers: list[Signer],
                   sender: str) -> None:
        for s in turn(envelope, signers):
            self._tell(uow, s.account_id, Text("Có tài liệu chờ Quý khách ký",
                                               "A document is waiting for your signature"),
                       Text(f"{sender} mời Quý khách ký tài liệu {envelope.file_name}. "
                            "Hãy mở kyso, mục Ký nhiều người, để xem và ký.",
                            f"{sender} asks you to sign {envelope.file_name}. Open kyso, "
                            "Several signers, to read and sign it."))

    def _tell(self, uow: UnitOfWork, account_id: str, title: Text, body: Text) -> None:
        account: Account | None = uow.accounts.get(account_id)
        if account is not None:
            self._notifier.tell(uow, account, title, body, purpose=PURPOSE)

    def _audit(self, uow: UnitOfWork, action: str, envelope: Envelope, actor: str | None,
               outcome: Outcome = Outcome.SUCCESS, **extra: str | int | None) -> None:
        details: dict[str, str | int | bool | None] = {
            "envelope": envelope.id, "sha256": envelope.sha256, "status": envelope.status.value,
            "signed": envelope.signed_count, **extra}
        uow.audit.append(AuditEvent(action, outcome, actor=actor, subject=envelope.id,
                                    details=details), self._clock.now())


def _status_text(status: EnvelopeStatus) -> Text:
    return {
        EnvelopeStatus.COMPLETED: Text("đã ký xong", "completed"),
        EnvelopeStatus.DECLINED: Text("đã bị từ chối", "declined"),
        EnvelopeStatus.CANCELLED: Text("đã bị hủy", "cancelled"),
        EnvelopeStatus.EXPIRED: Text("đã hết hạn", "expired"),
    }.get(status, Text(status.value, status.value))


def multisign_kind(service: MultisignService) -> Kind:
    """The ``sign_multisign`` transaction: confirming it signs the signer's field, once."""

    def after(challenge: Challenge, proof: FactorProof) -> None:
        service.sign_confirmed(challenge, proof)

    return Kind(KIND, Purpose.SIGN, service.check_open, after)

