"""A signing receipt checked as anyone would, offline: ``openssl cms -verify`` against kyso's
root, and the claims read from what OpenSSL verified."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms

RECEIPT_POLICY = "2.25.0.3.1"  # Settings.pki_receipt_policy_oid's default


def openssl_claims(der: bytes, root_pem: Path, at: datetime, tmp: Path) -> dict[str, Any]:
    """The receipt's claims, once OpenSSL said "Verification successful" (at ``at``, the
    test clock's time: certificates may start after the wall clock's now)."""
    if shutil.which("openssl") is None:
        pytest.fail("openssl is needed: run scripts/system-deps.sh")
    name = uuid.uuid4().hex
    receipt, out = tmp / f"{name}.p7m", tmp / f"{name}.json"
    receipt.write_bytes(der)
    done = subprocess.run(["openssl", "cms", "-verify", "-inform", "DER", "-in", str(receipt),
                           "-CAfile", str(root_pem), "-purpose", "any",
                           "-attime", str(int(at.timestamp()) + 5), "-out", str(out)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and "Verification successful" in done.stderr, done.stderr
    # a signature time stamp from kyso's TSA, as an unsigned attribute
    signed_data = cms.ContentInfo.load(der)["content"]
    signer = signed_data["signer_infos"][0]
    assert [a["type"].native for a in signer["unsigned_attrs"]] == ["signature_time_stamp_token"]
    # by the receipts' own seal: its certificate policy, not the organisation seal's
    serial = signer["sid"].chosen["serial_number"].native
    [leaf] = [c.chosen for c in signed_data["certificates"] if c.chosen.serial_number == serial]
    assert leaf.subject.native["common_name"].endswith("Signing Receipts")
    assert [p["policy_identifier"].dotted for p in leaf.certificate_policies_value] == [
        RECEIPT_POLICY]
    claims: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    assert claims["type"] == "kyso-signing-receipt"
    return claims
