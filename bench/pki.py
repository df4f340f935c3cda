"""OCSP answers, time stamps and CRL fetches per second through kyso's PKI, in process.

For each back end (software; PKCS#11 on SoftHSM2 in a throw-away token) and key family, a
hierarchy is made in a throw-away SQLite database, one certificate is issued, and
``PkiPublisher.ocsp`` (a DER request with a nonce: parse, one lookup, one signature),
``.timestamp`` (parse, one signature) and ``.crl`` (the stored CRL: no signature) are timed
next to a bare ``KeyStore.sign`` with the same key. ``ocsp-cached`` is the same request without
a nonce (what OCSP over GET and pdfsig send: answered from the pre-produced response, RFC
5019); the last line of each block is its rate over the nonce request's (freshly signed), both
timed in alternating slices. Not a test: numbers depend on the machine.
Run: ``.venv/bin/python bench/pki.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import secrets
import tempfile
from functools import partial
from pathlib import Path

from asn1crypto import algos, tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from keys import rates, softhsm_store  # bench/keys.py, beside this file

from kyso.accounts.model import Account
from kyso.adapters.db.engine import make_engine
from kyso.adapters.db.schema import upgrade
from kyso.adapters.db.uow import SqlUnitOfWork
from kyso.adapters.keystore.software import SoftwareKeyStore
from kyso.clock import SystemClock
from kyso.keys.model import KeyAlgorithm
from kyso.keys.ports import KeyStore
from kyso.pki.config import PkiConfig
from kyso.pki.directory import Directory
from kyso.pki.publishing import CrlIssuer, PkiPublisher
from kyso.pki.service import IssueRequest, PkiService
from kyso.pki.signer import scheme_for
from kyso.secrets import MasterKey
from kyso.uow import UnitOfWorkFactory

FAMILIES = {"rsa-2048": KeyAlgorithm.RSA_2048, "ec-p256": KeyAlgorithm.EC_P256}


def _services(store: KeyStore, algorithm: KeyAlgorithm,
              db: Path) -> tuple[UnitOfWorkFactory, PkiService, PkiPublisher]:
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    config = PkiConfig(ca_key=algorithm, responder_key=algorithm, tsa_key=algorithm,
                       subscriber_key=algorithm)
    directory = Directory(store)
    crls = CrlIssuer(config, directory)
    clock = SystemClock()

    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(engine)

    return (uow, PkiService(uow, store, clock, config, directory, crls),
            PkiPublisher(uow, clock, config, directory, crls))


def _account(uow_factory: UnitOfWorkFactory) -> str:
    with uow_factory() as uow:
        account = Account(id="bench", username="bench", full_name="Nguyễn Văn An",
                          phone="+84912345678", email="a@example.vn", password_hash="x",
                          pin_hash="x", created_at=SystemClock().now(),
                          id_number="001091000001")
        uow.accounts.add(account)
        uow.commit()
    return account.id


def _ocsp_request(service: PkiService, certificate: bytes, *, nonce: bool = True) -> bytes:
    issuer = next(a for a in service.authorities() if a.role.value == "issuing")
    builder = ocsp.OCSPRequestBuilder().add_certificate(
        x509.load_der_x509_certificate(certificate),
        x509.load_der_x509_certificate(issuer.certificate), hashes.SHA1())
    if nonce:
        builder = builder.add_extension(x509.OCSPNonce(secrets.token_bytes(16)), critical=False)
    return builder.build().public_bytes(serialization.Encoding.DER)


def _tsa_request() -> bytes:
    imprint = {"hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
               "hashed_message": hashlib.sha256(b"bench").digest()}
    der: bytes = tsp.TimeStampReq({"version": "v1", "message_imprint": imprint,
                                   "nonce": 12345, "cert_req": True}).dump()
    return der


def bench(store: KeyStore, family: str, seconds: float) -> None:
    algorithm = FAMILIES[family]
    with tempfile.TemporaryDirectory(prefix="kyso-bench-pki-") as tmp:
        uow, service, publisher = _services(store, algorithm, Path(tmp) / "kyso.db")
        service.initialize(actor="bench")
        record = service.issue(IssueRequest(_account(uow), "Hà Nội", "Cầu Giấy"),
                               actor="bench")
        key = store.generate(algorithm, label="bench raw")
        raw = partial(store.sign, key, b"x" * 256, scheme_for(algorithm))
        operations = {
            "ocsp": partial(publisher.ocsp, _ocsp_request(service, record.certificate)),
            "ocsp-cached": partial(publisher.ocsp, _ocsp_request(service, record.certificate,
                                                                 nonce=False)),
            "timestamp": partial(publisher.timestamp, _tsa_request()),
            "crl": partial(publisher.crl, "kyso-ca"),
        }
        for name, operation in operations.items():
            got, sign = rates(operation, raw, seconds)
            print(f"{store.name:9} {family:9} {name:10} {got:9.0f} {sign:9.0f} {got / sign:6.2f}")
        cached, fresh = rates(operations["ocsp-cached"], operations["ocsp"], seconds)
        print(f"{store.name:9} {family:9} ocsp GET pre-produced {cached:.0f}/s vs signed "
              f"{fresh:.0f}/s: {cached / fresh:.1f} ×")
        store.destroy(key)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="per measurement")
    seconds = parser.parse_args().seconds
    print(f"{'back end':9} {'keys':9} {'operation':10} {'ops/s':>9} {'sign/s':>9} {'ratio':>6}")
    with softhsm_store() as pkcs11_store:
        stores: list[KeyStore] = [SoftwareKeyStore(MasterKey(secrets.token_bytes(32)))]
        stores += [pkcs11_store] if pkcs11_store is not None else []
        for store in stores:
            for family in FAMILIES:
                bench(store, family, seconds)


if __name__ == "__main__":
    main()
