"""The manifest of a backup: what each part is, its SHA-256, the audit head it holds.

A backup is a directory::

    manifest.json          this manifest (JSON)
    database.sqlite        SQLite's online backup   | database.pgdump  pg_dump -Fc
    files.tar              KYSO_HOME/documents and /onboarding, when they exist
    audit-checkpoints.jsonl  the checkpoint file, when it exists
    keys.sealed            the master key (or its HSM reference) and kyso.toml, sealed

Every part, the sealed keys included, is named with its SHA-256 and size under ``parts``. The
sealed keys also hold :func:`body_digest` of the manifest without ``keys``: who opens them
knows that nothing in the manifest (a part's hash, the audit head) was changed since.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from kyso.backup.errors import ManifestInvalid, PartCorrupted

__all__ = ["FORMAT", "MANIFEST", "body_digest", "check_parts", "digest_file", "read_manifest",
           "write_manifest"]

FORMAT = "kyso-backup/1"
MANIFEST = "manifest.json"
_CHUNK = 1024 * 1024


def digest_file(path: Path) -> dict[str, Any]:
    """``{"file", "sha256", "bytes"}`` of a part (read in 1 MiB chunks)."""
    h, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            h.update(chunk)
            size += len(chunk)
    return {"file": path.name, "sha256": h.hexdigest(), "bytes": size}


def body_digest(manifest: dict[str, Any]) -> str:
    """SHA-256 of the manifest without what describes the sealed keys (``keys`` and
    ``parts.keys``), in a canonical JSON form."""
    body = {k: v for k, v in manifest.items() if k != "keys"}
    body["parts"] = {k: v for k, v in body.get("parts", {}).items() if k != "keys"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"),
                                     ensure_ascii=True).encode()).hexdigest()


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ManifestInvalid(f"{folder} is not a kyso backup (no {MANIFEST})") from exc
    except (OSError, ValueError) as exc:
        raise ManifestInvalid(f"{path} cannot be read as JSON: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ManifestInvalid(f"{path} is not a {FORMAT} manifest")
    parts = manifest.get("parts")
    if not isinstance(parts, dict) or "keys" not in parts or "database" not in parts:
        raise ManifestInvalid(f"{path} names no database or no sealed keys")
    if not all(isinstance(p, dict) and isinstance(p.get("file"), str) for p in parts.values()):
        raise ManifestInvalid(f"{path} describes a part without its file")
    head = manifest.get("audit_head")
    if not isinstance(head, dict) or not isinstance(head.get("seq"), int) or \
            not isinstance(manifest.get("database"), dict) or \
            not isinstance(manifest.get("master_key"), dict):
        raise ManifestInvalid(f"{path} lacks the audit head, the database or the master key")
    return manifest


def check_parts(folder: Path, manifest: dict[str, Any]) -> None:
    """Every part present with the manifest's size and SHA-256; else :class:`PartCorrupted`."""
    for name, part in manifest["parts"].items():
        file = str(part.get("file", ""))
        path = folder / file
        if Path(file).name != file or not file or not path.is_file():
            raise PartCorrupted(f"part {name!r} ({file}) is missing")
        found = digest_file(path)
        if (found["sha256"], found["bytes"]) != (part.get("sha256"), part.get("bytes")):
            raise PartCorrupted(f"part {name!r} ({file}) is corrupted: its SHA-256 is "
                                f"{found['sha256'][:16]}…, the manifest says "
                                f"{str(part.get('sha256'))[:16]}…")
