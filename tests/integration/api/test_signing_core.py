"""The signing path: SAD issued after SmartOTP (or SMS), bound to a credential, the exact
hashes and their count; short-lived and single use; checked by the signing component."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from fastapi.testclient import TestClient

from kyso.bootstrap import Container
from kyso.clock import ManualClock
from kyso.errors import KysoError, NotFound
from kyso.keys.model import HashAlgorithm, SignatureScheme
from kyso.otp.errors import InvalidOtp
from kyso.pki.model import RevocationReason
from kyso.pki.service import IssueRequest
from kyso.signing.errors import CredentialUnusable, InvalidHashes, InvalidSad, SadExpired
from kyso.signing.model import Credential
from tests.integration.api.conftest import auth, last_code, login, sign_up
from tests.integration.api.smartotp_helpers import Device, enrol
from tests.quota import give_signatures

SHA256 = HashAlgorithm.SHA256


@pytest.fixture
def signer(client: TestClient, container: Container,
           clock: ManualClock) -> tuple[str, Device, Credential]:
    container.pki.initialize()
    account = sign_up(client)
    clock.set(clock.now().replace(second=1))
    device = enrol(client, container, login(client), account["id"], clock)
    give_signatures(container, container.pki.issue(IssueRequest(
        account=account["id"], province="Hà Nội", locality="Cầu Giấy"), actor="test"))
    [credential] = container.signing.credentials(account["id"])
    return account["id"], device, credential


def digests(n: int) -> list[bytes]:
    return [hashlib.sha256(os.urandom(16)).digest() for _ in range(n)]


def verify(credential: Credential, digest: bytes, signature: bytes,
           scheme: SignatureScheme) -> None:
    key = x509.load_der_x509_certificate(credential.chain[0]).public_key()
    prehashed = Prehashed(hashes.SHA256())
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, digest, padding.PKCS1v15(), prehashed)
    else:
        assert isinstance(key, ec.EllipticCurvePublicKey)
        key.verify(signature, digest, ec.ECDSA(prehashed))


def scheme_for(credential: Credential) -> SignatureScheme:
    family = credential.key.algorithm.value
    return (SignatureScheme.ECDSA_SHA256 if family.startswith("ec")
            else SignatureScheme.RSA_PKCS1V15_SHA256)


def test_credential_carries_the_chain(signer: tuple[str, Device, Credential]) -> None:
    _, _, credential = signer
    assert len(credential.chain) == 3  # signer, issuing CA, root
    certs = [x509.load_der_x509_certificate(c) for c in credential.chain]
    assert certs[0].issuer == certs[1].subject and certs[1].issuer == certs[2].subject


def test_authorize_then_sign_exactly_those_hashes(container: Container,
                                                  signer: tuple[str, Device, Credential]) -> None:
    account_id, device, credential = signer
    batch = digests(3)
    grant = container.signing.authorize(account_id, credential.id, batch, SHA256, device.code())
    scheme = scheme_for(credential)
    first = container.signing.sign_digests(account_id, credential.id, grant.sad, batch[:2],
                                           scheme)
    rest = container.signing.sign_digests(account_id, credential.id, grant.sad, batch[2:],
                                          scheme)
    for digest, signature in zip(batch, first + rest, strict=True):
        verify(credential, digest, signature, scheme)
    again = container.signing.sign_digests(account_id, credential.id, grant.sad, batch[:1],
                                           scheme)
    assert again == first[:1]  # a repeat (lost answer) gets the same signature back
    with pytest.raises(SadExpired):  # used up: nothing new
        container.signing.sign_digests(account_id, credential.id, grant.sad, digests(1),
                                       scheme)


def test_sad_for_other_hashes_is_refused(container: Container,
                                         signer: tuple[str, Device, Credential]) -> None:
    account_id, device, credential = signer
    grant = container.signing.authorize(account_id, credential.id, digests(1), SHA256,
                                        device.code())
    with pytest.raises(InvalidSad):
        container.signing.sign_digests(account_id, credential.id, grant.sad, digests(1),
                                       scheme_for(credential))


def test_sad_expires(container: Container, clock: ManualClock,
                     signer: tuple[str, Device, Credential]) -> None:
    account_id, device, credential = signer
    batch = digests(1)
    grant = container.signing.authorize(account_id, credential.id, batch, SHA256, device.code())
    clock.advance(301)
    with pytest.raises(SadExpired):
        container.signing.sign_digests(account_id, credential.id, grant.sad, batch,
                                       scheme_for(credential))


def test_wrong_or_replayed_otp_grants_nothing(container: Container,
                                              signer: tuple[str, Device, Credential]) -> None:
    account_id, device, credential = signer
    code = device.code()
    with pytest.raises(InvalidOtp):
        container.signing.authorize(account_id, credential.id, digests(1), SHA256,
                                    f"{(int(code) + 1) % 10**6:06d}")
    container.signing.authorize(account_id, credential.id, digests(1), SHA256, code)
    with pytest.raises(InvalidOtp):  # the same time step again
        container.signing.authorize(account_id, credential.id, digests(1), SHA256, code)


def test_another_customers_credential(client: TestClient, container: Container,
                                      signer: tuple[str, Device, Credential]) -> None:
    account_id, device, credential = signer
    other = sign_up(client, 2)
    with pytest.raises(NotFound):
        container.signing.authorize(other["id"], credential.id, digests(1), SHA256, "123456")
    batch = digests(1)
    grant = container.signing.authorize(account_id, credential.id, batch, SHA256, device.code())
    with pytest.raises(InvalidSad):
        container.signing.sign_digests(other["id"], credential.id, grant.sad, batch,
                                       scheme_for(credential))


@pytest.mark.parametrize("change", ["revoke", "suspend"])
def test_revoked_or_suspended_certificate_cannot_sign(
    container: Container, signer: tuple[str, Device, Credential], change: str
) -> None:
    account_id, device, credential = signer
    batch = digests(1)
    grant = container.signing.authorize(account_id, credential.id, batch, SHA256, device.code())
    serial = credential.certificate.serial
    if change == "revoke":
        container.pki.revoke(serial, RevocationReason.KEY_COMPROMISE, actor="test")
    else:
        container.pki.suspend(serial, actor="test")
    with pytest.raises(CredentialUnusable):
        container.signing.sign_digests(account_id, credential.id, grant.sad, batch,
                                       scheme_for(credential))
    device.clock.advance(30)
    with pytest.raises(CredentialUnusable):
        container.signing.authorize(account_id, credential.id, batch, SHA256, device.code())


def test_bad_hashes(container: Container, signer: tuple[str, Device, Credential]) -> None:
    account_id, device, credential = signer
    for bad in ([], [b"short"], [b"x" * 32, b"x" * 32], digests(101)):
        with pytest.raises(InvalidHashes):
            container.signing.authorize(account_id, credential.id, bad, SHA256, device.code())


def test_sms_customers_authorize_with_an_sms_code(client: TestClient,
                                                  container: Container) -> None:
    container.pki.initialize()
    account = sign_up(client)
    token = login(client)
    give_signatures(container, container.pki.issue(IssueRequest(
        account=account["id"], province="Hà Nội", locality="Ba Đình"), actor="test"))
    [credential] = container.signing.credentials(account["id"])
    assert client.post("/api/v1/otp/send", headers=auth(token),
                       json={"purpose": "SIGN"}).status_code == 202
    code = last_code(container, account["id"], "SIGN")
    batch = digests(2)
    grant = container.signing.authorize(account["id"], credential.id, batch, SHA256, code)
    signatures = container.signing.sign_digests(account["id"], credential.id, grant.sad, batch,
                                                scheme_for(credential))
    assert len(signatures) == 2


def test_one_sad_signs_a_hash_once_under_concurrency(
    container: Container, signer: tuple[str, Device, Credential]
) -> None:
    account_id, device, credential = signer
    batch = digests(1)
    grant = container.signing.authorize(account_id, credential.id, batch, SHA256, device.code())

    def attempt(_: int) -> bytes | None:
        try:
            [signature] = container.signing.sign_digests(account_id, credential.id, grant.sad,
                                                         batch, scheme_for(credential))
            return signature
        except KysoError:
            return None

    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(pool.map(attempt, range(5)))
    # one signature made; an attempt after it gets that same one back (a repeated call)
    assert len({a for a in answers if a is not None}) == 1
    assert container.quotas.balance(credential.id).consumed == 1


def test_a_sad_changed_while_its_hashes_are_signed(
    container: Container, signer: tuple[str, Device, Credential],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The SAD is read, the key signs, then the transaction spends the SAD only if it is as
    read; changed meanwhile, it is read again under the lock and decides."""
    account_id, device, credential = signer
    batch = digests(3)
    grant = container.signing.authorize(account_id, credential.id, batch, SHA256, device.code())
    scheme = scheme_for(credential)
    keystore = container.keystore
    real = keystore.sign_digests
    meanwhile: list[Callable[[], object]] = []

    def sign_digests(*args: object, **kwargs: object) -> list[bytes]:
        if meanwhile:  # what another caller does while this one's key signs
            meanwhile.pop()()
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(keystore, "sign_digests", sign_digests)

    def sign(hashes: list[bytes]) -> list[bytes]:
        return container.signing.sign_digests(account_id, credential.id, grant.sad, hashes,
                                              scheme)

    # another hash of the same SAD signed meanwhile: both calls sign, both are counted
    others: list[list[bytes]] = []
    meanwhile.append(lambda: others.append(sign([batch[1]])))
    [first] = sign([batch[0]])
    verify(credential, batch[0], first, scheme)
    verify(credential, batch[1], others[0][0], scheme)
    assert sign(batch[:2]) == [first, others[0][0]]  # both kept: a repeated call, uncharged
    assert container.quotas.balance(credential.id).consumed == 2
    # the SAD renewed meanwhile (the old one dies): this call's signature never leaves
    meanwhile.append(lambda: container.signing.extend(account_id, credential.id, grant.sad,
                                                      [batch[2]], SHA256))
    with pytest.raises(SadExpired):
        sign([batch[2]])
    assert container.quotas.balance(credential.id).consumed == 2


def test_extend_gives_a_new_sad_and_kills_the_old(container: Container,
                                                 signer: tuple[str, Device, Credential]) -> None:
    account_id, device, credential = signer
    batch = digests(3)
    grant = container.signing.authorize(account_id, credential.id, batch, SHA256, device.code())
    scheme = scheme_for(credential)
    container.signing.sign_digests(account_id, credential.id, grant.sad, batch[:1], scheme)
    for wrong in ([batch[0]], digests(1), batch[1:] + digests(1)):  # signed, or never authorized
        with pytest.raises(InvalidSad):
            container.signing.extend(account_id, credential.id, grant.sad, wrong, SHA256)
    with pytest.raises(InvalidSad):  # another hash algorithm
        container.signing.extend(account_id, credential.id, grant.sad,
                                 [bytes(48)], HashAlgorithm.SHA384)
    extended = container.signing.extend(account_id, credential.id, grant.sad, batch[1:2],
                                        SHA256)
    with pytest.raises(SadExpired):
        container.signing.sign_digests(account_id, credential.id, grant.sad, batch[1:2], scheme)
    with pytest.raises(InvalidSad):  # not carried over: died with the old SAD
        container.signing.sign_digests(account_id, credential.id, extended.sad, batch[2:],
                                       scheme)
    assert container.signing.sign_digests(account_id, credential.id, extended.sad, batch[1:2],
                                          scheme)


def test_a_document_sad_is_redeemed_once_for_its_hash_only(
        client: TestClient, container: Container, clock: ManualClock,
        signer: tuple[str, Device, Credential]) -> None:
    account_id, device, credential = signer
    [document, other] = digests(2)
    grant = container.signing.authorize(account_id, credential.id, [document], SHA256,
                                        device.code())
    stranger = sign_up(client, 2)["id"]
    with container.uow() as uow:
        with pytest.raises(InvalidSad):
            container.signing.redeem(uow, account_id, credential.id, grant.sad, other)
        with pytest.raises(InvalidSad):
            container.signing.redeem(uow, stranger, credential.id, grant.sad, document)
        container.signing.redeem(uow, account_id, credential.id, grant.sad, document,
                                 consume=False)  # a look does not use it
        container.signing.redeem(uow, account_id, credential.id, grant.sad, document)
        uow.commit()
    with container.uow() as uow, pytest.raises(SadExpired):  # used up
        container.signing.redeem(uow, account_id, credential.id, grant.sad, document)
    clock.advance(30)  # the next time step, for a fresh code
    late = container.signing.authorize(account_id, credential.id, [other], SHA256,
                                       device.code())
    clock.advance(301)
    with container.uow() as uow, pytest.raises(SadExpired):
        container.signing.redeem(uow, account_id, credential.id, late.sad, other)
