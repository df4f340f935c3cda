"""Validation with proof of existence (ETSI EN 319 102-1 past-signature validation).

Every PAdES level is signed by four customers; then one certificate is revoked and one
suspended (a lost phone) after the signing, and one was revoked before it (a signature made
with a revoked key: kyso refuses to sign with it, so the clock is turned back to revoke it
at a time before the signature, as if it had been revoked then). ``POST /validate`` must
keep the time-stamped signatures made before the revocation valid, say when and why the
certificate was revoked, and call B-B (no proof of existence) and any signature made after
the revocation invalid. pyHanko's own AdES validation (offline, from the file's DSS and
kyso's published CRLs only, no kyso code) is the independent oracle.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import crl, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    async_validate_pdf_signature,
)
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.policy_decl import (
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.revinfo.archival import CRLContainer

from kyso.pki.model import RevocationReason
from tests.integration.documents.conftest import World, open_world
from tests.integration.documents.pdfs import sample_pdf

LEVELS = ["B-B", "B-T", "B-LT", "B-LTA"]
CASES = ["not_revoked", "revoked_after", "suspended_after", "revoked_before"]


@dataclass
class Signed:
    world: World
    files: dict[tuple[str, str], bytes]  # (case, level) → signed PDF
    signed_at: datetime
    revoked_at: dict[str, datetime]  # case → when its certificate was revoked/suspended


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Signed]:
    with ExitStack() as stack:
        # pyHanko's AdES validation takes the real time as "now" for proofs of existence, so
        # the story happens in the last half hour and is validated at the real time
        begin = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
        world = open_world(tmp_path_factory.mktemp("poe"), stack, start=begin)
        customers = {case: world.customer(f"Khách {n}") for n, case in enumerate(CASES)}
        start = world.clock.now()
        world.clock.advance(600)  # sessions idle out after 30 minutes: small steps
        signed_at = world.clock.now()
        files = {(case, level): who.sign(sample_pdf(), level=level)
                 for case, who in customers.items() for level in LEVELS}
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
        yield Signed(world, files, signed_at, revoked_at)


def expected_valid(case: str, level: str) -> bool:
    """Not revoked: valid. Revoked after signing: valid if a time stamp proves the signature
    existed before (B-T and up). Revoked before signing: never."""
    return case == "not_revoked" or (case.endswith("_after") and level != "B-B")


def oracle(world: World, data: bytes, level: str) -> bool:
    """pyHanko without kyso's code, offline, with kyso's root and the CRLs kyso publishes now
    (the issuer's word on every revocation and its date): the signature is validated at the
    time its time stamp proves (now if none). Not the DSS: its OCSP answers were made at
    signing, before the clock was turned back to record the "revoked before" revocation, so
    they say "good". For B-LTA, pyHanko's ETSI EN 319 102-1 LTA validation (which reads the
    DSS and accepts only document time stamps as proof of existence) must agree."""
    pub = world.container.pki_publisher
    issuing = world.container.settings.pki_issuing_ca
    root, ca = (x509.Certificate.load(pub.ca_certificate(name)) for name in ("root", issuing))
    crls = [crl.CertificateList.load(pub.crl(name)) for name in ("root", issuing)]
    [sig] = PdfFileReader(io.BytesIO(data)).embedded_regular_signatures

    def context(moment: datetime) -> ValidationContext:
        return ValidationContext(trust_roots=[root], other_certs=[ca], crls=crls,
                                 allow_fetching=False,
                                 revocation_mode="hard-fail", retroactive_revinfo=True,
                                 moment=moment)

    now = world.clock.now()
    stamp = asyncio.run(async_validate_pdf_signature(sig, context(now))).timestamp_validity
    proven = stamp.timestamp if stamp is not None and stamp.trusted else now
    verdict = asyncio.run(async_validate_pdf_signature(sig, context(proven), context(now)))
    if level == "B-LTA":
        assert _ades_lta(sig, root, crls, now) is verdict.bottom_line
    return bool(verdict.bottom_line)


def _ades_lta(sig: EmbeddedPdfSignature, root: x509.Certificate,
              crls: list[crl.CertificateList], now: datetime) -> bool:
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=[root]),
        revinfo_policy=CertRevTrustPolicy(RevocationCheckingPolicy.from_legacy("hard-fail")))
    spec = PdfSignatureValidationSpec(SignatureValidationSpec(
        cert_validation_policy=policy,
        local_knowledge=LocalKnowledge(known_crls=[CRLContainer(c) for c in crls]),
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY)))
    result = asyncio.run(ades_lta_validation(sig, spec, ValidationTimingInfo(now, now, False)))
    status = result.api_status
    return (result.ades_subindic is AdESPassed.OK and isinstance(status, PdfSignatureStatus)
            and status.bottom_line)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("case", CASES)
def test_validity_at_the_proven_time(signed: Signed, case: str, level: str) -> None:
    world = signed.world
    data = signed.files[case, level]
    [customer_sig] = _validate(world, data)["signatures"]
    want = expected_valid(case, level)
    assert customer_sig["valid"] is want, customer_sig
    assert oracle(world, data, level) is want  # pyHanko's AdES validation agrees
    assert customer_sig["level"] == level and customer_sig["integrity"] == "intact"
    assert customer_sig["level_reason"] == {
        "B-B": "no_timestamp", "B-T": "signature_timestamp", "B-LT": "dss",
        "B-LTA": "document_timestamp"}[level]
    if case == "not_revoked":
        assert customer_sig["revocation"] == "good" and customer_sig["revoked_at"] is None
        assert customer_sig["past_validation"] is None and customer_sig["trusted"] is True
        return
    assert customer_sig["revocation"] == "revoked" and customer_sig["trusted"] is False
    assert _at(customer_sig["revoked_at"]) == signed.revoked_at[case]  # said when
    assert customer_sig["revocation_reason"] == (
        "certificate_hold" if case == "suspended_after" else "key_compromise")
    if want:
        assert customer_sig["past_validation"] == "passed"
        assert _at(customer_sig["proven_at"]) < signed.revoked_at[case]
        assert _at(customer_sig["timestamp"]) == signed.signed_at
    else:
        assert customer_sig["past_validation"] == (
            "no_proof_of_existence" if level == "B-B" else "revoked_before_signing")
        assert customer_sig["trust_problem"] == "REVOKED_NO_POE"


def _validate(world: World, data: bytes) -> dict[str, object]:
    r = world.client.post("/api/v1/validate", content=data,
                          headers={"Authorization": f"Bearer {_token(world)}",
                                   "Content-Type": "application/pdf"})
    assert r.status_code == 200, r.text
    return dict(r.json())


_TOKENS: dict[int, str] = {}


def _token(world: World) -> str:
    if id(world) not in _TOKENS:
        _TOKENS[id(world)] = world.customer("Người kiểm tra", smartotp=False, signatures=0).token
    return _TOKENS[id(world)]


def _at(value: object) -> datetime:
    assert isinstance(value, str)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
