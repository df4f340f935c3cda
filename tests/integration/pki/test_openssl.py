"""OpenSSL as the independent side: verify, ocsp (against the running responder), crl, ts.

Every test runs once per key-store back end and key family (see ``conftest.live_pki``).
"""

from __future__ import annotations

import base64
import re
import urllib.parse
from pathlib import Path

import pytest

from kyso.pki.model import ROOT, RevocationReason
from tests.integration.pki.conftest import LivePki, openssl


@pytest.fixture(scope="module")
def chain(live_pki: LivePki) -> dict[str, Path]:
    """The CA certificates as served over HTTP, in PEM, and the two together."""
    issuing = live_pki.container.pki_config.issuing_ca
    paths = {}
    for name, url in (("root", f"/pki/ca/{ROOT}.cer"), ("issuing", f"/pki/ca/{issuing}.cer")):
        response = live_pki.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pkix-cert"
        paths[name] = live_pki.write_pem(f"{name}.pem", response.content)
    both = live_pki.files / "chain.pem"
    both.write_bytes(paths["root"].read_bytes() + paths["issuing"].read_bytes())
    paths["both"] = both
    return paths


def ocsp(live_pki: LivePki, chain: dict[str, Path], cert: Path, *digest: str) -> str:
    return openssl("ocsp", "-issuer", chain["issuing"], *digest, "-cert", cert, "-url",
                   f"{live_pki.url}/pki/ocsp", "-CAfile", chain["both"])


def test_served_ca_certificates_are_the_stored_ones(live_pki: LivePki,
                                                    chain: dict[str, Path]) -> None:
    stored = {a.name: a.certificate for a in live_pki.container.pki.authorities()}
    root = live_pki.get(f"/pki/ca/{ROOT}.cer").content
    assert root == stored[ROOT]
    assert "OK" in openssl("verify", "-CAfile", chain["root"], chain["root"])
    assert "OK" in openssl("verify", "-CAfile", chain["root"], chain["issuing"])


def test_issued_certificate_verifies(live_pki: LivePki, chain: dict[str, Path]) -> None:
    _, cert = live_pki.issue("person.pem")
    out = openssl("verify", "-CAfile", chain["root"], "-untrusted", chain["issuing"], cert)
    assert out.strip().endswith(": OK")
    subject = openssl("x509", "-in", cert, "-noout", "-subject", "-nameopt", "utf8,sep_comma_plus")
    assert "CN=Nguyễn Văn An" in subject and "UID=CCCD:001091000001" in subject
    assert "ST=Hà Nội" in subject and "L=Cầu Giấy" in subject and "C=VN" in subject


def test_ocsp_good_then_revoked(live_pki: LivePki, chain: dict[str, Path]) -> None:
    record, cert = live_pki.issue("revoked.pem")
    good = ocsp(live_pki, chain, cert)
    assert "Response verify OK" in good and f"{cert}: good" in good
    assert "WARNING" not in good  # the nonce came back
    live_pki.container.pki.revoke(record.serial, RevocationReason.KEY_COMPROMISE, actor="test")
    revoked = ocsp(live_pki, chain, cert)
    assert "Response verify OK" in revoked and f"{cert}: revoked" in revoked
    assert "Reason: keyCompromise" in revoked and "Revocation Time:" in revoked


def test_ocsp_suspend_and_resume(live_pki: LivePki, chain: dict[str, Path]) -> None:
    record, cert = live_pki.issue("held.pem")
    live_pki.container.pki.suspend(record.serial, actor="test")
    held = ocsp(live_pki, chain, cert, "-sha256")  # a SHA-256 CertID this time
    assert f"{cert}: revoked" in held and "Reason: certificateHold" in held
    live_pki.container.pki.resume(record.serial, actor="test")
    assert f"{cert}: good" in ocsp(live_pki, chain, cert)


def test_ocsp_unknown_serial(live_pki: LivePki, chain: dict[str, Path]) -> None:
    out = openssl("ocsp", "-issuer", chain["issuing"], "-serial", "0x1234567890", "-url",
                  f"{live_pki.url}/pki/ocsp", "-CAfile", chain["both"])
    assert "Response verify OK" in out and "0x1234567890: unknown" in out


def test_ocsp_over_get(live_pki: LivePki, chain: dict[str, Path]) -> None:
    _, cert = live_pki.issue("get.pem")
    request = live_pki.files / "get-req.der"
    openssl("ocsp", "-issuer", chain["issuing"], "-cert", cert, "-reqout", request)
    encoded = urllib.parse.quote(base64.b64encode(request.read_bytes()).decode(), safe="")
    response = live_pki.get(f"/pki/ocsp/{encoded}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ocsp-response"
    answer = live_pki.files / "get-resp.der"
    answer.write_bytes(response.content)
    out = openssl("ocsp", "-reqin", request, "-respin", answer, "-issuer", chain["issuing"],
                  "-CAfile", chain["both"], "-resp_text")
    assert "Response verify OK" in out and "Cert Status: good" in out
    assert "OCSP Nonce" in out


def test_crl_numbered_signed_and_listing_revocations(live_pki: LivePki,
                                                     chain: dict[str, Path]) -> None:
    issuing = live_pki.container.pki_config.issuing_ca
    before = _crl(live_pki, chain, issuing, "before.crl")
    record, cert = live_pki.issue("listed.pem")
    _, kept = live_pki.issue("kept.pem")
    live_pki.container.pki.revoke(record.serial, RevocationReason.SUPERSEDED, actor="test")
    after = _crl(live_pki, chain, issuing, "after.crl")
    assert _number(after) > _number(before)
    assert f"Serial Number: {record.serial:X}" in after and "Superseded" in after
    crls = [live_pki.files / "root.crl.pem", live_pki.files / "after.crl.pem"]
    _crl(live_pki, chain, ROOT, "root.crl")
    check = ["-crl_check_all", "-CRLfile", crls[0], "-CRLfile", crls[1], "-CAfile",
             chain["root"], "-untrusted", chain["issuing"]]
    refused = openssl("verify", *check, cert, check=False)
    assert "certificate revoked" in refused
    assert openssl("verify", *check, kept).strip().endswith(": OK")


def _crl(live_pki: LivePki, chain: dict[str, Path], name: str, file: str) -> str:
    response = live_pki.get(f"/pki/crl/{name}.crl")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pkix-crl"
    der = live_pki.files / file
    der.write_bytes(response.content)
    ca = chain["root"] if name == ROOT else chain["issuing"]
    text = openssl("crl", "-inform", "DER", "-in", der, "-CAfile", ca, "-noout", "-text")
    assert "verify OK" in text
    openssl("crl", "-inform", "DER", "-in", der, "-out", f"{der}.pem")
    return text


def _number(crl_text: str) -> int:
    found = re.search(r"CRL Number:\s*\n?\s*(\S+)", crl_text)
    assert found is not None
    return int(found.group(1), 0) if found.group(1).startswith("0x") else int(found.group(1))


@pytest.mark.parametrize("with_certificate", [True, False], ids=["cert", "no-cert"])
def test_time_stamp_verifies(live_pki: LivePki, chain: dict[str, Path],
                             with_certificate: bool) -> None:
    data = live_pki.files / "contract.txt"
    data.write_text("Hợp đồng mua bán — ký ngày hôm nay")
    query = live_pki.files / f"q-{with_certificate}.tsq"
    openssl("ts", "-query", "-data", data, "-sha256", "-out", query,
            *(["-cert"] if with_certificate else []))
    response = live_pki.post("/pki/tsa", query.read_bytes(), "application/timestamp-query")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/timestamp-reply"
    reply = live_pki.files / f"r-{with_certificate}.tsr"
    reply.write_bytes(response.content)
    text = openssl("ts", "-reply", "-in", reply, "-text")
    assert "Status: Granted." in text and "Nonce: 0x" in text
    assert live_pki.container.pki_config.tsa_policy_oid in text
    untrusted = chain["issuing"]
    if not with_certificate:
        untrusted = _tsa_and_issuing(live_pki, chain)
    out = openssl("ts", "-verify", "-in", reply, "-queryfile", query, "-CAfile", chain["root"],
                  "-untrusted", untrusted)
    assert "Verification: OK" in out


def _tsa_and_issuing(live_pki: LivePki, chain: dict[str, Path]) -> Path:
    tsa = next(a for a in live_pki.container.pki.authorities() if a.name == "tsa")
    path = live_pki.write_pem("tsa.pem", tsa.certificate)
    both = live_pki.files / "tsa-chain.pem"
    both.write_bytes(path.read_bytes() + chain["issuing"].read_bytes())
    return both


def test_time_stamp_serials_are_unique(live_pki: LivePki) -> None:
    query = live_pki.files / "serials.tsq"
    data = live_pki.files / "serials.txt"
    data.write_text("x")
    openssl("ts", "-query", "-data", data, "-sha256", "-out", query)
    serials = set()
    for _ in range(20):
        reply = live_pki.files / "serials.tsr"
        reply.write_bytes(live_pki.post("/pki/tsa", query.read_bytes(),
                                        "application/timestamp-query").content)
        text = openssl("ts", "-reply", "-in", reply, "-text")
        serials.add(re.search(r"Serial number: (0x[0-9A-F]+)", text).group(1))  # type: ignore[union-attr]
    assert len(serials) == 20
