"""Text laid out for the registration's papers: lines wrapped to a width measured with the
font's own advance widths (the vendored Noto Sans, read with fontTools), then cut into pages.

A word wider than the line (a long e-mail address, an ID) is broken between characters;
nothing runs off the page.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont

__all__ = ["Metrics", "metrics", "paginate", "wrap"]


class Metrics:
    """Advance widths of one font, in points at a given size."""

    def __init__(self, font: Path) -> None:
        ttf = TTFont(str(font), lazy=True)
        self._cmap: dict[int, str] = ttf.getBestCmap()
        self._hmtx = ttf["hmtx"]
        self._upem: int = ttf["head"].unitsPerEm
        self._cache: dict[str, int] = {}

    def width(self, text: str, size: float) -> float:
        return sum(self._advance(ch) for ch in text) * size / self._upem

    def _advance(self, ch: str) -> int:
        found = self._cache.get(ch)
        if found is None:
            glyph = self._cmap.get(ord(ch))
            if glyph is None:  # not in the font: its base letter, else the missing glyph
                base = unicodedata.normalize("NFD", ch)[0]
                glyph = self._cmap.get(ord(base), ".notdef")
            found = self._cache[ch] = int(self._hmtx[glyph][0])
        return found


@cache
def metrics(font: Path) -> Metrics:
    return Metrics(font)


def wrap(text: str, width: float, size: float, font: Metrics) -> list[str]:
    """``text`` as lines no wider than ``width`` points, broken at spaces where possible."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if font.width(candidate, size) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        *full, line = _pieces(word, width, size, font)
        lines.extend(full)
    lines.append(line)
    return lines


def _pieces(word: str, width: float, size: float, font: Metrics) -> list[str]:
    """``word`` cut between characters into pieces that fit."""
    pieces, piece = [], ""
    for ch in word:
        if piece and font.width(piece + ch, size) > width:
            pieces.append(piece)
            piece = ""
        piece += ch
    return [*pieces, piece]


def paginate(lines: list[str], per_page: int) -> list[list[str]]:
    """``lines`` in pages of at most ``per_page`` lines (at least one page)."""
    if per_page < 1:
        raise ValueError("a page holds at least one line")
    return [lines[i:i + per_page] for i in range(0, len(lines), per_page)] or [[]]
