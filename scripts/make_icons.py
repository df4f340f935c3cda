"""Draw the web app's icons once (no image library): a key ring on kyso blue.

    python3 scripts/make_icons.py   # writes src/kyso/entrypoints/web/static/icons/*.png

`icon-*.png` keep a margin (rounded corners); `maskable-512.png` fills the square and keeps
the drawing inside the central 80 % safe zone, as maskable icons must. The PNGs are
committed; run this only to change the drawing.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/kyso/entrypoints/web/static/icons"
BLUE, WHITE, CLEAR = (11, 83, 148, 255), (255, 255, 255, 255), (0, 0, 0, 0)
SAMPLES = 3  # supersampling per axis


def _shape(x: float, y: float, maskable: bool) -> tuple[int, int, int, int]:
    """The colour at (x, y) in the unit square."""
    scale = 0.8 if maskable else 1.0
    if not maskable:
        corner = 0.18
        cx, cy = min(max(x, corner), 1 - corner), min(max(y, corner), 1 - corner)
        if (x - cx) ** 2 + (y - cy) ** 2 > corner**2:
            return CLEAR
    u, v = (x - 0.5) / scale + 0.5, (y - 0.5) / scale + 0.5
    ring = (u - 0.5) ** 2 + (v - 0.36) ** 2
    if 0.11**2 <= ring <= 0.2**2:
        return WHITE
    shaft = 0.45 <= u <= 0.55 and 0.55 <= v <= 0.86
    teeth = 0.55 <= u <= 0.66 and (0.68 <= v <= 0.73 or 0.79 <= v <= 0.84)
    return WHITE if shaft or teeth else BLUE


def _pixel(px: int, py: int, size: int, maskable: bool) -> bytes:
    acc = [0, 0, 0, 0]
    for sx in range(SAMPLES):
        for sy in range(SAMPLES):
            colour = _shape((px + (sx + 0.5) / SAMPLES) / size,
                            (py + (sy + 0.5) / SAMPLES) / size, maskable)
            acc = [a + c for a, c in zip(acc, colour, strict=True)]
    return bytes(round(a / SAMPLES**2) for a in acc)


def png(size: int, maskable: bool) -> bytes:
    rows = b"".join(b"\0" + b"".join(_pixel(x, y, size, maskable) for x in range(size))
                    for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in (("icon-192.png", 192, False), ("icon-512.png", 512, False),
                                 ("maskable-512.png", 512, True)):
        (OUT / name).write_bytes(png(size, maskable))
        print(OUT / name)


if __name__ == "__main__":
    main()
