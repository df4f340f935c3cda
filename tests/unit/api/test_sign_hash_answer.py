"""signHash's answer, written without the JSON encoder, is byte for byte what the encoder
writes (``json.dumps`` compact, as Starlette's ``JSONResponse`` renders it), and parses back
to the signatures it was given; the signatures are encoded to Base64 once, for the SAD's row
and the answer."""

from __future__ import annotations

import base64
import json
import os

import pytest

from kyso.entrypoints.csc.signatures import signed_answer
from kyso.keys.model import SignatureScheme
from kyso.signing.service import PendingSignatures


@pytest.mark.parametrize("count", [0, 1, 2, 50])
@pytest.mark.parametrize("receipt_id", [None, "abcdefgh2345", 'a"\\\u00e9'])
def test_the_answer_is_what_the_json_encoder_writes(count: int,
                                                    receipt_id: str | None) -> None:
    signatures = [os.urandom(256) for _ in range(count)]
    expected: dict[str, object] = {
        "signatures": [base64.b64encode(s).decode() for s in signatures]}
    if receipt_id is not None:
        expected["receiptID"] = receipt_id
    body = signed_answer([base64.b64encode(s).decode() for s in signatures], receipt_id)
    assert body == json.dumps(expected, separators=(",", ":")).encode()
    parsed = json.loads(body)
    assert [base64.b64decode(s) for s in parsed["signatures"]] == signatures
    assert parsed.get("receiptID") == receipt_id


def _pending(signatures: list[bytes]) -> PendingSignatures:
    hashes = tuple(base64.b64encode(os.urandom(32)).decode() for _ in signatures)
    return PendingSignatures("account", "credential", "sad", None, None,  # type: ignore[arg-type]
                             hashes, SignatureScheme.ECDSA_SHA256, signatures, None, None)


def test_signatures_of_any_length_keep_their_padding() -> None:
    signatures = [os.urandom(n) for n in (70, 71, 72, 256)]  # ECDSA DER lengths vary
    pending = _pending(signatures)
    parsed = json.loads(signed_answer(pending.answer(pending.signatures), None))
    assert [base64.b64decode(s, validate=True) for s in parsed["signatures"]] == signatures
    assert parsed["signatures"][0].endswith("==")  # 70 bytes: two padding characters


def test_the_signatures_kept_and_answered_are_encoded_once() -> None:
    pending = _pending([os.urandom(256) for _ in range(3)])
    kept = pending.kept()
    answered = pending.answer(pending.signatures)
    assert list(kept) == list(pending.hashes)
    assert all(a is k for a, k in zip(answered, kept.values(), strict=True))  # the same str
    # signatures another call made and kept (redelivered): encoded for this answer
    others = [os.urandom(256) for _ in range(3)]
    assert pending.answer(others) == [base64.b64encode(s).decode() for s in others]
