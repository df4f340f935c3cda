"""Typed settings, parsed once.

Sources, strongest first: keyword arguments, ``KYSO_*`` environment variables, then
``KYSO_HOME/kyso.toml``. Unknown keys fail in every source. Secrets are ``SecretStr`` and
never print. In ``production`` mode the development defaults are refused.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

__all__ = ["ConfigError", "Settings", "load_settings"]

ENV_PREFIX = "KYSO_"
_NOT_SETTINGS = {"KYSO_TEST_DATABASE_URL"}  # read by the test suite, not by the service
KeyAlgorithmName = Literal["rsa-2048", "rsa-3072", "ec-p256", "ec-p384"]  # PKI and keys


class ConfigError(Exception):
    """The configuration is invalid; the message says which key and why."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, extra="forbid", frozen=True, case_sensitive=False
    )

    mode: Literal["development", "production"] = "development"
    home: Path = Path("var")
    database_url: str | None = None
    # SQLite: how long a writer waits for another process's lock before answering 503
    database_busy_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    # the hot routes (CSC signHash, SmartOTP verify) run on at most this many threads of a
    # worker process at once; unset: on the event loop's own thread on SQLite with software
    # keys and a master-key file, 1 thread on SQLite otherwise (its writers take turns
    # anyway), 2 on PostgreSQL. More only contend for the GIL and the write lock, unless the
    # key store makes a thread wait (a network HSM: raise it to its sessions per worker;
    # api/hot.py)
    hot_path_threads: int | None = Field(default=None, ge=1, le=64)
    public_base_url: str = "http://127.0.0.1:8000"
    default_locale: Literal["vi", "en"] = "vi"
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "json"  # serve and worker (entrypoints/logs.py)
    # reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: comma-separated
    # addresses or networks ("10.0.0.0/8, 127.0.0.1"); empty: none, the peer is the client
    trusted_proxies: str = ""
    # who may read /metrics (client addresses or networks, or "*"); others get 404
    metrics_allow: str = "127.0.0.1, ::1"
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # the master key: a file (default KYSO_HOME/master.key) or the key itself, base64 of 32
    # bytes (KYSO_MASTER_KEY, e.g. from a secret manager); production wants it away from the
    # database
    master_key_file: Path | None = None
    master_key: SecretStr | None = None
    # how often a running node looks for a master-key rotation (docs/KEYS.md)
    keyring_refresh_seconds: float = Field(default=10.0, ge=0, le=3600)
    # or a non-extractable AES key in a PKCS#11 token (module: pkcs11_module); the PIN from
    # KYSO_MASTER_KEY_PKCS11_PIN or a file. Nodes keep these set while a rotation to the
    # token runs (docs/KEYS.md)
    master_key_backend: Literal["file", "pkcs11"] = "file"
    master_key_pkcs11_token: str | None = None
    master_key_pkcs11_label: str | None = None
    master_key_pkcs11_pin: SecretStr | None = None
    master_key_pkcs11_pin_file: Path | None = None
    # audit checkpoints: a file outside the database (default KYSO_HOME/audit-checkpoints.jsonl)
    audit_checkpoint_file: Path | None = None
    # ...also sent to a syslog collector ("host:port", RFC 5424 over TCP or UDP) and by email
    # to auditors through the outbox (docs/KEYS.md)
    audit_syslog_address: str | None = Field(default=None, pattern=r"^\[?[^\s\]]+\]?:\d{1,5}$")
    audit_syslog_protocol: Literal["udp", "tcp"] = "tcp"
    audit_auditor_emails: list[str] = Field(default_factory=list)
    # -- audseq: how an audited transaction puts its event on the hash chain. "inline": it
    # locks the chain's head and chains the event itself (every audited transaction waits
    # for the one before to commit); "batched": it writes the event to audit_pending and the
    # sequencer (a thread of each serve process and of the worker, and every reader of the
    # trail first) chains them in batches (docs/ARCHITECTURE.md, "Audit trail"). "auto":
    # batched on PostgreSQL, inline on SQLite (one writer at a time anyway)
    audit_chain: Literal["auto", "inline", "batched"] = "auto"
    # the sequencer's thread: a pass at most this often while events are pending...
    audit_chain_interval_seconds: float = Field(default=0.05, gt=0, le=10)
    # ...and up to this many events chained per transaction
    audit_chain_batch: int = Field(default=500, ge=1, le=10_000)

    # accounts
    session_ttl_seconds: int = Field(default=12 * 3600, ge=60)
    session_idle_seconds: int = Field(default=30 * 60, ge=60)
    lockout_max_failures: int = Field(default=5, ge=1)  # account PIN; sp_password: throttled
    lockout_base_seconds: int = Field(default=300, ge=1)
    # passwords and sp_passwords: back-off per account (or party) and client address
    throttle_free_failures: int = Field(default=3, ge=1, le=100)
    throttle_base_seconds: int = Field(default=2, ge=1, le=3600)
    throttle_max_seconds: int = Field(default=900, ge=1, le=86400)
    throttle_warn_after: int = Field(default=5, ge=1, le=1000)  # failures → the owner is told
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=1024)
    argon2_parallelism: int = Field(default=2, ge=1)
    # POST /api/v1/accounts (an active account at once, no codes): operators' scripts and
    # tests; None means on in development, off in production (customers use /api/v1/signup)
    direct_signup: bool | None = None

    # out-of-band OTP
    otp_ttl_seconds: int = Field(default=300, ge=30, le=300)
    otp_max_attempts: int = Field(default=5, ge=1)
    otp_resend_seconds: int = Field(default=60, ge=0)
    otp_max_sends_per_hour: int = Field(default=5, ge=1)

    # SmartOTP and transaction codes
    smartotp_max_failures: int = Field(default=5, ge=1)
    smartotp_activation_ttl_seconds: int = Field(default=600, ge=60, le=3600)
    smartotp_resync_window_steps: int = Field(default=120, ge=2, le=2880)
    smartotp_authenticator_apps: bool = False
    transaction_ttl_seconds: int = Field(default=300, ge=30, le=900)

    # signing
    sad_ttl_seconds: int = Field(default=300, ge=30, le=300)
    # a quota reservation neither committed nor released (a crash mid-signature) counts as
    # released after this long; it must outlast the slowest signature
    quota_reservation_ttl_seconds: int = Field(default=600, ge=60, le=86400)

    # documents (PAdES and CAdES signing, validation): uploads up to this size
    # where documents, signed outputs and eKYC images live: "database" (every node reaches
    # them; sealed, in chunks) or "files" (KYSO_HOME/documents and /onboarding: one node)
    blob_store: Literal["database", "files"] = "database"
    blob_max_bytes: int = Field(default=128 * 1024 * 1024, ge=1024, le=1024 * 1024 * 1024)
    blob_retention_days: int = Field(default=30, ge=1, le=3650)  # unreferenced, then removed
    document_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024, le=512 * 1024 * 1024)
    # untrusted PDFs are read in sandboxed child processes with these limits (per file)
    sandbox_workers: int = Field(default=2, ge=1, le=64)
    sandbox_cpu_seconds: int = Field(default=5, ge=1, le=600)
    sandbox_wall_seconds: float = Field(default=10.0, gt=0, le=600)
    sandbox_memory_mib: int = Field(default=1024, ge=256, le=65536)
    sandbox_queue_seconds: float = Field(default=30.0, gt=0, le=600)  # then 503, Retry-After

    # CSC API (/csc/v2)
    csc_require_pin: bool = False  # credentials/authorize also asks for the account PIN
    # -- oauth: a refresh token (service scope, auth/login rememberMe) unused this long
    # expires; every use rotates it and starts the period again
    csc_refresh_token_days: int = Field(default=30, ge=1, le=365)
    # -- oauth: the worker deletes OAuth2 codes and tokens, refresh tokens and asynchronous
    # signHash responses this long after they expired or were revoked
    csc_retention_hours: int = Field(default=24, ge=1, le=24 * 3650)

    # notifications
    email_backend: Literal["local", "smtp"] = "local"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "kyso <no-reply@kyso.invalid>"
    sms_backend: Literal["local", "http"] = "local"
    sms_gateway_url: str | None = None
    sms_gateway_token: SecretStr | None = None
    outbox_max_attempts: int = Field(default=8, ge=1)
    outbox_backoff_seconds: float = Field(default=5.0, gt=0)
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    # receipts: `kyso serve`'s outbox (its duties process with --workers N) makes signing
    # receipts too (false: only `kyso worker` does, keeping the node's CPU for requests)
    serve_makes_receipts: bool = True
    # a message a worker claimed and did not record (the worker died, or the database went
    # away after the send) is tried again, under the same id, once this lease ends; it
    # must outlast one send (smtp_timeout_seconds, also the SMS gateway's; webhook_timeout_seconds)
    outbox_lease_seconds: float = Field(default=60.0, gt=0, le=3600)

    # PKI and keys
    keystore_backend: Literal["software", "pkcs11"] = "software"
    pkcs11_module: str | None = None  # e.g. /usr/lib/softhsm/libsofthsm2.so
    pkcs11_token_label: str | None = None
    pkcs11_user_pin: SecretStr | None = None
    pki_organization: str = Field(default="kyso", min_length=1, max_length=64)
    pki_issuing_ca: str = Field(default="kyso-ca", pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    pki_ca_key: KeyAlgorithmName = "rsa-3072"
    pki_responder_key: KeyAlgorithmName = "rsa-2048"
    pki_tsa_key: KeyAlgorithmName = "rsa-2048"
    pki_subscriber_key: KeyAlgorithmName = "rsa-2048"
    pki_certificate_days: int = Field(default=365, ge=1, le=3 * 365)
    pki_crl_hours: int = Field(default=24, ge=1, le=31 * 24)
    pki_ocsp_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    pki_policy_oid: str = Field(default="2.25.0.1.1", pattern=r"^[0-2](\.[0-9]{1,10})+$")
    pki_tsa_policy_oid: str = Field(default="2.25.0.2.1", pattern=r"^[0-2](\.[0-9]{1,10})+$")
    # the policy of the certificate that seals signing receipts (receipts)
    pki_receipt_policy_oid: str = Field(default="2.25.0.3.1",
                                        pattern=r"^[0-2](\.[0-9]{1,10})+$")

    # relying parties (SP769 API) and their webhooks
    sp769_max_files: int = Field(default=20, ge=1, le=100)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)

    # billing: orders and the payment gateway (VNPay 2.1.0; the built-in sandbox by default)
    payment_gateway: Literal["sandbox", "vnpay"] = "sandbox"
    vnpay_tmn_code: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{1,16}$")
    vnpay_hash_secret: SecretStr | None = None
    vnpay_pay_url: str = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    billing_order_ttl_seconds: int = Field(default=15 * 60, ge=60, le=24 * 3600)
    billing_ipn_grace_seconds: int = Field(default=15 * 60, ge=0, le=24 * 3600)

    # -- support contact: the support desk (hotline) every customer can reach; the web app
    # shows "Gọi hỗ trợ" (a tel: link) and the email on lock-out, error and recovery screens
    support_phone: str | None = Field(default=None, pattern=r"^\+?[0-9][0-9 .()-]{2,23}$")
    support_email: str | None = Field(default=None, max_length=320,
                                      pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = _home_from_env() / "kyso.toml"
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_path))

    @field_validator("public_base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _blob_limit(self) -> Settings:
        if self.blob_store == "database" and self.document_max_bytes > self.blob_max_bytes:
            raise ValueError("document_max_bytes must not exceed blob_max_bytes: a document "
                             "accepted at upload could not be stored")
        return self

    @model_validator(mode="after")
    def _outbox_lease(self) -> Settings:
        if self.outbox_lease_seconds <= max(self.smtp_timeout_seconds,
                                            self.webhook_timeout_seconds):
            raise ValueError("outbox_lease_seconds must exceed smtp_timeout_seconds and "
                             "webhook_timeout_seconds: a lease ending mid-send would let "
                             "another worker send the message too")
        return self

    @model_validator(mode="after")
    def _production_rules(self) -> Settings:
        if self.mode != "production":
            return self
        problems = []
        if self.public_base_url.startswith("http://"):
            problems.append("public_base_url must use https")
        if self.email_backend == "local" or self.sms_backend == "local":
            problems.append("email_backend and sms_backend must not be 'local' (dev inbox)")
        if self.sms_backend == "http" and not self.sms_gateway_url:
            problems.append("sms_gateway_url is required")
        if self.payment_gateway == "sandbox":
            problems.append("payment_gateway must not be 'sandbox' (anyone could pay there)")
        if self._key_beside_database():
            problems.append("the master key must not live beside the database: set "
                            "master_key_file outside KYSO_HOME, or KYSO_MASTER_KEY")
        problems += _transport_problems(self)
        if problems:
            raise ValueError("production mode refuses development defaults: " + "; ".join(problems))
        return self

    @model_validator(mode="after")
    def _keystore_rules(self) -> Settings:  # PKI and keys
        needed = ("pkcs11_module", "pkcs11_token_label", "pkcs11_user_pin")
        missing = [name for name in needed if getattr(self, name) is None]
        if self.keystore_backend == "pkcs11" and missing:
            raise ValueError(f"keystore_backend 'pkcs11' needs {', '.join(missing)}")
        if self.master_key_backend == "pkcs11" and not (
                self.pkcs11_module and self.master_key_pkcs11_token
                and self.master_key_pkcs11_label
                and (self.master_key_pkcs11_pin or self.master_key_pkcs11_pin_file)):
            raise ValueError("master_key_backend 'pkcs11' needs pkcs11_module, "
                             "master_key_pkcs11_token, master_key_pkcs11_label and "
                             "master_key_pkcs11_pin or master_key_pkcs11_pin_file")
        if self.payment_gateway == "vnpay" and not (self.vnpay_tmn_code
                                                     and self.vnpay_hash_secret):
            raise ValueError("payment_gateway 'vnpay' needs vnpay_tmn_code and vnpay_hash_secret")
        if self.pki_issuing_ca in ("root", "ocsp", "tsa"):
            raise ValueError("pki_issuing_ca cannot be 'root', 'ocsp' or 'tsa'")
        return self

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home.resolve() / 'kyso.db'}"

    @field_validator("audit_auditor_emails")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        for address in value:
            if len(address) > 320 or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address):
                raise ValueError(f"{address!r} is not an email address")
        return value

    @field_validator("master_key")
    @classmethod
    def _32_bytes(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        try:
            size = len(_b64(value.get_secret_value()))
        except ValueError:
            size = -1
        if size != 32:
            raise ValueError("must be the base64 of 32 bytes (head -c 32 /dev/urandom | base64)")
        return value

    @property
    def given_master_key(self) -> bytes | None:
        """The master key given as a secret (KYSO_MASTER_KEY), if any."""
        return _b64(self.master_key.get_secret_value()) if self.master_key else None

    @property
    def master_key_pkcs11_user_pin(self) -> str | None:
        """The token PIN for the master key (the setting, else the file's first line)."""
        if self.master_key_pkcs11_pin is not None:
            return self.master_key_pkcs11_pin.get_secret_value()
        if self.master_key_pkcs11_pin_file is not None:
            lines = self.master_key_pkcs11_pin_file.read_text().splitlines()
            return lines[0].strip() if lines else ""
        return None

    def _key_beside_database(self) -> bool:
        if self.master_key is not None or self.master_key_backend == "pkcs11":
            return False
        folder = self.master_key_path.resolve().parent
        database = None if self.database_url else self.home.resolve()
        return folder.is_relative_to(self.home.resolve()) or folder == database

    @property
    def audit_syslog(self) -> tuple[str, int] | None:
        """The syslog collector as (host, port), if any."""
        if self.audit_syslog_address is None:
            return None
        host, _, port = self.audit_syslog_address.rpartition(":")
        return host.strip("[]"), int(port)

    @property
    def audit_checkpoint_path(self) -> Path:
        return self.audit_checkpoint_file or self.home / "audit-checkpoints.jsonl"

    @property
    def master_key_path(self) -> Path:
        return self.master_key_file or self.home / "master.key"


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except binascii.Error as exc:
        raise ValueError("not base64") from exc


VNPAY_MIN_SECRET = 32  # characters of the HMAC-SHA512 key VNPay issues


def _transport_problems(settings: Settings) -> list[str]:
    """Production: no secret or code crosses a network in the clear, no guessable secret."""
    problems = []
    url = settings.sms_gateway_url or ""
    if settings.sms_backend == "http" and url.lower().startswith("http://"):
        problems.append("sms_gateway_url must use https (codes and the token would travel "
                        "in the clear)")
    if settings.email_backend == "smtp" and not settings.smtp_starttls:
        problems.append("smtp_starttls must be true (mail with codes would travel in the "
                        "clear)")
    secret = settings.vnpay_hash_secret
    if settings.payment_gateway == "vnpay" and secret is not None and \
            len(secret.get_secret_value()) < VNPAY_MIN_SECRET:
        problems.append(f"vnpay_hash_secret must have at least {VNPAY_MIN_SECRET} characters")
    return problems


def _home_from_env() -> Path:
    return Path(os.environ.get(f"{ENV_PREFIX}HOME", "var"))


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings, failing with :class:`ConfigError` on unknown or invalid keys."""
    environ = os.environ if environ is None else environ
    known = {f"{ENV_PREFIX}{name}".upper() for name in Settings.model_fields}
    unknown = sorted(
        key
        for key in environ
        if key.upper().startswith(ENV_PREFIX) and key.upper() not in known | _NOT_SETTINGS
        and not key.upper().startswith("KYSO_APP_")  # the customer app's, not the server's
    )
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
    try:
        return Settings(**overrides)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
