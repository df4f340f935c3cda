"""Independent checks of XAdES-signed XML: ``xmlsec1 --verify`` (libxmlsec1, OpenSSL) with
kyso's root as the only trusted certificate, ``openssl ts -verify`` for the signature time
stamp, xadesjs (PeculiarVentures, under Node's WebCrypto; ``tests/xadesjs``, installed from
its lock file by ``npm ci`` the first time) and signxml's XAdES verifier as second opinions,
and readers of the qualifying properties."""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from asn1crypto import pem
from lxml import etree

from kyso.signing.xades import NS, XADES

needs_xmlsec1 = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in ("xmlsec1", "openssl", "node", "npm")),
    reason="xmlsec1, openssl and node: run scripts/system-deps.sh")
INVOICE = Path(__file__).parents[2] / "vectors" / "hoa_don_dien_tu.xml"
XADESJS = Path(__file__).parents[2] / "xadesjs"


def xadesjs_verify(signed: Path) -> list[dict[str, object]]:
    """xadesjs's verdict on each ``ds:Signature`` of ``signed``: ``valid`` (references and
    signature, with the KeyInfo's certificate), ``signingTime``, ``certDigest`` (base64 of
    SigningCertificateV2's first digest), ``timestamps`` (SignatureTimeStamp count)."""
    if not (XADESJS / "node_modules" / "xadesjs").is_dir():  # `make test` installs it first
        with (XADESJS / ".npm-ci.lock").open("w") as lock:  # one xdist worker installs
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (XADESJS / "node_modules" / "xadesjs").is_dir():
                subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=XADESJS,
                               check=True, capture_output=True, timeout=300)
    done = subprocess.run(["node", "verify.mjs", str(signed)], cwd=XADESJS, check=True,
                          capture_output=True, text=True, timeout=60)
    return [json.loads(line) for line in done.stdout.splitlines()]


def xmlsec1_verify(signed: Path, root: Path, at: datetime) -> subprocess.CompletedProcess[str]:
    """``xmlsec1 --verify``: every reference and the signature, the chain to ``root`` (the
    KeyInfo's certificates as untrusted), at ``at``. The e-invoice's ``DLHDon`` and XAdES's
    ``SignedProperties`` are named by ``Id`` attributes xmlsec1 must be told of."""
    return subprocess.run(
        ["xmlsec1", "--verify", "--trusted-pem", str(root), "--enabled-key-data", "x509",
         "--verification-time", at.strftime("%Y-%m-%d %H:%M:%S"),
         "--id-attr:Id", "DLHDon", "--id-attr:Id", f"{XADES}:SignedProperties", str(signed)],
        capture_output=True, text=True, timeout=60, check=False)


def signatures(root: etree._Element) -> list[etree._Element]:
    return list(root.iter(f"{{{NS['ds']}}}Signature"))


def one(node: etree._Element, path: str) -> etree._Element:
    [found] = node.xpath(path, namespaces=NS)
    return found  # type: ignore[no-any-return]


def texts(node: etree._Element, path: str) -> list[bytes]:
    return [base64.b64decode(e.text or "") for e in node.xpath(path, namespaces=NS)]


def openssl_ts_verify(signature: etree._Element, files: Path, root: Path,
                      untrusted: Path) -> str:
    """The signature time stamp checked by ``openssl ts -verify`` against the SHA-256 of the
    canonical ``ds:SignatureValue`` (what the TSA must have stamped)."""
    [token] = texts(signature, ".//xades:SignatureTimeStamp/xades:EncapsulatedTimeStamp")
    value = one(signature, "ds:SignatureValue")
    digest = hashlib.sha256(etree.tostring(value, method="c14n")).hexdigest()
    path = files / f"ts-{digest[:8]}.der"
    path.write_bytes(token)
    done = subprocess.run(["openssl", "ts", "-verify", "-token_in", "-in", str(path),
                           "-digest", digest, "-CAfile", str(root), "-untrusted", str(untrusted)],
                          capture_output=True, text=True, timeout=60, check=False)
    return done.stdout + done.stderr


def write_pems(path: Path, ders: list[bytes]) -> Path:
    path.write_bytes(b"".join(pem.armor("CERTIFICATE", d) for d in ders))
    return path


XADES141 = "http://uri.etsi.org/01903/v1.4.1#"


def archive_imprint(signed: bytes, leaf: bytes) -> tuple[str, bytes]:
    """The SHA-256 (hex) an archive time stamp must carry (ETSI EN 319 132-1 §5.5.2.2) and
    its token: each reference's data after its transforms as *signxml's* verifier
    computes them (not kyso's code), then the canonical ``SignedInfo``, ``SignatureValue``,
    ``KeyInfo`` and the unsigned signature properties before the stamp."""
    from signxml import XMLVerifier
    from signxml.verifier import SignatureConfiguration

    cert = pem.armor("CERTIFICATE", leaf).decode()
    results = XMLVerifier().verify(signed, x509_cert=cert,
                                   expect_config=SignatureConfiguration(expect_references=3))
    [signature] = signatures(etree.fromstring(signed))
    parts = [r.signed_data for r in results]
    parts += [etree.tostring(one(signature, name), method="c14n")
              for name in ("ds:SignedInfo", "ds:SignatureValue", "ds:KeyInfo")]
    unsigned = one(signature, ".//xades:UnsignedSignatureProperties")
    [stamp] = [p for p in unsigned if p.tag == f"{{{XADES141}}}ArchiveTimeStamp"]
    for prop in unsigned:
        if prop is stamp:
            break
        parts.append(etree.tostring(prop, method="c14n"))
    [token] = texts(stamp, "xades:EncapsulatedTimeStamp")
    return hashlib.sha256(b"".join(parts)).hexdigest(), token


def openssl_ts_verify_digest(token: bytes, digest: str, files: Path, root: Path,
                             untrusted: Path) -> str:
    path = files / f"ats-{digest[:8]}.der"
    path.write_bytes(token)
    done = subprocess.run(["openssl", "ts", "-verify", "-token_in", "-in", str(path),
                           "-digest", digest, "-CAfile", str(root), "-untrusted", str(untrusted)],
                          capture_output=True, text=True, timeout=60, check=False)
    return done.stdout + done.stderr
