"""The browser token (static/js/token/) under Node 20's WebCrypto, and the web app's reading
of the server's clock (static/js/skew.js): `node --test tests/js`.

Python hands Node golden values computed by kyso.otp itself (transaction challenges over
Vietnamese, emoji, control characters and several key orders; the SmartOTP PIN rule), so the
browser and the server/`kyso app` cannot drift apart. The RFC vectors are read from
tests/vectors by the Node test; oathtool is called from it too.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

from kyso.otp.device import check_smartotp_pin
from kyso.otp.errors import WeakSmartOtpPin
from kyso.otp.ocra import transaction_challenge

ROOT = Path(__file__).resolve().parents[3]
SUITE = "OCRA-1:HOTP-SHA256-8:QH64"
DETAILS = [
    {"transaction_id": "tx-1", "kind": "contact_change", "phone": "+84987654321"},
    {"kind": "sign_document", "transaction_id": "b", "doc_ids": "a1\nb2\nc3",
     "description": "Hợp đồng mua bán — Điều 5 \"giá\" \\ tab\there", "Zeta": "z", "alpha": "ä"},
    {"transaction_id": "x", "kind": "sp769", "amount": "1.250.000 ₫", "emoji": "ký 😀 \u0001\u001f",
     "e\u0301": "Ðặng Thị Ánh", "\u00e9x": "NFC"},
]


def _weak(pin: str) -> bool:
    try:
        check_smartotp_pin(pin)
    except WeakSmartOtpPin:
        return True
    return False


def _golden() -> dict[str, str]:
    challenges = [{"details": d, "length": n, "fmt": f,
                   "question": transaction_challenge(d, length=n, fmt=f)}
                  for d in DETAILS for n, f in ((64, "H"), (8, "N"), (40, "A"))]
    tx = {"id": "tx-1", "kind": "contact_change", "details": {"phone": "+84987654321"},
          "ocra_suite": SUITE,
          "question": transaction_challenge(DETAILS[0], length=64, fmt="H")}
    challenges.append({**challenges[0], "tx": tx})
    rng = random.Random(12)
    pins = ["123456", "000000", "654321", "789012", "210987", "918273", "1234567", "99999999",
            "12345", "1234567890123", "12a456"]
    pins += ["".join(rng.choice("0123456789") for _ in range(rng.randint(5, 13)))
             for _ in range(300)]
    pins += [str(d) * 6 for d in range(10)]
    return {"KYSO_CHALLENGE_GOLDEN": json.dumps(challenges),
            "KYSO_PIN_GOLDEN": json.dumps([{"pin": p, "weak": _weak(p)} for p in pins])}


def test_the_browser_token_passes_every_vector_under_node() -> None:
    node = shutil.which("node")
    assert node is not None, "node (Debian's nodejs) is needed for the browser token's tests"
    assert shutil.which("oathtool") is not None, "oathtool is needed (scripts/system-deps.sh)"
    run = subprocess.run([node, "--test", str(ROOT / "tests" / "js")], capture_output=True,
                         text=True, env={"PATH": "/usr/bin:/bin", **_golden()}, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "# fail 0" in run.stdout and "# pass 15" in run.stdout, run.stdout
