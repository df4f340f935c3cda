#!/usr/bin/env python3
"""Regenerate the vendored font of the visible signature stamp (one-off; the output is committed).

Takes Noto Sans Regular from the Debian package ``fonts-noto-core`` (installed here if missing),
keeps the Latin and Vietnamese glyphs with their layout features (HarfBuzz places the tone marks
with ``ccmp``/``mark``/``mkmk``), drops hinting, and writes:

    src/kyso/signing/fonts/NotoSans-Vietnamese.ttf
    src/kyso/signing/fonts/OFL.txt       the SIL Open Font License 1.1, from Debian's copyright file

Run with the project's venv (fontTools comes with ``pyhanko[opentype]``):

    .venv/bin/python scripts/vendor_noto_subset.py
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

SOURCE = Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf")
COPYRIGHT = Path("/usr/share/doc/fonts-noto-core/copyright")
OUT = Path(__file__).resolve().parent.parent / "src/kyso/signing/fonts"
FONT = OUT / "NotoSans-Vietnamese.ttf"

RANGES = [
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x00FF),  # Latin-1 Supplement
    (0x0100, 0x017F),  # Latin Extended-A (Đ đ, Ĩ ĩ, Ũ ũ …)
    (0x01A0, 0x01B0),  # Ơ ơ Ư ư
    (0x0300, 0x0323),  # combining marks (decomposed Vietnamese text)
    (0x1EA0, 0x1EF9),  # Latin Extended Additional: the precomposed Vietnamese letters
    (0x2010, 0x2027),  # dashes, quotes, bullet, ellipsis
    (0x2030, 0x203A),
    (0x20AB, 0x20AC),  # ₫ €
]
FEATURES = ["ccmp", "locl", "mark", "mkmk", "kern", "liga", "calt", "rlig"]


def _ensure_source() -> None:
    if SOURCE.exists():
        return
    apt = ["apt-get"] if os.geteuid() == 0 else ["sudo", "apt-get"]
    command = [*apt, "install", "-y", "--no-install-recommends", "fonts-noto-core"]
    subprocess.run(command, check=True)  # noqa: S603  (a fixed command line)


def _subset() -> None:
    options = subset.Options()
    options.layout_features = FEATURES
    options.hinting = False
    options.name_IDs = ["*"]  # keep the copyright and licence records
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["DSIG"]
    font = TTFont(str(SOURCE))
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for lo, hi in RANGES for c in range(lo, hi + 1)])
    subsetter.subset(font)
    OUT.mkdir(parents=True, exist_ok=True)
    font.save(str(FONT))
    units = TTFont(str(FONT))["head"].unitsPerEm
    if units != 1000:
        sys.exit(f"unitsPerEm is {units}, not 1000: pyHanko would space the glyphs wrongly")


def _licence() -> None:
    """The OFL paragraph of Debian's machine-readable copyright file, unfolded."""
    text = COPYRIGHT.read_text()
    match = re.search(r"^License: OFL-1\.1\n((?: .*\n?)+)", text, re.MULTILINE)
    if match is None:
        sys.exit(f"no OFL-1.1 licence text in {COPYRIGHT}")
    lines = [line[1:] for line in match.group(1).splitlines()]
    body = "\n".join("" if line == "." else line for line in lines)
    header = ("Noto Sans (subset: Latin and Vietnamese), from Debian's fonts-noto-core.\n"
              "Copyright 2015-2020 Google LLC (The Noto Project Authors).\n"
              "No Reserved Font Name. This Font Software is licensed under the\n"
              "SIL Open Font License, Version 1.1:\n\n")
    (OUT / "OFL.txt").write_text(header + body.strip() + "\n")


def main() -> None:
    _ensure_source()
    _subset()
    _licence()
    print(f"wrote {FONT} ({FONT.stat().st_size} bytes) and {OUT / 'OFL.txt'}")


if __name__ == "__main__":
    if shutil.which("apt-get") is None and not SOURCE.exists():
        sys.exit(f"{SOURCE} is missing and apt-get is not available")
    main()
