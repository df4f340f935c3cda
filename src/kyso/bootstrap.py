"""The composition root: settings → adapters → services, in one place.

Nothing is built at import time; :func:`bootstrap` builds a :class:`Container` on demand.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

from sqlalchemy import Engine

from kyso.accounts.contact import ContactChangeService, contact_change_kind
from kyso.accounts.identity_recovery import IdentityRecoveryService
from kyso.accounts.recovery import RecoveryService
from kyso.accounts.recovery_cases import RecoveryPolicy
from kyso.accounts.rules import SecretHasher
from kyso.accounts.service import AccountService, SessionPolicy, session_token_hash
from kyso.accounts.signup import SignUpService
from kyso.adapters.audit_anchor import CheckpointFile, SealSigner
from kyso.adapters.audit_sinks import AuditorEmailSink, CheckpointSink, CheckpointTee, SyslogSink
from kyso.adapters.blobs import DatabaseBlobStore, FileBlobStore, SealedBlobStore
from kyso.adapters.db.engine import make_engine
from kyso.adapters.db.health import readiness
from kyso.adapters.db.key_check import NodeKeys, open_master_key
from kyso.adapters.db.read_ahead import SigningReads
from kyso.adapters.db.repositories.audit import default_chain_mode
from kyso.adapters.db.repositories.pki import serial_hex
from kyso.adapters.db.schema import upgrade
from kyso.adapters.db.uow import SqlUnitOfWork, shared_reads
from kyso.adapters.email.smtp import SmtpEmailSender
from kyso.adapters.keystore import Pkcs11KeyStore, SoftwareKeyStore
from kyso.adapters.keystore.pkcs11_master import hsm_opener
from kyso.adapters.local_delivery import LocalDelivery
from kyso.adapters.metrics import observe_pool
from kyso.adapters.payments import SandboxBank, VnpayGateway, sandbox
from kyso.adapters.sandbox import ProcessSandbox, SandboxLimits
from kyso.adapters.sms.http import HttpSmsSender
from kyso.adapters.webhook import HttpWebhookSender
from kyso.audit.chain import ChainKey
from kyso.audit.checkpoint import AuditAnchor, CheckpointLog
from kyso.audit.model import AuditEvent, Outcome
from kyso.audit.sequencer import AuditSequencer
from kyso.billing.callbacks import PaymentCallbacks
from kyso.billing.certificates import CertificatesView
from kyso.billing.ledger import QuotaLedger
from kyso.billing.payment import PaymentGateway
from kyso.billing.products import CatalogService
from kyso.billing.provisioning import Provisioner
from kyso.billing.purchase import BillingPolicy, OrderService
from kyso.billing.quotas import QuotaService
from kyso.billing.report import ReportService
from kyso.clock import Clock, SystemClock
from kyso.config import Settings
from kyso.history.service import HistoryService
from kyso.keys import KeyAlgorithm, KeyStore
from kyso.lockout import LockoutPolicy
from kyso.notify.model import OutboundMessage
from kyso.notify.ports import EmailSender, SmsSender
from kyso.notify.service import Notifier
from kyso.notify.worker import OutboxWorker
from kyso.onboarding.acceptance import AcceptanceGate, AcceptanceService, acceptance_kind
from kyso.onboarding.activation import ActivationPolicy, Activator
from kyso.onboarding.adapters import OfficerFaceMatch
from kyso.onboarding.billing import BillingPackages
from kyso.onboarding.contract import ContractSeals, ContractService, contract_kind
from kyso.onboarding.ekyc import EkycPolicy, EkycService
from kyso.onboarding.ports import FaceMatch, Packages
from kyso.onboarding.registration import RegistrationService
from kyso.onboarding.renewal import RenewalService, renewal_kind
from kyso.onboarding.review import ReviewService
from kyso.onboarding.seal import Sealer
from kyso.onboarding.titles import DocumentTitles
from kyso.otp.enrolment import EnrolmentService
from kyso.otp.factor_smartotp import SmartOtpFactor
from kyso.otp.factor_sms import SmsFactor
from kyso.otp.factors import FactorRegistry
from kyso.otp.methods import MethodService
from kyso.otp.oob import OobPolicy, OobService
from kyso.otp.pin_change import PinChangeService, pin_change_kind
from kyso.otp.smartotp import SmartOtpPolicy, SmartOtpService
from kyso.otp.transactions import TransactionService
from kyso.pki.config import PkiConfig
from kyso.pki.directory import Directory
from kyso.pki.holder import HolderService
from kyso.pki.publishing import CrlIssuer, PkiPublisher
from kyso.pki.service import PkiService
from kyso.relying import csc_async, csc_oauth
from kyso.relying.completion import SignCompletion
from kyso.relying.consents import ConsentService
from kyso.relying.csc_async import AsyncSigning
from kyso.relying.csc_cleanup import CscCleanup
from kyso.relying.csc_oauth import CscOAuthService
from kyso.relying.parties import RelyingPartyService
from kyso.relying.requests import SignRequestService
from kyso.relying.settlement import Settler
from kyso.relying.webhooks import PartyWebhooks
from kyso.secrets import Envelope, MasterKey, Secret
from kyso.signing.credentials import parse_credential_id
from kyso.signing.document_signer import DocumentSigner
from kyso.signing.documents import (
    DocumentPolicy,
    DocumentService,
    batch_kind,
    document_kind,
)
from kyso.signing.multisign import MultisignService, multisign_kind
from kyso.signing.receipts import ReceiptService
from kyso.signing.revinfo import KysoTrust
from kyso.signing.service import SigningPolicy, SigningService, sad_token_hash
from kyso.signing.storage import BlobStore
from kyso.signing.validation import quiet_library_logs
from kyso.support import SupportDesk
from kyso.throttle import Throttle, ThrottlePolicy
from kyso.uow import UnitOfWork

__all__ = ["Container", "bootstrap", "init_home"]


def init_home(settings: Settings) -> bool:
    """Create ``KYSO_HOME``, the schema and the master key (refused when it does not open
    what the database holds: ``adapters/db/key_check.py``). Idempotent; True if anything
    was created."""
    created = settings.master_key is None and not settings.master_key_path.exists()
    settings.home.mkdir(mode=0o700, parents=True, exist_ok=True)
    engine = make_engine(settings.sqlalchemy_url)
    try:
        upgrade(engine)
        _open_keys(settings, engine, None)  # refuses another node's key
    finally:
        engine.dispose()
    return created


def _open_keys(settings: Settings, engine: Engine, refresh_seconds: float | None) -> NodeKeys:
    """The node's master key(s): a file, KYSO_MASTER_KEY or a PKCS#11 token (docs/KEYS.md)."""
    s = settings
    pin = s.master_key_pkcs11_user_pin
    hsm = (hsm_opener(s.pkcs11_module, Secret(pin))
           if s.pkcs11_module and pin is not None else None)
    hsm_key = ((s.master_key_pkcs11_token or "", s.master_key_pkcs11_label or "")
               if s.master_key_backend == "pkcs11" else None)
    return open_master_key(s.master_key_path, engine, s.given_master_key,
                           refresh_seconds=refresh_seconds, hsm=hsm, hsm_key=hsm_key)


@dataclass
class Container:
    settings: Settings
    clock: Clock
    hasher: SecretHasher

    @cached_property
    def engine(self) -> Engine:
        engine = make_engine(self.settings.sqlalchemy_url,
                             busy_timeout=self.settings.database_busy_timeout_seconds)
        observe_pool(engine)  # /metrics: connections in use (pool events)
        return engine

    def readiness(self) -> dict[str, str]:
        """``/readyz``: the database, its schema, the master key, the key store (each "ok"
        or what is wrong; ``adapters/db/health.py``)."""
        return readiness(self.engine, lambda: self.keys.keyring, lambda: self.keystore)

    @cached_property
    def keys(self) -> NodeKeys:
        """The master key(s), checked against the database, following a rotation."""
        return _open_keys(self.settings, self.engine, self.settings.keyring_refresh_seconds)

    @cached_property
    def master_key(self) -> MasterKey:
        """The root every subkey is derived from (sealed under the master key; stays the
        same across master-key rotations)."""
        return self.keys.root

    @cached_property
    def envelope(self) -> Envelope:
        return Envelope(self.keys.keyring)

    @cached_property
    def audit_key(self) -> ChainKey:
        """The audit chain's HMAC key: derived from the root sealed under the master key, so
        the database alone does not give it."""
        return ChainKey.derived(self.master_key)

    @cached_property
    def audit_anchor(self) -> AuditAnchor:
        """Checkpoints of the audit head in a file outside the database, signed by the seal."""
        signer = SealSigner(self.pki, self.keystore, self.pki_publisher.timestamp)
        return AuditAnchor(self.uow, self.clock, self.audit_key, signer, self._checkpoint_log())

    def _checkpoint_log(self) -> CheckpointLog:
        """The checkpoint file, and the external sinks configured (adapters/audit_sinks.py)."""
        s = self.settings
        sinks: list[CheckpointSink] = []
        if (syslog := s.audit_syslog) is not None:
            sinks.append(SyslogSink(*syslog, s.audit_syslog_protocol, self.clock))
        if s.audit_auditor_emails:
            sinks.append(AuditorEmailSink(self.uow, self.notifier, s.audit_auditor_emails))
        file = CheckpointFile(s.audit_checkpoint_path)
        return CheckpointTee(file, sinks, self._sink_failed) if sinks else file

    def _sink_failed(self, sink: str, reason: str) -> None:
        with self.uow() as uow:
            uow.audit.append(AuditEvent("audit.checkpoint_not_sent", Outcome.FAILURE,
                                        actor="audit", details={"sink": sink,
                                                                "reason": reason}),
                             self.clock.now())
            uow.commit()

    def uow(self, *, read_only: bool = False) -> UnitOfWork:
        return SqlUnitOfWork(self.engine, read_only=read_only, audit_key=self.audit_key,
                             audit_chain=self.audit_chain)

    def shared_reads(self, *, sign_hash: tuple[str, str | None, str] | None = None,
                     ) -> AbstractContextManager[None]:
        """Read-only units of work opened inside share one connection (``adapters/db/uow.py``):
        for a request that reads through several services and then writes (signHash).

        ``sign_hash``: a signHash's bearer token, SAD and credential id; with a SAD and a
        well-formed credential id, a session check of that token reads the SAD and the
        certificate in the same statement (``adapters/db/read_ahead.py``; an OAuth2 token
        is checked otherwise, and nothing is read ahead)."""
        ahead = None
        if sign_hash is not None:
            token, sad, credential = sign_hash
            parsed = parse_credential_id(credential)
            if sad is not None and parsed is not None:
                ahead = SigningReads(session_token_hash(token), sad_token_hash(sad),
                                     parsed[0], serial_hex(parsed[1]))
        return shared_reads(ahead)

    @cached_property
    def audit_chain(self) -> str:
        """``inline`` or ``batched`` (KYSO_AUDIT_CHAIN; auto: by the database)."""
        mode = self.settings.audit_chain
        return default_chain_mode(self.engine.dialect.name) if mode == "auto" else mode

    @cached_property
    def audit_sequencer(self) -> AuditSequencer:
        """Chains the pending audit events (batched mode; leftovers in inline mode)."""
        s = self.settings
        return AuditSequencer(self.uow, batch=s.audit_chain_batch,
                              interval=s.audit_chain_interval_seconds,
                              batched=self.audit_chain == "batched")

    @cached_property
    def notifier(self) -> Notifier:
        return Notifier(self.envelope, self.clock, desk=self.support_desk)

    @cached_property
    def support_desk(self) -> SupportDesk:
        """Where customers are sent for help (KYSO_SUPPORT_PHONE, KYSO_SUPPORT_EMAIL)."""
        return SupportDesk(self.settings.support_phone, self.settings.support_email)

    @cached_property
    def oob(self) -> OobService:
        s = self.settings
        policy = OobPolicy(s.otp_ttl_seconds, s.otp_max_attempts, s.otp_resend_seconds,
                           s.otp_max_sends_per_hour)
        return OobService(self.clock, self.notifier, self.master_key.derive("oob-otp"), policy)

    @cached_property
    def accounts(self) -> AccountService:
        s = self.settings
        return AccountService(
            self.uow, self.clock, self.hasher,
            LockoutPolicy(s.lockout_max_failures, s.lockout_base_seconds),
            SessionPolicy(s.session_ttl_seconds, s.session_idle_seconds),
            self.oob, throttle=self.throttle, notifier=self.notifier,
        )

    @cached_property
    def throttle(self) -> Throttle:
        s = self.settings
        return Throttle(ThrottlePolicy(
            free_failures=s.throttle_free_failures, base_seconds=s.throttle_base_seconds,
            max_seconds=s.throttle_max_seconds, warn_after=s.throttle_warn_after), self.clock)

    @cached_property
    def signup(self) -> SignUpService:
        return SignUpService(self.uow, self.clock, self.accounts, self.oob, self.notifier)

    @cached_property
    def holder(self) -> HolderService:
        return HolderService(self.uow, self.clock, self.pki, self.accounts, self.notifier)

    @cached_property
    def recovery(self) -> RecoveryService:
        return RecoveryService(self.uow, self.clock, self.hasher, self.accounts, self.oob,
                               self.notifier)

    @cached_property
    def identity_recovery(self) -> IdentityRecoveryService:
        """Both secrets lost: an officer-checked identity re-check (docs/ACCOUNTS.md)."""
        return IdentityRecoveryService(self.uow, self.clock, self.hasher, self.accounts,
                                       self.oob, self.notifier, self.onboarding_blobs,
                                       self.throttle, RecoveryPolicy(), EkycPolicy())

    @cached_property
    def smartotp(self) -> SmartOtpService:
        s = self.settings
        policy = SmartOtpPolicy(s.smartotp_max_failures, s.smartotp_activation_ttl_seconds,
                                resync_window_steps=s.smartotp_resync_window_steps,
                                authenticator_apps=s.smartotp_authenticator_apps)
        return SmartOtpService(self.uow, self.clock, self.envelope, self.notifier, policy)

    @cached_property
    def enrolment(self) -> EnrolmentService:
        return EnrolmentService(self.uow, self.clock, self.envelope, self.notifier, self.oob,
                                self.accounts, self.master_key.derive("smartotp"),
                                self.smartotp.policy)

    @cached_property
    def factors(self) -> FactorRegistry:
        return FactorRegistry(self.clock, [SmsFactor(self.oob), SmartOtpFactor(self.smartotp)])

    @cached_property
    def otp_methods(self) -> MethodService:
        return MethodService(self.uow, self.clock, self.accounts, self.notifier, self.factors)

    @cached_property
    def transactions(self) -> TransactionService:
        service = TransactionService(self.uow, self.clock, self.factors,
                                     self.settings.transaction_ttl_seconds)
        service.register_kind(contact_change_kind(self.clock))
        service.register_kind(pin_change_kind(self.clock, self.notifier))
        service.register_kind(self.sp769_completion.kind())
        service.register_kind(csc_oauth.kind(lambda: self.csc_oauth))
        service.register_kind(csc_async.kind(lambda: self.csc_async))
        service.register_kind(document_kind(self.document_signer))
        service.register_kind(batch_kind(self.document_signer))
        service.register_kind(multisign_kind(self.multisign))
        service.register_kind(contract_kind(self.uow, self.clock, self.contract_seals))
        service.register_kind(acceptance_kind(self.uow, self.clock, self.document_signer))
        service.register_kind(renewal_kind(self.uow, self.clock, self.pki, self.provisioner,
                                           self.notifier))
        return service

    @cached_property
    def pin_change(self) -> PinChangeService:
        return PinChangeService(self.uow, self.transactions)

    @cached_property
    def contact_change(self) -> ContactChangeService:
        return ContactChangeService(self.uow, self.transactions)

    @cached_property
    def local_delivery(self) -> LocalDelivery:
        return LocalDelivery()

    def email_sender(self) -> EmailSender:
        s = self.settings
        if s.email_backend == "local":
            return self.local_delivery
        return SmtpEmailSender(s.smtp_host, s.smtp_port, s.smtp_username, s.smtp_password,
                               s.smtp_starttls, s.smtp_timeout_seconds, s.mail_from)

    def sms_sender(self) -> SmsSender:
        s = self.settings
        if s.sms_backend == "local":
            return self.local_delivery
        assert s.sms_gateway_url is not None  # enforced by Settings in production
        return HttpSmsSender(s.sms_gateway_url, s.sms_gateway_token, s.smtp_timeout_seconds)

    def outbox_worker(self, observe: Callable[[OutboundMessage], None] | None = None,
                      every_pass: Callable[[], object] | None = None, *,
                      make_receipts: bool = True) -> OutboxWorker:
        """Email, SMS and relying-party webhooks; each pass first settles the SP769 requests
        that ended (which queues their webhook calls) and makes the signing receipts due
        (``ReceiptService.chore``: while more are due, the next pass comes after a breather,
        not a poll later). ``observe`` is told each attempt,
        ``every_pass`` called at the start of each pass (metrics)."""
        s = self.settings
        chores: list[Callable[[], object]] = [
            self.sp769_settler.sweep, *([self.receipts.chore] if make_receipts else []),
            *([every_pass] if every_pass else [])]
        return OutboxWorker(self.uow, self.envelope, self.email_sender(), self.sms_sender(),
                            self.clock, s.outbox_max_attempts, s.outbox_backoff_seconds,
                            s.outbox_lease_seconds, webhook=self.party_webhooks(),
                            chores=chores, observe=observe)

    # PKI and keys
    @cached_property
    def keystore(self) -> KeyStore:
        s = self.settings
        if s.keystore_backend == "software":
            return SoftwareKeyStore(self.envelope)
        assert s.pkcs11_module and s.pkcs11_token_label and s.pkcs11_user_pin  # Settings checks
        pin = Secret(s.pkcs11_user_pin.get_secret_value())
        return Pkcs11KeyStore(s.pkcs11_module, s.pkcs11_token_label, pin)

    @cached_property
    def pki_config(self) -> PkiConfig:
        s = self.settings
        return PkiConfig(
            base_url=s.public_base_url, organization=s.pki_organization,
            issuing_ca=s.pki_issuing_ca, ca_key=KeyAlgorithm(s.pki_ca_key),
            responder_key=KeyAlgorithm(s.pki_responder_key), tsa_key=KeyAlgorithm(s.pki_tsa_key),
            subscriber_key=KeyAlgorithm(s.pki_subscriber_key),
            certificate_days=s.pki_certificate_days, crl_hours=s.pki_crl_hours,
            ocsp_minutes=s.pki_ocsp_minutes, policy_oid=s.pki_policy_oid,
            tsa_policy_oid=s.pki_tsa_policy_oid, receipt_policy_oid=s.pki_receipt_policy_oid,
        )

    @cached_property
    def pki_directory(self) -> Directory:
        return Directory(self.keystore)

    @cached_property
    def crl_issuer(self) -> CrlIssuer:
        return CrlIssuer(self.pki_config, self.pki_directory)

    @cached_property
    def pki(self) -> PkiService:
        return PkiService(self.uow, self.keystore, self.clock, self.pki_config,
                          self.pki_directory, self.crl_issuer)

    @cached_property
    def pki_publisher(self) -> PkiPublisher:
        return PkiPublisher(self.uow, self.clock, self.pki_config, self.pki_directory,
                            self.crl_issuer)

    @cached_property
    def quota(self) -> QuotaLedger:
        ttl = timedelta(seconds=self.settings.quota_reservation_ttl_seconds)
        return QuotaLedger(self.clock, ttl)

    @cached_property
    def quotas(self) -> QuotaService:
        return QuotaService(self.uow, self.clock, self.quota)

    @cached_property
    def signing(self) -> SigningService:
        return SigningService(self.uow, self.clock, self.keystore, self.factors,
                              AcceptanceGate(self.quota),
                              SigningPolicy(self.settings.sad_ttl_seconds))

    # documents: PAdES/CAdES signing of whole files, validation
    @cached_property
    def document_trust(self) -> KysoTrust:
        return KysoTrust(self.pki_publisher, self.pki_config.base_url)

    @cached_property
    def pdf_sandbox(self) -> ProcessSandbox:
        s = self.settings
        return ProcessSandbox(SandboxLimits(
            workers=s.sandbox_workers, cpu_seconds=s.sandbox_cpu_seconds,
            wall_seconds=s.sandbox_wall_seconds, memory_mib=s.sandbox_memory_mib,
            queue_seconds=s.sandbox_queue_seconds),
            self.pki_publisher, self.pki_config.base_url)

    @cached_property
    def blobs(self) -> BlobStore:
        """Documents and signed outputs: the database store every node reaches (which still
        reads what the folders held before), or KYSO_HOME/documents."""
        if self.settings.blob_store == "files":
            return FileBlobStore(self.settings.home / "documents")
        return self.shared_blobs

    @cached_property
    def shared_blobs(self) -> DatabaseBlobStore:
        s = self.settings
        legacy = (FileBlobStore(s.home / "documents"),
                  SealedBlobStore(s.home / "onboarding", self.envelope))
        return DatabaseBlobStore(self.engine, self.envelope, self.clock,
                                 max_bytes=s.blob_max_bytes, legacy=legacy)

    def sweep_blobs(self) -> int:
        """``kyso worker``: blobs no longer referenced, past the retention period."""
        if self.settings.blob_store == "files":
            return 0
        return self.shared_blobs.sweep(timedelta(days=self.settings.blob_retention_days))

    @cached_property
    def document_signer(self) -> DocumentSigner:
        return DocumentSigner(self.uow, self.clock, self.signing, self.blobs,
                              self.document_trust, self.pdf_sandbox, self.receipts)

    @cached_property
    def receipts(self) -> ReceiptService:
        """Signature records (``/v/<id>``) and signing receipts, sealed by kyso."""
        return ReceiptService(self.uow, self.clock, self.pki.receipt_seal, self.keystore,
                              self.document_trust, self.blobs, self.settings.public_base_url)

    @cached_property
    def documents(self) -> DocumentService:
        return DocumentService(self.uow, self.clock, self.transactions, self.blobs,
                               DocumentPolicy(self.settings.document_max_bytes),
                               sandbox=self.pdf_sandbox, quota=self.quota)

    @cached_property
    def multisign(self) -> MultisignService:
        """Several signers on one PDF (docs/DOCUMENTS.md)."""
        return MultisignService(self.uow, self.clock, lambda: self.transactions, self.blobs,
                                self.pdf_sandbox, self.document_signer, self.notifier,
                                max_bytes=self.settings.document_max_bytes, quota=self.quota)

    @cached_property
    def history(self) -> HistoryService:
        return HistoryService(self.uow, self.clock)

    # relying parties (SP769)
    @cached_property
    def relying_parties(self) -> RelyingPartyService:
        s = self.settings
        return RelyingPartyService(self.uow, self.clock, self.hasher, self.throttle,
                                   self.envelope, https_webhooks_only=s.mode == "production")

    @cached_property
    def consents(self) -> ConsentService:
        return ConsentService(self.uow, self.clock, self.accounts, self.sp769_settler)

    @cached_property
    def sp769_settler(self) -> Settler:
        return Settler(self.uow, self.clock, self.notifier, self.settings.sad_ttl_seconds)

    @cached_property
    def sp769_completion(self) -> SignCompletion:
        return SignCompletion(self.uow, self.clock, self.signing, self.sp769_settler,
                              self.receipts.queue)

    @cached_property
    def csc_oauth(self) -> CscOAuthService:
        return CscOAuthService(self.uow, self.clock, self.relying_parties, self.transactions,
                               self.signing, self.envelope, accounts=self.accounts,
                               refresh_seconds=self.settings.csc_refresh_token_days * 86400)

    @cached_property
    def csc_cleanup(self) -> CscCleanup:
        return CscCleanup(self.uow, self.clock,
                          timedelta(hours=self.settings.csc_retention_hours))

    @cached_property
    def csc_async(self) -> AsyncSigning:
        return AsyncSigning(self.uow, self.clock, self.transactions, self.signing)

    @cached_property
    def sp769(self) -> SignRequestService:
        return SignRequestService(self.uow, self.clock, self.relying_parties, self.transactions,
                                  self.sp769_settler, self.notifier, self.quota)

    def party_webhooks(self) -> PartyWebhooks:
        return PartyWebhooks(self.uow, self.clock, self.relying_parties,
                             HttpWebhookSender(self.settings.webhook_timeout_seconds))

    # onboarding: registration, eKYC, contract, RA review, acceptance record
    @cached_property
    def packages(self) -> Packages:
        return BillingPackages(self.catalog, self.orders, self.provisioner, self.clock)

    @cached_property
    def face_match(self) -> FaceMatch:
        return OfficerFaceMatch()

    @cached_property
    def onboarding_blobs(self) -> BlobStore:
        """ID images and contracts: personal data, sealed in either store."""
        if self.settings.blob_store == "files":
            return SealedBlobStore(self.settings.home / "onboarding", self.envelope)
        return self.shared_blobs

    @cached_property
    def sealer(self) -> Sealer:
        return Sealer(self.uow, self.clock, self.pki, self.keystore, self.document_trust,
                      self.settings.pki_organization)

    @cached_property
    def contract_seals(self) -> ContractSeals:
        return ContractSeals(self.uow, self.clock, self.sealer, self.onboarding_blobs)

    @cached_property
    def registrations(self) -> RegistrationService:
        activator = Activator(self.notifier, self.master_key.derive("onboarding-activation"),
                              ActivationPolicy(ttl_seconds=self.settings.otp_ttl_seconds))
        return RegistrationService(self.uow, self.clock, self.packages, activator)

    @cached_property
    def ekyc(self) -> EkycService:
        return EkycService(self.uow, self.clock, self.onboarding_blobs, self.face_match,
                           EkycPolicy())

    @cached_property
    def contract(self) -> ContractService:
        return ContractService(self.uow, self.clock, self.transactions, self.onboarding_blobs,
                               self.settings.pki_organization)

    @cached_property
    def review(self) -> ReviewService:
        return ReviewService(self.uow, self.clock, self.pki, self.notifier, self.packages,
                             self.onboarding_blobs)

    @cached_property
    def acceptance(self) -> AcceptanceService:
        return AcceptanceService(self.uow, self.clock, self.transactions, self.blobs)

    @cached_property
    def document_titles(self) -> DocumentTitles:
        """Titles in words for the documents kyso made itself (the acceptance record)."""
        return DocumentTitles(self.uow)

    @cached_property
    def renewal(self) -> RenewalService:
        return RenewalService(self.uow, self.clock, self.transactions)

    # billing: catalogue, orders, payments, provisioning (docs/BILLING.md)
    @cached_property
    def sandbox_bank(self) -> SandboxBank:
        return SandboxBank(sandbox.TMN_CODE, self.sandbox_secret, self.clock)

    @cached_property
    def sandbox_secret(self) -> str:
        return self.master_key.derive("vnpay-sandbox").hex().upper()

    @cached_property
    def payment_gateway(self) -> PaymentGateway:
        s = self.settings
        if s.payment_gateway == "vnpay":
            assert s.vnpay_tmn_code and s.vnpay_hash_secret  # Settings checks
            return VnpayGateway(s.vnpay_tmn_code, s.vnpay_hash_secret.get_secret_value(),
                                s.vnpay_pay_url)
        return VnpayGateway(sandbox.TMN_CODE, self.sandbox_secret,
                            s.public_base_url + sandbox.PAY_PATH, name="sandbox")

    @cached_property
    def billing_policy(self) -> BillingPolicy:
        s = self.settings
        return BillingPolicy(s.billing_order_ttl_seconds, s.billing_ipn_grace_seconds,
                             s.public_base_url + "/billing/vnpay/return")

    @cached_property
    def catalog(self) -> CatalogService:
        return CatalogService(self.uow, self.clock)

    @cached_property
    def provisioner(self) -> Provisioner:
        return Provisioner(self.uow, self.clock, self.quota, self.notifier)

    @cached_property
    def orders(self) -> OrderService:
        return OrderService(self.uow, self.clock, self.payment_gateway, self.provisioner,
                            self.billing_policy)

    @cached_property
    def payment_callbacks(self) -> PaymentCallbacks:
        return PaymentCallbacks(self.uow, self.clock, self.payment_gateway, self.provisioner,
                                self.billing_policy)

    @cached_property
    def certificates_view(self) -> CertificatesView:
        return CertificatesView(self.uow, self.clock, self.quota)

    @cached_property
    def billing_report(self) -> ReportService:
        return ReportService(self.uow, self.quota)

    def close(self) -> None:
        if "pdf_sandbox" in self.__dict__:
            self.pdf_sandbox.close()
        if "keys" in self.__dict__:  # its watcher first: it reads through the engine
            self.keys.close()
        if "engine" in self.__dict__:
            self.engine.dispose()
        keystore = self.__dict__.get("keystore")
        if isinstance(keystore, Pkcs11KeyStore):
            keystore.close()


def bootstrap(settings: Settings, *, clock: Clock | None = None,
              hasher: SecretHasher | None = None) -> Container:
    hasher = hasher or SecretHasher(settings.argon2_time_cost, settings.argon2_memory_kib,
                                    settings.argon2_parallelism)
    quiet_library_logs()  # a bad document is one line of kyso's, not pyHanko's tracebacks
    return Container(settings, clock or SystemClock(), hasher)
