"""signHash's answer, written without the JSON encoder, is byte for byte what the encoder
writes (``json.dumps`` compact, as Starlette's ``JSONResponse`` renders it), and parses back
to the signatures it was given."""

from __future__ import annotations

import base64
import json
import os

import pytest

from kyso.entrypoints.csc.signatures import signed_answer


@pytest.mark.parametrize("count", [0, 1, 2, 50])
@pytest.mark.parametrize("receipt_id", [None, "abcdefgh2345", 'a"\\\u00e9'])
def test_the_answer_is_what_the_json_encoder_writes(count: int,
                                                    receipt_id: str | None) -> None:
    signatures = [os.urandom(256) for _ in range(count)]
    expected: dict[str, object] = {
        "signatures": [base64.b64encode(s).decode() for s in signatures]}
    if receipt_id is not None:
        expected["receiptID"] = receipt_id
    body = signed_answer(signatures, receipt_id)
    assert body == json.dumps(expected, separators=(",", ":")).encode()
    parsed = json.loads(body)
    assert [base64.b64decode(s) for s in parsed["signatures"]] == signatures
    assert parsed.get("receiptID") == receipt_id


def test_signatures_of_any_length_keep_their_padding() -> None:
    signatures = [os.urandom(n) for n in (70, 71, 72, 256)]  # ECDSA DER lengths vary
    parsed = json.loads(signed_answer(signatures, None))
    assert [base64.b64decode(s, validate=True) for s in parsed["signatures"]] == signatures
    assert parsed["signatures"][0].endswith("==")  # 70 bytes: two padding characters
