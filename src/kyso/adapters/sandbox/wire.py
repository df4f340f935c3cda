"""The sandbox's wire format: JSON with length-prefixed binary attachments, never pickle.

One message is one ``send_bytes`` frame::

    4 bytes: n, the header's length (big-endian) | n bytes: the header, JSON | attachments

The header is ``{"v": value, "b": [length, …]}``: ``value`` is JSON in which ``{"$b": i}``
stands for attachment ``i`` (bytes travel raw, not as base64), and the attachments follow
the header back to back. :func:`unpack` checks every length, refuses duplicate or unknown
keys in a marker, and builds only dicts, lists, strings, numbers, booleans, None and
bytes: a reply from a child that a hostile file took over is at worst malformed data
(:class:`WireError`), which the parent turns into a refused document.
"""

from __future__ import annotations

import json
import struct
from typing import Any

__all__ = ["WireError", "pack", "unpack"]

_HEAD = struct.Struct(">I")
_MAX_HEADER = 4 * 1024 * 1024  # a validation report of many signatures stays far below
_MAX_DEPTH = 32


class WireError(ValueError):
    """A frame that is not what :func:`pack` writes."""


def pack(value: Any) -> bytes:
    blobs: list[bytes] = []
    header = json.dumps({"v": _out(value, blobs), "b": [len(b) for b in blobs]},
                        ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode()
    return b"".join([_HEAD.pack(len(header)), header, *blobs])


def unpack(frame: bytes) -> Any:
    view = memoryview(frame)
    if len(view) < _HEAD.size:
        raise WireError("short frame")
    (size,) = _HEAD.unpack(view[:_HEAD.size])
    if size > _MAX_HEADER or _HEAD.size + size > len(view):
        raise WireError("bad header length")
    try:
        header = json.loads(bytes(view[_HEAD.size:_HEAD.size + size]),
                            parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise WireError("header is not JSON") from exc
    if not isinstance(header, dict) or set(header) != {"v", "b"}:
        raise WireError("header is not {v, b}")
    lengths = header["b"]
    if not isinstance(lengths, list) or not all(
            type(n) is int and n >= 0 for n in lengths):
        raise WireError("bad attachment lengths")
    offset, blobs = _HEAD.size + size, []
    for n in lengths:
        blobs.append(bytes(view[offset:offset + n]))
        offset += n
    if offset != len(view):
        raise WireError("attachments do not fill the frame")
    return _in(header["v"], blobs, 0)


def _out(value: Any, blobs: list[bytes]) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        blobs.append(bytes(value))
        return {"$b": len(blobs) - 1}
    if isinstance(value, dict):
        if "$b" in value:
            raise TypeError("'$b' is reserved")
        return {str(k): _out(v, blobs) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_out(v, blobs) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"{type(value).__name__} does not go on the wire")


def _in(value: Any, blobs: list[bytes], depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise WireError("nested too deep")
    if isinstance(value, dict):
        if "$b" in value:
            index = value["$b"]
            if len(value) != 1 or type(index) is not int or not 0 <= index < len(blobs):
                raise WireError("bad attachment reference")
            return blobs[index]
        return {k: _in(v, blobs, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_in(v, blobs, depth + 1) for v in value]
    return value


def _no_constant(name: str) -> Any:
    raise WireError(f"{name} is not JSON")
