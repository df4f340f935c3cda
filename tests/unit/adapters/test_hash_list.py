"""The ``signed`` column's text, written without the JSON encoder when nothing in it needs
escaping, is byte for byte what ``json.dumps`` writes: the spend compares it with the stored
text, so a difference would refuse every signing of a SAD after its first."""

from __future__ import annotations

import base64
import json
import os

import pytest

from kyso.adapters.db.repositories.signing import _hash_list


@pytest.mark.parametrize("count", [0, 1, 2, 50])
def test_base64_hashes_are_written_as_the_encoder_writes_them(count: int) -> None:
    hashes = tuple(base64.b64encode(os.urandom(32)).decode() for _ in range(count))
    assert _hash_list(hashes) == json.dumps(list(hashes))


@pytest.mark.parametrize("code", range(128))
def test_every_ascii_character_is_written_as_the_encoder_writes_it(code: int) -> None:
    for hashes in [(chr(code),), ("AAAA", f"x{chr(code)}y"), (chr(code), "B")]:
        assert _hash_list(hashes) == json.dumps(list(hashes))


@pytest.mark.parametrize("odd", ["đã ký", "\u2028", '", "', '"', "", "\\u0022"])
def test_what_needs_escaping_or_fakes_a_separator_goes_to_the_encoder(odd: str) -> None:
    for hashes in [(odd,), ("AAAA", odd), (odd, odd)]:
        assert _hash_list(hashes) == json.dumps(list(hashes))
        assert json.loads(_hash_list(hashes)) == list(hashes)
