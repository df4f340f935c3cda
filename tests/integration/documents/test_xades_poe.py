"""XAdES validation with proof of existence (ETSI EN 319 102-1 past-signature validation).

As for PDFs (``test_poe.py``): an e-invoice is signed at B-B, B-T, B-LT and B-LTA by four
customers;
then one certificate is revoked and one suspended (a lost phone) after the signing, and one
was revoked before it (the clock turned back to record it). ``POST /api/v1/validate`` and
the public page ``/v/<id>`` (its verdict, and the full check of an uploaded copy) must keep
the time-stamped invoices signed before the revocation valid, say when and why the
certificate was revoked and which level was reached, and call B-B (no proof of existence)
and any signature made after the revocation invalid.

The independent oracle: ``openssl ts -verify`` on the signature time stamp (its imprint is
the canonical ``ds:SignatureValue``), its time read by asn1crypto, and
pyhanko-certvalidator offline — kyso's root and the CRLs kyso publishes now, no kyso code —
on the signer's certificate at that time (at "now" for B-B).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from asn1crypto import cms, crl, x509
from lxml import etree
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathValidationError

from kyso.pki.model import AuthorityRole, RevocationReason
from tests.integration.documents.conftest import Customer, World, open_world
from tests.integration.documents.xml_oracles import (
    INVOICE,
    needs_xmlsec1,
    openssl_ts_verify,
    signatures,
    texts,
    write_pems,
    xmlsec1_verify,
)

LEVELS = ["B-B", "B-T", "B-LT", "B-LTA"]
CASES = ["not_revoked", "revoked_after", "suspended_after", "revoked_before"]
REASONS = {"B-B": "no_timestamp", "B-T": "signature_timestamp",
           "B-LT": "certificate_and_revocation_values", "B-LTA": "archive_timestamp"}


@dataclass
class Signed:
    world: World
    files: dict[tuple[str, str], bytes]  # (case, level) → signed invoice
    records: dict[tuple[str, str], str]  # (case, level) → the public record's id
    signed_at: datetime
    revoked_at: dict[str, datetime]  # case → when its certificate was revoked/suspended
    checker: Customer


def _sign(customer: Customer, level: str) -> tuple[bytes, str]:
    uploaded = customer.upload(INVOICE.read_bytes(), "application/xml", format="xades",
                               level=level)
    assert uploaded.status_code == 201, uploaded.text
    assert customer.confirm(uploaded.json()["transaction"]).status_code == 200
    got = customer.get(f"/documents/{uploaded.json()['id']}/download")
    assert got.status_code == 200, got.text
    [record] = [r for r in customer.get("/receipts").json()
                if r["document_id"] == uploaded.json()["id"]]
    assert record["format"] == "xades" and \
        (record["timestamp_at"] is None) == (level == "B-B")  # the record knows the POE
    return got.content, str(record["id"])


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Signed]:
    with ExitStack() as stack:
        begin = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
        world = open_world(tmp_path_factory.mktemp("xades-poe"), stack, start=begin)
        customers = {case: world.customer(f"Khách XML {n}") for n, case in enumerate(CASES)}
        start = world.clock.now()
        world.clock.advance(600)  # sessions idle out after 30 minutes: small steps
        signed_at = world.clock.now()
        files, records = {}, {}
        for case, who in customers.items():
            for level in LEVELS:
                files[case, level], records[case, level] = _sign(who, level)
        pki = world.container.pki

        def serial(case: str) -> int:
            return customers[case].credential.certificate.serial

        world.clock.set(start + timedelta(minutes=5))  # before the signatures
        pki.revoke(serial("revoked_before"), RevocationReason.KEY_COMPROMISE, actor="test")
        revoked_at = {"revoked_before": world.clock.now()}
        world.clock.set(signed_at + timedelta(minutes=5))  # after them
        pki.revoke(serial("revoked_after"), RevocationReason.KEY_COMPROMISE, actor="test")
        pki.suspend(serial("suspended_after"), actor="test")
        revoked_at |= dict.fromkeys(("revoked_after", "suspended_after"), world.clock.now())
        world.clock.set(max(datetime.now(UTC), world.clock.now() + timedelta(minutes=5)))
        checker = world.customer("Người kiểm tra XML", smartotp=False, signatures=0)
        yield Signed(world, files, records, signed_at, revoked_at, checker)


def expected_valid(case: str, level: str) -> bool:
    return case == "not_revoked" or (case.endswith("_after") and level != "B-B")


def oracle(world: World, data: bytes, level: str, name: str) -> bool:
    """Not kyso's code: the time stamp checked by ``openssl ts -verify`` and its time read
    from the token; the signer's certificate validated offline at that time (now for B-B)
    by pyhanko-certvalidator with kyso's root and the CRLs it publishes now."""
    [signature] = signatures(etree.fromstring(data))
    now = world.clock.now()
    proven = now
    if level != "B-B":
        chain = [a.certificate for a in world.container.pki.authorities()
                 if a.role in (AuthorityRole.TSA, AuthorityRole.ISSUING)]
        folder = world.files / name
        folder.mkdir(exist_ok=True)
        out = openssl_ts_verify(signature, folder, world.root_pem(),
                                write_pems(folder / "tsa-chain.pem", chain))
        assert "Verification: OK" in out, out
        [token] = texts(signature, ".//xades:SignatureTimeStamp/xades:EncapsulatedTimeStamp")
        info = cms.ContentInfo.load(token)["content"]
        proven = info["encap_content_info"]["content"].parsed["gen_time"].native
    pub = world.container.pki_publisher
    issuing = world.container.settings.pki_issuing_ca
    root, ca = (x509.Certificate.load(pub.ca_certificate(n)) for n in ("root", issuing))
    crls = [crl.CertificateList.load(pub.crl(n)) for n in ("root", issuing)]
    [leaf] = texts(signature, "ds:KeyInfo/ds:X509Data/ds:X509Certificate")[:1]
    context = ValidationContext(trust_roots=[root], other_certs=[ca], crls=crls,
                                allow_fetching=False, revocation_mode="hard-fail",
                                retroactive_revinfo=True, moment=proven)
    validator = CertificateValidator(x509.Certificate.load(leaf),
                                     validation_context=context)
    try:
        asyncio.run(validator.async_validate_usage(set()))
    except PathValidationError:
        return False
    return True


def _validate(signed: Signed, data: bytes) -> dict[str, Any]:
    r = signed.world.client.post("/api/v1/validate", content=data, headers=
                                 signed.checker.headers | {"Content-Type": "application/xml"})
    assert r.status_code == 200, r.text
    return dict(r.json())


@needs_xmlsec1
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("case", CASES)
def test_validity_at_the_proven_time(signed: Signed, case: str, level: str) -> None:
    world, data = signed.world, signed.files[case, level]
    [s] = _validate(signed, data)["signatures"]
    want = expected_valid(case, level)
    assert s["valid"] is want, s
    assert oracle(world, data, level, f"{case}-{level}") is want  # the oracle agrees
    path = world.files / f"poe-{case}-{level}.xml"
    path.write_bytes(data)
    done = xmlsec1_verify(path, world.root_pem(), signed.signed_at)  # intact, at signing
    assert done.returncode == 0, done.stderr
    assert (s["level"], s["level_reason"], s["integrity"]) == (level, REASONS[level], "intact")
    if case == "not_revoked":
        assert (s["revocation"], s["revoked_at"], s["past_validation"], s["trusted"]) == \
            ("good", None, None, True)
        return
    assert s["revocation"] == "revoked" and s["trusted"] is False
    assert _at(s["revoked_at"]) == signed.revoked_at[case]  # said when
    assert s["revocation_reason"] == (
        "certificate_hold" if case == "suspended_after" else "key_compromise")
    if want:
        assert s["past_validation"] == "passed"
        assert _at(s["proven_at"]) < signed.revoked_at[case]
        assert _at(s["timestamp"]) == signed.signed_at
    else:
        assert s["past_validation"] == (
            "no_proof_of_existence" if level == "B-B" else "revoked_before_signing")
        assert s["trust_problem"] == "REVOKED_NO_POE"


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("case", ["revoked_after", "suspended_after", "revoked_before"])
def test_the_public_page_agrees(signed: Signed, case: str, level: str,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    """``/v/<id>``: the verdict in words, and the full check of an uploaded copy (the
    validator in the sandbox) — valid exactly when ``/validate`` says so."""
    from kyso.entrypoints.web import verify

    monkeypatch.setattr(verify, "UPLOADS", verify.Budget(limit=1000))
    world, record = signed.world, signed.records[case, level]
    html = world.client.get(f"/v/{record}").text
    if expected_valid(case, level):
        assert "Chữ ký hợp lệ" in html and (
            "đã bị thu hồi ngày" in html or "tạm dừng" in html), html
    else:
        assert "Chữ ký hợp lệ" not in html
    check = world.client.post(f"/v/{record}/check", content=signed.files[case, level],
                              headers={"Content-Type": "application/xml"})
    assert check.status_code == 200, check.text
    assert check.json() == {"matches": True, "valid": expected_valid(case, level),
                            "signatures": 1}


def _at(value: object) -> datetime:
    assert isinstance(value, str)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))

