"""The flate bomb's inner stream is built, not compressed (``hostile_pdfs.zeros_deflated``):
it must still be a valid zlib stream of exactly that many MiB of zeros."""

from __future__ import annotations

import zlib

import pytest

from tests.security.hostile_pdfs import flate_bomb, zeros_deflated


@pytest.mark.parametrize("megabytes", [1, 2, 5])
def test_the_built_stream_inflates_to_that_many_zeros_and_its_check_holds(
        megabytes: int) -> None:
    inflater = zlib.decompressobj()  # raises on a wrong Adler-32
    assert inflater.decompress(zeros_deflated(megabytes)) == bytes(megabytes * 1024 * 1024)
    assert inflater.eof and inflater.unused_data == b""


def test_the_bomb_holds_the_stream_flated_twice_and_stays_small() -> None:
    bomb = flate_bomb()
    assert zlib.compress(zeros_deflated(2048), 9) in bomb
    assert len(bomb) < 16 * 1024
