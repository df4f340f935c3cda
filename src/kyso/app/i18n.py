"""Two languages, one rule: Vietnamese first, English after " / ", or one of them alone.

The language comes from ``--lang``, else ``KYSO_APP_LANG``, else ``LANG`` (``vi_*`` or
``en_*``), else both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal, cast

__all__ = ["LANGS", "Lang", "Msg", "resolve_lang"]

Lang = Literal["vi", "en", "both"]
LANGS: Final = ("vi", "en", "both")


@dataclass(frozen=True)
class Msg:
    """A message in Vietnamese and English; ``{name}`` fields are filled when rendered."""

    vi: str
    en: str

    def render(self, lang: Lang, **params: object) -> str:
        vi, en = self.vi.format(**params), self.en.format(**params)
        if lang == "vi":
            return vi
        if lang == "en":
            return en
        return vi if vi == en else f"{vi} / {en}"


def resolve_lang(option: str | None, environ: Mapping[str, str]) -> Lang:
    """The language to speak; an unknown ``--lang`` value is refused (ValueError)."""
    if option is not None:
        if option not in LANGS:
            raise ValueError(f"--lang must be one of {', '.join(LANGS)}")
        return cast(Lang, option)
    chosen = environ.get("KYSO_APP_LANG", "")
    if chosen in LANGS:
        return cast(Lang, chosen)
    system = environ.get("LANG", "").lower()
    if system.startswith("vi"):
        return "vi"
    if system.startswith("en"):
        return "en"
    return "both"
