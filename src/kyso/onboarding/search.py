"""Finding a case in the RA console: by a part of the holder's name (without diacritics or
case: "nguyen van an" finds "Nguyễn Văn An") or of the ID number."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["CaseQuery", "name_key"]

MAX_QUERY = 64
_ID_PART = re.compile(r"[0-9A-Z]{1,20}")
# a CCCD or a passport number is whole at this length (nine digits may be part of a CCCD)
_WHOLE_ID = re.compile(r"[0-9]{12}|[A-Z][0-9]{7}")


def name_key(text: str) -> str:
    """Lower case, no diacritics (đ → d), single spaces, only letters and digits."""
    folded = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    plain = "".join(c if c.isalnum() else " " for c in folded
                    if not unicodedata.combining(c))
    return " ".join(plain.split())[:200]


@dataclass(frozen=True)
class CaseQuery:
    """What an officer typed, read as a name part and, when it can be one, an ID part."""

    name: str  # the name key to look for inside names ("" when none)
    id_part: str | None  # upper-case letters and digits of an ID number, or None
    whole_id: bool  # the id part is a whole ID number: an indexed exact lookup is enough

    @classmethod
    def parse(cls, text: str) -> CaseQuery | None:
        """None for an empty query; ValueError for one longer than MAX_QUERY characters."""
        if len(text) > MAX_QUERY:
            raise ValueError(f"a search has at most {MAX_QUERY} characters")
        key = name_key(text)
        if not key:
            return None
        compact = key.replace(" ", "").upper()
        id_part = compact if _ID_PART.fullmatch(compact) and any(c.isdigit() for c in compact) \
            else None
        whole = id_part is not None and _WHOLE_ID.fullmatch(id_part) is not None
        return cls(key, id_part, whole)
