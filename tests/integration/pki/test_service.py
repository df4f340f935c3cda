"""The CA's use cases on a real database (SQLite, or PostgreSQL): transactions, audit, CRLs."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from kyso.accounts.model import Account, AccountStatus
from kyso.accounts.service import NewAccount
from kyso.adapters.keystore.software import SoftwareKeyStore
from kyso.audit import service as audit_service
from kyso.bootstrap import Container, bootstrap, init_home
from kyso.clock import ManualClock
from kyso.config import Settings
from kyso.errors import Conflict, InvalidInput, NotFound
from kyso.keys.errors import KeyUnreadable
from kyso.keys.model import SignatureScheme
from kyso.pki.errors import CertificateNotFound, InvalidTransition, InvalidValidity, NotInitialized
from kyso.pki.model import ROOT, CertificateStatus, RevocationReason
from kyso.pki.service import IssueRequest
from kyso.secrets import MasterKey
from tests.conftest import FAST_HASHER

EC = {"pki_ca_key": "ec-p256", "pki_responder_key": "ec-p256", "pki_tsa_key": "ec-p256",
      "pki_subscriber_key": "ec-p256"}


@pytest.fixture
def pki(tmp_path: Path, db_url: str, clock: ManualClock) -> Iterator[Container]:
    settings = Settings(home=tmp_path / "home", database_url=db_url, **EC)  # type: ignore[arg-type]
    init_home(settings)
    container = bootstrap(settings, clock=clock, hasher=FAST_HASHER)
    yield container
    container.close()


@pytest.fixture
def account(pki: Container) -> Account:
    pki.pki.initialize(actor="test")
    return pki.accounts.sign_up(NewAccount(
        username="tran.binh", password="Matkhau2026!", pin="246813", full_name="Trần Thị Bình",
        phone="0987654321", email="binh@example.vn", id_number="012345678"))


def issue(who: Account, **changes: object) -> IssueRequest:
    values: dict[str, object] = {"account": who.username, "province": "Đà Nẵng",
                                 "locality": "Hải Châu"}
    return IssueRequest(**(values | changes))  # type: ignore[arg-type]


def crl_number(pki: Container) -> int:
    crl = x509.load_der_x509_crl(pki.pki_publisher.crl(pki.pki_config.issuing_ca))
    return crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number


def actions(pki: Container) -> list[str]:
    with pki.uow() as uow:
        return [r.event.action for r in uow.audit.records()]


def test_initialize_creates_the_hierarchy_once(pki: Container) -> None:
    authorities, created = pki.pki.initialize(actor="test")
    assert created and [a.role.value for a in authorities] == ["root", "issuing", "ocsp", "tsa"]
    again, created_again = pki.pki.initialize(actor="test")
    assert not created_again
    assert [a.serial for a in again] == [a.serial for a in authorities]
    assert actions(pki).count("pki.hierarchy.created") == 1
    for name in (ROOT, pki.pki_config.issuing_ca):
        crl = x509.load_der_x509_crl(pki.pki_publisher.crl(name))
        assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 1


def test_nothing_before_initialize(pki: Container) -> None:
    with pytest.raises(NotInitialized):
        pki.pki_publisher.ca_certificate(ROOT)
    with pytest.raises(NotInitialized):
        pki.pki.issue(IssueRequest("x", "Hà Nội", "Ba Đình"), actor="test")


def test_issue_for_an_account(pki: Container, account: Account, clock: ManualClock) -> None:
    record = pki.pki.issue(issue(account), actor="cli:test")
    cert = x509.load_der_x509_certificate(record.certificate)
    assert cert.not_valid_before_utc == clock.now()
    assert cert.not_valid_after_utc == clock.now() + timedelta(days=365)
    assert (record.subject, record.uid) == ("Trần Thị Bình", "CMND:012345678")
    assert (record.account_id, record.status) == (account.id, CertificateStatus.ACTIVE)
    with pki.uow() as uow:
        handle = uow.pki.key(record.key_id or "")
        assert uow.pki.certificate(record.issuer, record.serial) == record
    assert handle is not None
    signature = pki.keystore.sign(handle, b"data", SignatureScheme.ECDSA_SHA256)
    public = cert.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(signature, b"data", ec.ECDSA(hashes.SHA256()))
    assert actions(pki)[-1] == "pki.certificate.issued"


def test_software_keys_are_sealed_under_the_master_key(pki: Container, account: Account) -> None:
    record = pki.pki.issue(issue(account), actor="test")
    with pki.uow() as uow:
        handle = uow.pki.key(record.key_id or "")
    assert handle is not None and handle.backend == "software"
    stranger = SoftwareKeyStore(MasterKey(b"\x01" * 32))
    with pytest.raises(KeyUnreadable):
        stranger.sign(handle, b"x", SignatureScheme.ECDSA_SHA256)


def test_issue_with_explicit_subject(pki: Container, account: Account) -> None:
    request = issue(account, common_name="TRẦN THỊ BÌNH", identity="HC:C7654321", days=730)
    record = pki.pki.issue(request, actor="test")
    assert (record.subject, record.uid) == ("TRẦN THỊ BÌNH", "HC:C7654321")
    assert record.not_after - record.not_before == timedelta(days=730)


@pytest.mark.parametrize(
    ("changes", "error"),
    [({"days": 1096}, InvalidValidity), ({"days": 0}, InvalidValidity),
     ({"identity": "CCCD:12"}, InvalidInput),
     ({"account": "nobody"}, NotFound), ({"province": ""}, InvalidInput)],
)
def test_issue_refusals(pki: Container, account: Account, changes: dict[str, object],
                        error: type[Exception]) -> None:
    with pytest.raises(error):
        pki.pki.issue(issue(account, **changes), actor="test")
    assert "pki.certificate.issued" not in actions(pki)


def test_closed_accounts_get_no_certificate(pki: Container, account: Account) -> None:
    pki.accounts.set_status("admin", account.id, AccountStatus.CLOSED)
    with pytest.raises(Conflict):
        pki.pki.issue(issue(account), actor="test")


def test_status_changes_sign_a_new_crl_and_are_audited(pki: Container, account: Account) -> None:
    record = pki.pki.issue(issue(account), actor="test")
    first = crl_number(pki)
    held = pki.pki.suspend(record.serial, actor="ra:1")
    assert held.status is CertificateStatus.SUSPENDED and crl_number(pki) == first + 1
    assert pki.pki.resume(record.serial, actor="ra:1").status is CertificateStatus.ACTIVE
    revoked = pki.pki.revoke(record.serial, RevocationReason.KEY_COMPROMISE, actor="ra:1")
    assert revoked.reason is RevocationReason.KEY_COMPROMISE and crl_number(pki) == first + 3
    crl = x509.load_der_x509_crl(pki.pki_publisher.crl(pki.pki_config.issuing_ca))
    assert crl.get_revoked_certificate_by_serial_number(record.serial) is not None
    assert actions(pki)[-3:] == ["pki.certificate.suspended", "pki.certificate.resumed",
                                 "pki.certificate.revoked"]
    with pytest.raises(InvalidTransition):
        pki.pki.revoke(record.serial, RevocationReason.SUPERSEDED, actor="ra:1")
    with pytest.raises(CertificateNotFound):
        pki.pki.suspend(0x1234, actor="ra:1")
    assert audit_service.verify(pki.uow, key=pki.audit_key)[0] == len(actions(pki))


def test_an_expired_certificate_cannot_change(pki: Container, account: Account,
                                              clock: ManualClock) -> None:
    record = pki.pki.issue(issue(account, days=1), actor="test")
    clock.advance(2 * 86400)
    with pytest.raises(InvalidTransition, match="expired"):
        pki.pki.suspend(record.serial, actor="test")
    listed = pki.pki.certificates(account=account.username)
    assert [r.serial for r in listed] == [record.serial]
    assert listed[0].status_at(clock.now()) is CertificateStatus.EXPIRED


def test_the_crl_is_signed_again_before_next_update(pki: Container, account: Account,
                                                    clock: ManualClock) -> None:
    name = pki.pki_config.issuing_ca
    first = pki.pki_publisher.crl(name)
    clock.advance(11 * 3600)
    assert pki.pki_publisher.crl(name) == first  # stored, not rebuilt
    clock.advance(3600)
    second = x509.load_der_x509_crl(pki.pki_publisher.crl(name))
    assert second.last_update_utc == clock.now()
    assert second.next_update_utc == clock.now() + timedelta(hours=24)
    number = second.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert number == x509.load_der_x509_crl(first).extensions.get_extension_for_class(
        x509.CRLNumber).value.crl_number + 1


def test_concurrent_revocations_number_crls_in_order(pki: Container, account: Account) -> None:
    records = [pki.pki.issue(issue(account), actor="test") for _ in range(4)]
    before = crl_number(pki)
    errors: list[BaseException] = []

    def revoke(serial: int) -> None:
        try:
            pki.pki.revoke(serial, RevocationReason.SUPERSEDED, actor="test")
        except BaseException as exc:  # collected and re-raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=revoke, args=(r.serial,)) for r in records]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    crl = x509.load_der_x509_crl(pki.pki_publisher.crl(pki.pki_config.issuing_ca))
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == before + 4
    assert {e.serial_number for e in crl} == {r.serial for r in records}
