"""PKI answers that scale (RFC 5019): OCSP over GET answered from a pre-produced response
with caching headers, conditional GETs, a revocation seen at once (on another node too),
nonces still signed afresh; CRLs and CA certificates with validators. OpenSSL verifies what
the cache serves. Runs per key-store back end and key family (``conftest.live_pki``)."""

from __future__ import annotations

import base64
import hashlib
import urllib.parse
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
import pytest
from asn1crypto import ocsp

from kyso.bootstrap import bootstrap
from kyso.pki.model import ROOT, RevocationReason
from tests.conftest import FAST_HASHER
from tests.integration.pki.conftest import LivePki, openssl


@pytest.fixture(scope="module")
def chain(live_pki: LivePki) -> dict[str, Path]:
    """The CA certificates as served, in PEM, and the two together."""
    issuing = live_pki.container.pki_config.issuing_ca
    paths = {name: live_pki.write_pem(f"{name}.pem", live_pki.get(url).content)
             for name, url in (("root", f"/pki/ca/{ROOT}.cer"),
                               ("issuing", f"/pki/ca/{issuing}.cer"))}
    paths["both"] = live_pki.files / "chain.pem"
    paths["both"].write_bytes(paths["root"].read_bytes() + paths["issuing"].read_bytes())
    return paths


def _request(live_pki: LivePki, issuing: Path, cert: Path, name: str) -> tuple[Path, str]:
    path = live_pki.files / f"{name}-req.der"
    openssl("ocsp", "-issuer", issuing, "-cert", cert, "-no_nonce", "-reqout", path)
    return path, urllib.parse.quote(base64.b64encode(path.read_bytes()).decode(), safe="")


def _verify(live_pki: LivePki, chain: dict[str, Path], request: Path, body: bytes,
            name: str) -> str:
    answer = live_pki.files / f"{name}-resp.der"
    answer.write_bytes(body)
    out = openssl("ocsp", "-reqin", request, "-respin", answer, "-issuer", chain["issuing"],
                  "-CAfile", chain["both"], "-verify_other", chain["both"], "-no_nonce",
                  "-resp_text")
    assert "Response verify OK" in out, out
    return out


def _times(body: bytes) -> tuple[datetime, datetime]:
    data = ocsp.OCSPResponse.load(body).basic_ocsp_response["tbs_response_data"]
    single = data["responses"][0]
    return data["produced_at"].native, single["next_update"].native


def _coherent(response: httpx.Response) -> None:
    """RFC 5019 §6.2: every header there, and saying the same as the response itself."""
    produced, next_update = _times(response.content)
    control = [part.strip() for part in response.headers["cache-control"].split(",")]
    max_age = int(next(p for p in control if p.startswith("max-age="))[8:])
    assert {"public", "no-transform", "must-revalidate"} <= set(control)
    date = parsedate_to_datetime(response.headers["date"])
    assert 0 < max_age <= (next_update - date).total_seconds() + 1
    assert parsedate_to_datetime(response.headers["last-modified"]) == produced
    assert parsedate_to_datetime(response.headers["expires"]) == next_update
    assert response.headers["etag"] == f'"{hashlib.sha256(response.content).hexdigest()}"'


def test_get_is_pre_produced_cacheable_and_verifies(live_pki: LivePki,
                                                     chain: dict[str, Path]) -> None:
    _, cert = live_pki.issue("cache.pem")
    request, encoded = _request(live_pki, chain["issuing"], cert, "cache")
    first = live_pki.get(f"/pki/ocsp/{encoded}")
    second = live_pki.get(f"/pki/ocsp/{encoded}")
    assert first.status_code == second.status_code == 200
    assert second.content == first.content  # the same signed bytes: not signed again
    _coherent(second)
    out = _verify(live_pki, chain, request, second.content, "cache")
    assert f"{cert}: good" in out or "Cert Status: good" in out
    assert "OCSP Nonce" not in out


def test_conditional_get(live_pki: LivePki, chain: dict[str, Path]) -> None:
    _, cert = live_pki.issue("cond.pem")
    _, encoded = _request(live_pki, chain["issuing"], cert, "cond")
    got = live_pki.get(f"/pki/ocsp/{encoded}")
    etag, modified = got.headers["etag"], got.headers["last-modified"]
    for headers in ({"if-none-match": etag}, {"if-none-match": f'"x", W/{etag}'},
                    {"if-modified-since": modified}):
        again = httpx.get(f"{live_pki.url}/pki/ocsp/{encoded}", headers=headers,
                          trust_env=False, timeout=30)
        assert again.status_code == 304 and again.content == b"", headers
        assert again.headers["etag"] == etag and "max-age=" in again.headers["cache-control"]
    stale = httpx.get(f"{live_pki.url}/pki/ocsp/{encoded}", trust_env=False, timeout=30,
                      headers={"if-none-match": '"an-old-answer"'})
    assert stale.status_code == 200 and stale.content == got.content


def test_a_revocation_on_another_node_is_seen_at_once(live_pki: LivePki,
                                                       chain: dict[str, Path],
                                                       tmp_path: Path) -> None:
    record, cert = live_pki.issue("revoke.pem")
    request, encoded = _request(live_pki, chain["issuing"], cert, "revoke")
    good = live_pki.get(f"/pki/ocsp/{encoded}")
    assert "Cert Status: good" in _verify(live_pki, chain, request, good.content, "good")
    a = live_pki.container.settings
    node_b = bootstrap(a.model_copy(update={"home": tmp_path / "b",
                                            "master_key_file": a.master_key_path}),
                       hasher=FAST_HASHER)
    try:
        node_b.pki.suspend(record.serial, actor="test")  # on node B, the same database
        held = live_pki.get(f"/pki/ocsp/{encoded}")  # node A's next answer
        out = _verify(live_pki, chain, request, held.content, "held")
        assert "Cert Status: revoked" in out and "certificateHold" in out
        node_b.pki.resume(record.serial, actor="test")
        back = live_pki.get(f"/pki/ocsp/{encoded}")
        assert "Cert Status: good" in _verify(live_pki, chain, request, back.content, "back")
        node_b.pki.revoke(record.serial, RevocationReason.KEY_COMPROMISE, actor="test")
        gone = live_pki.get(f"/pki/ocsp/{encoded}")
        out = _verify(live_pki, chain, request, gone.content, "gone")
        assert "Cert Status: revoked" in out and "Reason: keyCompromise" in out
        _coherent(gone)
        conditional = httpx.get(f"{live_pki.url}/pki/ocsp/{encoded}", trust_env=False,
                                timeout=30, headers={"if-none-match": good.headers["etag"]})
        assert conditional.status_code == 200  # the good answer is no longer current
        assert conditional.content == gone.content
    finally:
        node_b.close()


def test_a_nonce_still_gets_a_fresh_answer(live_pki: LivePki, chain: dict[str, Path]) -> None:
    _, cert = live_pki.issue("nonce.pem")
    _, encoded = _request(live_pki, chain["issuing"], cert, "nonce")
    cached = live_pki.get(f"/pki/ocsp/{encoded}")
    out = openssl("ocsp", "-issuer", chain["issuing"], "-cert", cert, "-url",
                  f"{live_pki.url}/pki/ocsp", "-CAfile", chain["both"], "-resp_text")
    assert "Response verify OK" in out and "OCSP Nonce" in out  # POST, nonce checked
    posted = live_pki.post("/pki/ocsp", (live_pki.files / "nonce-req.der").read_bytes(),
                           "application/ocsp-request")
    assert posted.status_code == 200 and "cache-control" not in posted.headers
    assert cached.content == posted.content  # a POST without nonce: the same answer


@pytest.mark.parametrize("kind", ["crl", "ca"])
def test_crls_and_ca_certificates_carry_validators(live_pki: LivePki, kind: str) -> None:
    issuing = live_pki.container.pki_config.issuing_ca
    path = f"/pki/crl/{issuing}.crl" if kind == "crl" else f"/pki/ca/{ROOT}.cer"
    got = live_pki.get(path)
    assert got.status_code == 200
    assert got.headers["etag"] == f'"{hashlib.sha256(got.content).hexdigest()}"'
    modified = parsedate_to_datetime(got.headers["last-modified"])
    assert modified <= datetime.now(UTC)
    control = got.headers["cache-control"]
    max_age = int(control.split("max-age=")[1].split(",")[0])
    assert "public" in control and 0 < max_age <= (600 if kind == "crl" else 86400)
    if kind == "crl":
        der = live_pki.files / "crl.der"
        der.write_bytes(got.content)
        out = openssl("crl", "-inform", "DER", "-noout", "-lastupdate", "-in", der)
        last = datetime.strptime(out.strip().split("=", 1)[1], "%b %d %H:%M:%S %Y %Z")
        assert last.replace(tzinfo=UTC) == modified  # Last-Modified is the CRL's thisUpdate
    again = httpx.get(live_pki.url + path, headers={"if-none-match": got.headers["etag"]},
                      trust_env=False, timeout=30)
    assert again.status_code == 304 and again.content == b""

