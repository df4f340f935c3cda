"""Names exactly as on the ID card.

A full name is kept in Unicode NFC with its marks where the card has them (``Hoà`` and
``Hòa`` are different names: normalization never moves a tone mark). Names are compared
with the machine-readable zone without diacritics: ``Nguyễn Văn Đức`` → ``NGUYEN VAN DUC``.
"""

from __future__ import annotations

import re
import unicodedata

from kyso.errors import Text
from kyso.onboarding.errors import InvalidField

__all__ = ["fold", "normalize_name"]

_SPACES = re.compile(r"\s+")
_MAX = 64  # the certificate's CN is at most 64 characters


def normalize_name(text: str) -> str:
    """NFC, single spaces; letters, spaces, hyphens and apostrophes only."""
    name = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
    if not name or len(name) > _MAX:
        raise InvalidField(field="full_name", reason=Text(f"từ 1 đến {_MAX} ký tự",
                                                          f"1..{_MAX} characters"))
    for char in name:
        if not (char.isalpha() or char in " -'" or unicodedata.category(char) == "Mn"):
            raise InvalidField(field="full_name", reason=Text(f"không được dùng ký tự {char!r}",
                                                              f"character {char!r} is not allowed"))
    return name


def fold(text: str) -> str:
    """Upper case without diacritics (``Đ`` → ``D``), single spaces: how an MRZ spells it."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return _SPACES.sub(" ", bare).strip().upper()
